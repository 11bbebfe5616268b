#pragma once
// The time index: for every segment, its sequence, recorded-time and effective-time ranges, and
// a sparse list of frame boundaries (one every kIndexStrideBytes) with the ranges of the block
// that each starts. Queries by time binary-search segments and blocks instead of reading
// frames. Indexes are derived data: a sealed segment's index is kept in <segment>.idx, rebuilt
// whenever it is missing or does not match the segment, and never trusted over the log.

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "store/log_cursor.h"

namespace ledger::store {

inline constexpr uint64_t kIndexStrideBytes = 64u << 10;
inline constexpr const char* kIndexSuffix = ".idx";
// Every file derived from one segment and named after it: the time index, and the account
// indexes that the app keeps (app/account_index.h), and the Merkle tree's stored nodes
// (store/segment_tree.h). The store knows only that they must not outlive their segment.
inline constexpr std::array<const char*, 4> kSegmentDerivedSuffixes = {".idx", ".acx", ".eff",
                                                                       ".tre"};

// A frame boundary, and the block of frames from it to the next entry.
struct IndexEntry {
  LogPosition position;            // segment is filled in by TimeIndex.
  int64_t recorded_first_ns = 0;   // Recorded time of the block's first frame.
  int64_t effective_min_ns = 0;    // Over the block's events.
  int64_t effective_max_ns = 0;

  friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
};

struct SegmentIndex {
  uint64_t base_seq = 0;
  uint64_t file_size = 0;     // The segment's size when indexed: a different size means stale.
  uint64_t frames = 0;
  uint64_t seq_last = 0;      // base_seq - 1 when the segment holds no frame.
  uint64_t chain_last = 0;    // Checksum of the last frame (the header's prev_checksum if none).
  int64_t recorded_min_ns = INT64_MAX;
  int64_t recorded_max_ns = INT64_MIN;
  int64_t effective_min_ns = INT64_MAX;
  int64_t effective_max_ns = INT64_MIN;
  std::vector<IndexEntry> entries;

  bool empty() const { return frames == 0; }
  friend bool operator==(const SegmentIndex&, const SegmentIndex&) = default;
};

// Reads segment `index` frame by frame and indexes it.
Result<SegmentIndex> build_segment_index(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                         size_t index);
Bytes encode_segment_index(const SegmentIndex& index);
Result<SegmentIndex> decode_segment_index(ByteView bytes);
// A live segment's derived files (.idx, and the app's .acx and .eff) are kept in <dir>/index/,
// not beside it: every command lists the data directory, and a listing on ext4 costs per name
// (it sorts them all by hash); at 10M events the three derived files of each segment made the
// listing four times longer.
inline constexpr const char* kIndexDirName = "index";
// <dir>/index/<digits>.idx for a live segment, <dir>/archive/<digits>.idx for an archived one.
std::filesystem::path index_path(const SegmentFile& segment);
// Creates the folder of index_path(segment) if it is missing.
Status create_index_dir(Syscalls& sys, const SegmentFile& segment);
// A sealed segment's stored time index, if there is one that describes the segment file as it
// is now (its checksum, sequence base and file size); nothing otherwise.
std::optional<SegmentIndex> load_stored_index(Syscalls& sys, const SegmentFile& segment);
// Stores a sealed segment's time index; best effort (derived data: a reader rebuilds it).
void store_segment_index(Syscalls& sys, const SegmentFile& segment, const SegmentIndex& index);
// Deletes the *.tmp files a crash left in <dir>/index/ (recovery does not list that folder).
void remove_index_temp_files(Syscalls& sys, const std::filesystem::path& dir);
// Drops a segment's index before the segment is cut or deleted, so that no index outlives the
// bytes it describes (a segment of the same name may be written again later).
void forget_segment_index(Syscalls& sys, const SegmentFile& segment);

// A half-open range of the log: frames from `from` up to, not including, `to`.
struct LogRange {
  LogPosition from;
  LogPosition to;
};

class TimeIndex {
 public:
  // Loads the index of every segment; rebuilds (and, for sealed segments on the write path,
  // stores) what is missing or stale. The newest segment is still growing, so it is indexed in memory only.
  // With `newest_is_active` false, every listed segment is sealed (the caller left the active
  // one out) and all are indexed from their stored index files.
  // With `store_rebuilt` false (a query: readers only read), a rebuilt index is used and not
  // stored.
  static Result<TimeIndex> load(Syscalls& sys, std::vector<SegmentFile> segments,
                                bool newest_is_active = true, bool store_rebuilt = true);

  const std::vector<SegmentFile>& segment_files() const { return files_; }
  const std::vector<SegmentIndex>& segments() const { return segments_; }
  // How many sealed segments had to be (re)indexed by load().
  size_t rebuilt() const { return rebuilt_; }

  // Where to start reading to meet the first frame recorded after `t` (frames before the
  // returned position are all recorded at or before `t`). The end of the log if none is.
  LogPosition seek_recorded_after(int64_t t) const;
  // The blocks that can hold an event effective at or before `t`, in log order, merged where
  // adjacent. Everything outside them is effective after `t`.
  std::vector<LogRange> ranges_effective_at_or_before(int64_t t) const;
  LogPosition end() const;

 private:
  std::vector<SegmentFile> files_;
  std::vector<SegmentIndex> segments_;
  size_t rebuilt_ = 0;
};

}  // namespace ledger::store
