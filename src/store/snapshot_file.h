#pragma once
// Snapshot files: the whole state at a frame boundary of the log, in one checksummed file
// `<dir>/snapshots/<seq_last, 20 digits>.snap`. The store knows only the frame the snapshot
// ends at and opaque payload bytes; what the payload means is the domain's business.
//
// Layout (little-endian), a 128-byte header, then (version 2) a table of the payload's block
// checksums, then the payload:
//    0  magic "LDGSNAP1"          8  format version u32     12  header size u32 (128)
//   16  seq_last u64             24  chain u64 (checksum of the frame ending at seq_last)
//   32  segment_base u64         40  frame_offset u64       48  next_offset u64
//   56  recorded_ns i64          64  effective_max_ns i64   72  created_ns i64
//   80  payload_size u64         88  checksum u64 (XXH3-64, seed 0) of the block table
//   96  refs_through u64        104  block size u32 (4096)  108  reader_flags u32
//  112  reserved, zero          120  header checksum u64 over [0, 120)
// The block table holds the XXH3-64 (seed 0) of each 4096-byte block of the payload (the last
// may be shorter), so that a reader checks only the blocks it reads: a question about one
// account binary-searches the state's table and reads a few pages of it, and checking all of
// it would cost more than the search (SnapshotPayload). Version 1, still read, had no table:
// the payload followed the header and the checksum at 88 was the whole payload's.
// A snapshot is written as temp file, fdatasync, rename, fsync of the directory; it is never
// trusted over the log: check_against_log() proves that the log still holds the very frame it
// was taken at (same place, sequence, recorded time and chained checksum).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/file.h"
#include "store/log_cursor.h"

namespace ledger::store {

inline constexpr size_t kSnapshotHeaderSize = 128;
inline constexpr const char* kSnapshotDirName = "snapshots";
inline constexpr const char* kSnapshotSuffix = ".snap";
inline constexpr uint64_t kSnapshotPayloadSizeMax = uint64_t{1} << 34;
inline constexpr uint32_t kSnapshotBlockBytes = 4096;
static_assert(kSnapshotHeaderSize == 128);

// The frame a snapshot ends at, and what it covers.
struct SnapshotMeta {
  uint64_t seq_last = 0;        // The last event the state includes.
  uint64_t chain = 0;           // Checksum of the frame that ends at seq_last.
  uint64_t segment_base = 0;    // The segment holding that frame (by its base sequence).
  uint64_t frame_offset = 0;    // Where that frame starts in it,
  uint64_t next_offset = 0;     // and where the frame after it starts.
  int64_t recorded_ns = 0;      // The frame's recorded time.
  int64_t effective_max_ns = INT64_MIN;  // Latest effective time of any event included.
  int64_t created_ns = 0;
  uint64_t refs_through = 0;    // Opaque to the store: how far a derived ref index reached.
  uint32_t reader_flags = 0;    // Opaque to the store: facts about the payload a reader may use.

  friend bool operator==(const SnapshotMeta&, const SnapshotMeta&) = default;
};

struct SnapshotFileInfo {
  SnapshotMeta meta;
  std::filesystem::path path;
  uint64_t size_bytes = 0;
};

// Where a snapshot file's payload lies and how it is checked, from its header.
struct SnapshotLayout {
  uint32_t version = 0;
  uint64_t payload_size = 0;
  uint64_t checksum = 0;  // Version 1: the payload's; version 2: the block table's.

  uint64_t blocks() const;
  uint64_t table_at() const { return kSnapshotHeaderSize; }
  uint64_t payload_at() const;
  uint64_t file_size() const { return payload_at() + payload_size; }
};

struct SnapshotListing {
  std::vector<SnapshotFileInfo> snapshots;  // Headers that check out, oldest first.
  std::vector<std::string> problems;        // One line per file that was skipped, and why.
};

std::filesystem::path snapshot_dir(const std::filesystem::path& dir);
std::filesystem::path snapshot_path(const std::filesystem::path& dir, uint64_t seq_last);
// The sequence number a snapshot file name carries, or nothing if the name is not one.
std::optional<uint64_t> parse_snapshot_file_name(std::string_view name);

Bytes encode_snapshot(const SnapshotMeta& meta, ByteView payload);
// The header alone; refuses a wrong magic, version or checksum.
Result<SnapshotMeta> decode_snapshot_header(ByteView bytes, SnapshotLayout* layout = nullptr);

Status write_snapshot(Syscalls& sys, const std::filesystem::path& dir, const SnapshotMeta& meta,
                      ByteView payload);
// The sequence numbers that the snapshot files of `dir` are named by, oldest first (leftover
// temp files are ignored); snapshot_path gives each file. Numbers, not paths: a ledger keeps
// about a hundred snapshots, a question reads the headers of a few, and building a path for
// each name was a measurable part of a one-account question.
std::vector<uint64_t> snapshot_seqs(const std::filesystem::path& dir,
                                    std::vector<std::string>& problems);
// The header of the snapshot of `dir` named by `seq_last` (snapshot_path), checked: magic,
// version, checksum, and that it holds the state through `seq_last`.
Result<SnapshotFileInfo> read_snapshot_info(Syscalls& sys, const std::filesystem::path& dir,
                                            uint64_t seq_last);
// Every snapshot's header, oldest first; the files that do not check out, in `problems`.
SnapshotListing list_snapshots(Syscalls& sys, const std::filesystem::path& dir);
// A snapshot's payload, mapped where `sys` maps files (else read whole). Each block is checked
// against its checksum the first time a read reaches it; a version 1 file is checked whole when
// opened. kCorruption names the file (and the block).
class SnapshotPayload {
 public:
  static Result<SnapshotPayload> open(Syscalls& sys, const SnapshotFileInfo& info);
  uint64_t size() const { return payload_.size(); }
  // Bytes [offset, offset + size) of the payload, which must lie inside it.
  Result<ByteView> read(uint64_t offset, uint64_t size) const;
  Result<ByteView> all() const { return read(0, size()); }

 private:
  friend Result<FileBytes> read_snapshot_payload(Syscalls& sys, const SnapshotFileInfo& info);

  FileBytes file_;
  ByteView payload_;
  ByteView sums_;                      // Version 2: 8 bytes a block; empty: checked whole.
  mutable std::vector<bool> checked_;  // Version 2: the blocks read and found good.
  std::filesystem::path path_;
};

// The whole payload, checked.
Result<FileBytes> read_snapshot_payload(Syscalls& sys, const SnapshotFileInfo& info);

// Proves that `segments` still hold the frame the snapshot ends at, and returns where the
// frames after it begin. kCorruption (with the reason) when they do not.
Result<LogPosition> check_against_log(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                      const SnapshotMeta& meta);

}  // namespace ledger::store
