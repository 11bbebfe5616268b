#include "store/snapshot_file.h"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

#include "util/endian.h"

namespace ledger::store {

namespace fs = std::filesystem;
using util::get;
using util::put;

namespace {

constexpr std::array<unsigned char, 8> kSnapshotMagic = {'L', 'D', 'G', 'S', 'N', 'A', 'P', '1'};
constexpr uint32_t kSnapshotFormatVersion = 2;  // Written; 1 is still read.
constexpr size_t kHeaderChecksumAt = 120;

uint64_t blocks_of(uint64_t payload_size) {
  return (payload_size + kSnapshotBlockBytes - 1) / kSnapshotBlockBytes;
}

// Block `b` of a payload: 4096 bytes, the last one fewer.
ByteView block_of(ByteView payload, uint64_t b) {
  const uint64_t at = b * kSnapshotBlockBytes;
  return payload.subspan(at, std::min<uint64_t>(kSnapshotBlockBytes, payload.size() - at));
}

Status corrupt(const fs::path& path, const std::string& what) {
  return {ErrorCode::kCorruption, fmt::format("snapshot {}: {}", path.filename().string(), what)};
}

}  // namespace

std::optional<uint64_t> parse_snapshot_file_name(std::string_view name) {
  return parse_numbered_file_name(name, kSnapshotSuffix);
}

uint64_t SnapshotLayout::blocks() const { return version >= 2 ? blocks_of(payload_size) : 0; }

uint64_t SnapshotLayout::payload_at() const { return kSnapshotHeaderSize + 8 * blocks(); }

fs::path snapshot_dir(const fs::path& dir) { return dir / kSnapshotDirName; }

fs::path snapshot_path(const fs::path& dir, uint64_t seq_last) {
  return snapshot_dir(dir) / fmt::format("{:0{}}{}", seq_last, kSegmentNameDigits, kSnapshotSuffix);
}

Bytes encode_snapshot(const SnapshotMeta& m, ByteView payload) {
  const uint64_t blocks = blocks_of(payload.size());
  Bytes out(kSnapshotHeaderSize + 8 * blocks + payload.size(), 0);
  unsigned char* p = out.data();
  unsigned char* table = p + kSnapshotHeaderSize;
  for (uint64_t b = 0; b < blocks; ++b) put<uint64_t>(table + 8 * b, checksum(block_of(payload, b), 0));
  std::copy(kSnapshotMagic.begin(), kSnapshotMagic.end(), p);
  put<uint32_t>(p + 8, kSnapshotFormatVersion);
  put<uint32_t>(p + 12, kSnapshotHeaderSize);
  put<uint64_t>(p + 16, m.seq_last);
  put<uint64_t>(p + 24, m.chain);
  put<uint64_t>(p + 32, m.segment_base);
  put<uint64_t>(p + 40, m.frame_offset);
  put<uint64_t>(p + 48, m.next_offset);
  put<int64_t>(p + 56, m.recorded_ns);
  put<int64_t>(p + 64, m.effective_max_ns);
  put<int64_t>(p + 72, m.created_ns);
  put<uint64_t>(p + 80, payload.size());
  put<uint64_t>(p + 88, checksum(ByteView(table, 8 * blocks), 0));
  put<uint64_t>(p + 96, m.refs_through);
  put<uint32_t>(p + 104, kSnapshotBlockBytes);
  put<uint32_t>(p + 108, m.reader_flags);
  put<uint64_t>(p + kHeaderChecksumAt, checksum(ByteView(p, kHeaderChecksumAt), 0));
  std::copy(payload.begin(), payload.end(), table + 8 * blocks);
  return out;
}

Result<SnapshotMeta> decode_snapshot_header(ByteView bytes, SnapshotLayout* layout) {
  const Status bad(ErrorCode::kCorruption, "bad snapshot header");
  if (bytes.size() < kSnapshotHeaderSize) return bad;
  const unsigned char* p = bytes.data();
  if (!std::equal(kSnapshotMagic.begin(), kSnapshotMagic.end(), p)) {
    return Status(ErrorCode::kCorruption, "not a ledger snapshot (bad magic)");
  }
  if (get<uint64_t>(p + kHeaderChecksumAt) != checksum(ByteView(p, kHeaderChecksumAt), 0)) {
    return Status(ErrorCode::kCorruption, "snapshot header checksum mismatch");
  }
  const uint32_t version = get<uint32_t>(p + 8);
  if (version < 1 || version > kSnapshotFormatVersion ||
      get<uint32_t>(p + 12) != kSnapshotHeaderSize ||
      (version >= 2 && get<uint32_t>(p + 104) != kSnapshotBlockBytes)) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("snapshot format version {} is not supported", version));
  }
  SnapshotMeta m;
  m.seq_last = get<uint64_t>(p + 16);
  m.chain = get<uint64_t>(p + 24);
  m.segment_base = get<uint64_t>(p + 32);
  m.frame_offset = get<uint64_t>(p + 40);
  m.next_offset = get<uint64_t>(p + 48);
  m.recorded_ns = get<int64_t>(p + 56);
  m.effective_max_ns = get<int64_t>(p + 64);
  m.created_ns = get<int64_t>(p + 72);
  const uint64_t size = get<uint64_t>(p + 80);
  if (size > kSnapshotPayloadSizeMax) return bad;
  if (layout != nullptr) *layout = {version, size, get<uint64_t>(p + 88)};
  m.refs_through = get<uint64_t>(p + 96);
  m.reader_flags = version >= 2 ? get<uint32_t>(p + 108) : 0;
  return m;
}

