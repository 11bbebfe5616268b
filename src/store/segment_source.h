#pragma once
// Where a segment's bytes come from: a live segment file, read in place, or an archived one
// (<dir>/archive/<name>.zst), decompressed whole into memory on first access and checked against
// its archive header before anything of it is used. Readers see the same bytes either way.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "store/file.h"

namespace ledger::store {

struct SegmentFile {
  uint64_t base_seq = 0;
  std::filesystem::path path;
  bool archived = false;  // path is <dir>/archive/<name>.zst.

  friend bool operator==(const SegmentFile&, const SegmentFile&) = default;
};

std::filesystem::path live_segment_path(const std::filesystem::path& dir, uint64_t base_seq);
std::filesystem::path archived_segment_path(const std::filesystem::path& dir, uint64_t base_seq);
// The data directory that holds a segment (for an archived one, the parent of archive/).
std::filesystem::path data_dir_of(const SegmentFile& segment);
// "00000000000000000001.seg" or "archive/00000000000000000001.seg.zst", for messages.
std::string display_name(const std::filesystem::path& path);

// The bytes of one segment, live or archived.
class SegmentSource {
 public:
  // A live segment that is gone (a compaction archived it after the caller listed the
  // directory) is read from its archive copy instead.
  static Result<SegmentSource> open(Syscalls& sys, const SegmentFile& segment);

  // Reads up to dst.size() bytes at `offset`; fewer only at the end of the segment.
  Result<size_t> read_at(uint64_t offset, std::span<unsigned char> dst) const;
  Result<uint64_t> size() const;
  bool is_open() const { return file_.is_open() || bytes_ != nullptr; }
  // A hint that [offset, offset + length) will be read soon: the kernel starts reading it from
  // the disk now, alongside the other ranges hinted, instead of one read waiting after another.
  // Changes nothing a reader sees; nothing for an archived segment (already in memory).
  void will_need(uint64_t offset, uint64_t length) const;
  // Whether the byte at `offset` is in memory now (File::cached; an archived segment always is).
  bool cached(uint64_t offset) const;

 private:
  File file_;                           // A live segment.
  std::shared_ptr<const Bytes> bytes_;  // An archived segment, decompressed.
};

// The archive file for `segment`: the archive header, then one zstd frame of its bytes.
Bytes compress_segment(ByteView segment, int level);
// The segment held by archive file bytes, checked against the archive header (size and XXH3).
// Errors are kCorruption and do not name the file; the callers below do.
Result<Bytes> decompress_segment(ByteView archive_bytes);
// Reads and decompresses a whole archive file; errors name it.
Result<Bytes> read_archived_segment(Syscalls& sys, const std::filesystem::path& path);
// The first `n` bytes of a segment (fewer if it is shorter), without decompressing all of an
// archived one. Not checked against the archive's checksum: the caller checks what it reads.
Result<Bytes> read_segment_head(Syscalls& sys, const SegmentFile& segment, size_t n);
// The size of a segment's bytes: for an archived one, the uncompressed size its header records.
Result<uint64_t> segment_size(Syscalls& sys, const SegmentFile& segment);

}  // namespace ledger::store
