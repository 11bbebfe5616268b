#pragma once
// Opening a log for writing: find the end of the last complete commit, and cut off what stands
// after it (a torn frame, garbage past the tail, the frames of an unfinished commit, even one
// spanning a segment roll). Damage followed by good data is corruption: nothing is cut and the
// open fails, naming the place.

#include <filesystem>
#include <string>
#include <vector>

#include "store/log_cursor.h"

namespace ledger::store {

struct RecoveryReport {
  bool cut = false;
  uint64_t bytes_cut = 0;
  uint64_t frames_cut = 0;  // Whole frames of an unfinished commit that were dropped.
  uint64_t events_cut = 0;
  uint64_t segments_removed = 0;
  std::string reason;  // Why the tail was not a clean end, if it was not.

  // "recovered: cut 120 bytes at the tail (...)", or empty when nothing was cut.
  std::string describe() const;
};

struct RecoveredLog {
  std::vector<SegmentFile> segments;  // After the cut.
  LogPosition end;                    // The end of the last complete commit.
};

Result<RecoveredLog> recover_log(Syscalls& sys, const std::filesystem::path& dir,
                                 RecoveryReport& report);

// Cuts the log back to `end_offset` in the last of its first `keep` segments: the segments after
// those are deleted, newest first, and their indexes with them. Recovery uses it, and so does a
// writer that abandons a commit.
Status cut_log_back(Syscalls& sys, const std::filesystem::path& dir,
                    std::vector<SegmentFile>& segments, size_t keep, uint64_t end_offset,
                    RecoveryReport& report);

}  // namespace ledger::store