Status write_snapshot(Syscalls& sys, const fs::path& dir, const SnapshotMeta& meta,
                      ByteView payload) {
  LEDGER_RETURN_IF_ERROR(create_private_dir(sys, snapshot_dir(dir)));
  return write_file_atomically(sys, snapshot_path(dir, meta.seq_last),
                               encode_snapshot(meta, payload));
}

std::vector<uint64_t> snapshot_seqs(const fs::path& dir, std::vector<std::string>& problems) {
  std::vector<uint64_t> seqs;
  Status listed = for_each_name(snapshot_dir(dir), [&](std::string_view name) {
    if (auto seq = parse_snapshot_file_name(name)) seqs.push_back(*seq);
  });
  if (!listed) {
    if (listed.code() != ErrorCode::kNotFound) {
      problems.push_back(fmt::format("cannot list snapshots: {}", listed.message()));
    }
    seqs.clear();
    return seqs;
  }
  std::sort(seqs.begin(), seqs.end());
  return seqs;
}

Result<SnapshotFileInfo> read_snapshot_info(Syscalls& sys, const fs::path& dir,
                                            uint64_t seq_last) {
  const fs::path path = snapshot_path(dir, seq_last);
  auto file = File::open(sys, path, O_RDONLY);
  if (!file) return file.status();
  Bytes header(kSnapshotHeaderSize);
  auto n = file->read_at(0, header);
  if (!n) return n.status();
  auto size = file->size();
  if (!size) return size.status();
  header.resize(*n);
  auto meta = decode_snapshot_header(header);
  if (!meta) return corrupt(path, meta.status().message());
  if (meta->seq_last != seq_last) return corrupt(path, "its name and header disagree");
  return SnapshotFileInfo{*meta, path, *size};
}

SnapshotListing list_snapshots(Syscalls& sys, const fs::path& dir) {
  SnapshotListing listing;
  for (const uint64_t seq : snapshot_seqs(dir, listing.problems)) {
    auto info = read_snapshot_info(sys, dir, seq);
    if (info) {
      listing.snapshots.push_back(std::move(*info));
    } else {
      listing.problems.push_back(info.status().message());
    }
  }
  return listing;
}

Result<SnapshotPayload> SnapshotPayload::open(Syscalls& sys, const SnapshotFileInfo& info) {
  auto bytes = FileBytes::load(sys, info.path);
  if (!bytes) return bytes.status();
  SnapshotLayout layout;
  auto meta = decode_snapshot_header(*bytes, &layout);
  if (!meta) return corrupt(info.path, meta.status().message());
  const ByteView file = bytes->view();
  if (file.size() != layout.file_size()) {
    return corrupt(info.path,
                   fmt::format("{} bytes, its header says {}", file.size(), layout.file_size()));
  }
  SnapshotPayload payload;
  payload.path_ = info.path;
  payload.payload_ = file.subspan(layout.payload_at());
  if (layout.version < 2) {
    if (checksum(payload.payload_, 0) != layout.checksum) {
      return corrupt(info.path, "payload checksum mismatch");
    }
  } else {
    payload.sums_ = file.subspan(layout.table_at(), 8 * layout.blocks());
    if (checksum(payload.sums_, 0) != layout.checksum) {
      return corrupt(info.path, "block checksum table mismatch");
    }
    payload.checked_.assign(layout.blocks(), false);
  }
  payload.file_ = std::move(*bytes);
  return payload;
}

