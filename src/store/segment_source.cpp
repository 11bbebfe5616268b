#include "store/segment_source.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "store/format.h"

namespace ledger::store {

namespace fs = std::filesystem;

namespace {

// Compressed bytes are read in pieces this large when only a segment's head is wanted.
constexpr size_t kHeadReadBytes = 64u << 10;

Status corrupt_archive(const fs::path& path, const std::string& what) {
  return {ErrorCode::kCorruption, fmt::format("corrupt archive {}: {}", display_name(path), what)};
}

// Identifies one version of a file: an archive rewritten under the same name is another one.
struct FileIdentity {
  std::string path;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

// The most recently decompressed archive, shared while anyone still reads it. A reader that
// looks ahead (LogReader's commit check) opens the segment it is in a second time; this keeps
// that from decompressing it twice, and holds nothing once every reader has moved on.
class LastArchive {
 public:
  std::shared_ptr<const Bytes> find(const FileIdentity& id) {
    std::lock_guard lock(mutex_);
    if (!(id == id_)) return nullptr;
    return bytes_.lock();
  }
  void keep(const FileIdentity& id, const std::shared_ptr<const Bytes>& bytes) {
    std::lock_guard lock(mutex_);
    id_ = id;
    bytes_ = bytes;
  }

 private:
  std::mutex mutex_;
  FileIdentity id_;
  std::weak_ptr<const Bytes> bytes_;
};

LastArchive& last_archive() {
  static LastArchive cache;
  return cache;
}

Result<FileIdentity> identity_of(const File& file) {
  struct stat st {};
  if (::fstat(file.fd(), &st) != 0) return errno_status("stat", file.path(), errno);
  return FileIdentity{file.path().string(), st.st_dev, st.st_ino, st.st_size,
                      int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec};
}

Result<Bytes> read_all(const File& file) {
  auto size = file.size();
  if (!size) return size.status();
  Bytes bytes(*size);
  auto n = file.read_at(0, bytes);
  if (!n) return n.status();
  bytes.resize(*n);
  return bytes;
}

struct OpenedSegment {
  File file;
  SegmentFile segment;  // What was opened: the listed segment, or its archive copy.
};

// Opens a listed segment. A live one that is gone stands in its archive copy: a compaction may
// archive it between the caller's listing and this open, so the fallback follows the open's own
// ENOENT rather than an earlier exists() check, which would race the unlink.
Result<OpenedSegment> open_listed(Syscalls& sys, const SegmentFile& listed) {
  auto file = File::open(sys, listed.path, O_RDONLY);
  if (file) return OpenedSegment{std::move(*file), listed};
  if (listed.archived || file.status().code() != ErrorCode::kNotFound) return file.status();
  SegmentFile archived{listed.base_seq,
                       archived_segment_path(listed.path.parent_path(), listed.base_seq), true};
  auto copy = File::open(sys, archived.path, O_RDONLY);
  if (!copy) return file.status();  // Neither exists: report the segment the caller listed.
  return OpenedSegment{std::move(*copy), std::move(archived)};
}

}  // namespace

fs::path live_segment_path(const fs::path& dir, uint64_t base_seq) {
  return dir / segment_file_name(base_seq);
}

fs::path archived_segment_path(const fs::path& dir, uint64_t base_seq) {
  return dir / kArchiveDirName / (segment_file_name(base_seq) + kArchiveSuffix);
}

fs::path data_dir_of(const SegmentFile& segment) {
  const fs::path parent = segment.path.parent_path();
  return segment.archived ? parent.parent_path() : parent;
}

std::string display_name(const fs::path& path) {
  const std::string name = path.filename().string();
  if (name.ends_with(kArchiveSuffix) && path.parent_path().filename() == kArchiveDirName) {
    return fmt::format("{}/{}", kArchiveDirName, name);
  }
  return name;
}

Bytes compress_segment(ByteView segment, int level) {
  Bytes out(kArchiveHeaderSize + ZSTD_compressBound(segment.size()));
  encode_archive_header({segment.size(), checksum(segment, 0)}, out.data());
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
  const size_t n = ZSTD_compress2(cctx, out.data() + kArchiveHeaderSize,
                                  out.size() - kArchiveHeaderSize, segment.data(), segment.size());
  ZSTD_freeCCtx(cctx);
  // The output buffer is ZSTD_compressBound() large, so compression cannot run out of room.
  if (ZSTD_isError(n)) return {};
  out.resize(kArchiveHeaderSize + n);
  return out;
}

Result<Bytes> decompress_segment(ByteView archive) {
  auto header = decode_archive_header(archive);
  if (!header) return header.status();
  const ByteView frame = archive.subspan(kArchiveHeaderSize);
  const unsigned long long content = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (content != header->segment_size) {
    return Status(ErrorCode::kCorruption, "zstd frame does not hold the segment's size");
  }
  if (ZSTD_findFrameCompressedSize(frame.data(), frame.size()) != frame.size()) {
    return Status(ErrorCode::kCorruption, "zstd frame does not fill the file");
  }
  Bytes bytes(header->segment_size);
  const size_t n = ZSTD_decompress(bytes.data(), bytes.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) {
    return Status(ErrorCode::kCorruption, fmt::format("zstd: {}", ZSTD_getErrorName(n)));
  }
  if (n != bytes.size()) return Status(ErrorCode::kCorruption, "decompressed size mismatch");
  if (checksum(bytes, 0) != header->segment_checksum) {
    return Status(ErrorCode::kCorruption, "segment checksum mismatch after decompression");
  }
  return bytes;
}

Result<Bytes> read_archived_segment(Syscalls& sys, const fs::path& path) {
  auto file = File::open(sys, path, O_RDONLY);
  if (!file) return file.status();
  auto compressed = read_all(*file);
  if (!compressed) return compressed.status();
  auto bytes = decompress_segment(*compressed);
  if (!bytes) return corrupt_archive(path, bytes.status().message());
  return bytes;
}

Result<SegmentSource> SegmentSource::open(Syscalls& sys, const SegmentFile& listed) {
  auto opened = open_listed(sys, listed);
  if (!opened) return opened.status();
  const SegmentFile& segment = opened->segment;
  File* file = &opened->file;
  SegmentSource source;
  if (!segment.archived) {
    source.file_ = std::move(*file);
    return source;
  }
  auto id = identity_of(*file);
  if (!id) return id.status();
  if ((source.bytes_ = last_archive().find(*id))) return source;
  auto compressed = read_all(*file);
  if (!compressed) return compressed.status();
  auto bytes = decompress_segment(*compressed);
  if (!bytes) return corrupt_archive(segment.path, bytes.status().message());
  source.bytes_ = std::make_shared<const Bytes>(std::move(*bytes));
  last_archive().keep(*id, source.bytes_);
  return source;
}

Result<size_t> SegmentSource::read_at(uint64_t offset, std::span<unsigned char> dst) const {
  if (!bytes_) return file_.read_at(offset, dst);
  if (offset >= bytes_->size()) return size_t{0};
  const size_t n = std::min<uint64_t>(dst.size(), bytes_->size() - offset);
  std::memcpy(dst.data(), bytes_->data() + offset, n);
  return n;
}

bool SegmentSource::cached(uint64_t offset) const {
  return bytes_ != nullptr || file_.cached(offset);
}

void SegmentSource::will_need(uint64_t offset, uint64_t length) const {
  file_.will_need(offset, length);
}

Result<uint64_t> SegmentSource::size() const {
  if (!bytes_) return file_.size();
  return uint64_t{bytes_->size()};
}

Result<Bytes> read_segment_head(Syscalls& sys, const SegmentFile& listed, size_t n) {
  auto opened = open_listed(sys, listed);
  if (!opened) return opened.status();
  const SegmentFile& segment = opened->segment;
  File* file = &opened->file;
  Bytes head(n);
  if (!segment.archived) {
    auto got = file->read_at(0, head);
    if (!got) return got.status();
    head.resize(*got);
    return head;
  }
  Bytes header(kArchiveHeaderSize);
  auto got = file->read_at(0, header);
  if (!got) return got.status();
  header.resize(*got);
  if (auto h = decode_archive_header(header); !h) {
    return corrupt_archive(segment.path, h.status().message());
  }
  // Streams just enough of the zstd frame to fill `head`.
  std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> stream(ZSTD_createDStream(),
                                                                  ZSTD_freeDStream);
  ZSTD_outBuffer out{head.data(), head.size(), 0};
  Bytes chunk(kHeadReadBytes);
  uint64_t offset = kArchiveHeaderSize;
  bool frame_ended = false;
  while (out.pos < out.size && !frame_ended) {
    auto read = file->read_at(offset, chunk);
    if (!read) return read.status();
    if (*read == 0) break;
    offset += *read;
    ZSTD_inBuffer in{chunk.data(), *read, 0};
    while (in.pos < in.size && out.pos < out.size && !frame_ended) {
      const size_t rc = ZSTD_decompressStream(stream.get(), &out, &in);
      if (ZSTD_isError(rc)) {
        return corrupt_archive(segment.path, fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
      }
      frame_ended = rc == 0;
    }
  }
  head.resize(out.pos);
  return head;
}

Result<uint64_t> segment_size(Syscalls& sys, const SegmentFile& listed) {
  // A segment still where it was listed answers without being opened (a question as of a past
  // date checks the time index of every segment after its snapshot against its segment's size).
  // As File::size(), the size comes from the file system itself.
  if (struct stat st {}; !listed.archived && ::stat(listed.path.c_str(), &st) == 0) {
    return static_cast<uint64_t>(st.st_size);
  }
  auto opened = open_listed(sys, listed);
  if (!opened) return opened.status();
  const SegmentFile& segment = opened->segment;
  File* file = &opened->file;
  if (!segment.archived) return file->size();
  Bytes header(kArchiveHeaderSize);
  auto got = file->read_at(0, header);
  if (!got) return got.status();
  header.resize(*got);
  auto h = decode_archive_header(header);
  if (!h) return corrupt_archive(segment.path, h.status().message());
  return h->segment_size;
}

}  // namespace ledger::store