Result<ByteView> SnapshotPayload::read(uint64_t offset, uint64_t size) const {
  if (offset > payload_.size() || size > payload_.size() - offset) {
    return corrupt(path_, fmt::format("bytes {} to {} are past its payload of {}", offset,
                                      offset + size, payload_.size()));
  }
  if (!sums_.empty() && size > 0) {
    for (uint64_t b = offset / kSnapshotBlockBytes; b <= (offset + size - 1) / kSnapshotBlockBytes;
         ++b) {
      if (checked_[b]) continue;
      if (checksum(block_of(payload_, b), 0) != get<uint64_t>(sums_.data() + 8 * b)) {
        return corrupt(path_, fmt::format("payload block {} checksum mismatch", b));
      }
      checked_[b] = true;
    }
  }
  return payload_.subspan(offset, size);
}

Result<FileBytes> read_snapshot_payload(Syscalls& sys, const SnapshotFileInfo& info) {
  auto payload = SnapshotPayload::open(sys, info);
  if (!payload) return payload.status();
  LEDGER_RETURN_IF_ERROR(payload->all().status());
  const auto at = static_cast<size_t>(payload->payload_.data() - payload->file_.view().data());
  FileBytes bytes = std::move(payload->file_);
  bytes.drop_front(at);
  return bytes;
}

Result<LogPosition> check_against_log(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                      const SnapshotMeta& meta) {
  auto mismatch = [&meta](const std::string& what) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("snapshot at sequence {} does not match the log: {}", meta.seq_last,
                              what));
  };
  auto seg = std::lower_bound(segments.begin(), segments.end(), meta.segment_base,
                              [](const SegmentFile& s, uint64_t base) { return s.base_seq < base; });
  if (seg == segments.end() || seg->base_seq != meta.segment_base) {
    // Its segment may have been purged: then the segment after it names its last frame.
    auto next = std::find_if(segments.begin(), segments.end(), [&meta](const SegmentFile& s) {
      return s.base_seq == meta.seq_last + 1;
    });
    if (next == segments.end()) {
      return mismatch(fmt::format("segment {} is not there", segment_file_name(meta.segment_base)));
    }
    auto head = read_segment_head(sys, *next, kSegmentHeaderSize);
    if (!head) return head.status();
    auto header = decode_segment_header(*head);
    if (!header || header->prev_last_seq != meta.seq_last || header->prev_checksum != meta.chain) {
      return mismatch(fmt::format("segment {} does not continue from it",
                                  next->path.filename().string()));
    }
    return LogPosition{static_cast<size_t>(next - segments.begin()), 0, meta.seq_last + 1,
                       meta.chain, meta.recorded_ns};
  }
  auto source = SegmentSource::open(sys, *seg);  // Live or in the archive.
  if (!source) return source.status();
  Bytes bytes(kFrameHeaderSize);
  auto n = source->read_at(meta.frame_offset, bytes);
  if (!n) return n.status();
  bytes.resize(*n);
  auto header = decode_frame_header(bytes);
  if (!header) return mismatch(fmt::format("no frame at offset {}", meta.frame_offset));
  if (header->checksum != meta.chain || header->seq_last() != meta.seq_last ||
      header->recorded_ns != meta.recorded_ns ||
      meta.frame_offset + header->length != meta.next_offset) {
    return mismatch(fmt::format("the frame at offset {} of {} is another one", meta.frame_offset,
                                seg->path.filename().string()));
  }
  return LogPosition{static_cast<size_t>(seg - segments.begin()), meta.next_offset,
                     meta.seq_last + 1, meta.chain, meta.recorded_ns};
}

}  // namespace ledger::store
