#pragma once
// The app's checks of derived data for `ledger verify`: snapshots (compared with the replay as
// it reaches each one), the ledger-wide ref index, and the per-segment account indexes. Like the
// store's checks they report every problem into a VerifyReport and write nothing.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "domain/ledger_state.h"
#include "store/log_cursor.h"
#include "store/snapshot_file.h"
#include "store/verify.h"
#include "util/external_sort.h"

namespace ledger::app {

// Where a purged log's replay starts: the state of a snapshot at or after the purge point.
struct ReplayStart {
  domain::LedgerState state{false};
  uint64_t seq = 0;  // The last event the state includes; the replay applies later ones.
  int64_t effective_max_ns = INT64_MIN;
};

// Every snapshot file, checked in one pass with the replay: headers, payload checksums and the
// frame each ends at up front (prepare); the state itself when the replay reaches its sequence
// number (reached), so that only one snapshot's state is decoded at a time.
class SnapshotCheck {
 public:
  // `start`: where the log begins (after a purge, the first segment's first sequence and the
  // chain before it), to recognise a snapshot that ends exactly at the purge point.
  void prepare(store::Syscalls& sys, const std::filesystem::path& dir,
               const std::vector<store::SegmentFile>& segments,
               const std::optional<store::LogPosition>& start, store::VerifyReport& report);
  // For a purged log: the oldest usable snapshot at or after the purge point, decoded. Its own
  // comparison is then moot (the replay starts from it); later ones are compared as usual.
  std::optional<ReplayStart> take_start(uint64_t first_seq, store::VerifyReport& report);
  // The replay has applied every event through `seq`. When it is `incomplete` (events before
  // were lost to damage already reported), a snapshot is not compared: its differences would
  // be consequences of that damage, not its own.
  void reached(uint64_t seq, const domain::LedgerState& state, int64_t effective_max_ns,
               bool incomplete, store::VerifyReport& report);
  // Snapshots the replay never reached (their sequence is past the log's end, or not at a
  // frame boundary).
  void finish(store::VerifyReport& report);

  uint64_t listed() const { return listed_; }
  uint64_t compared() const { return compared_; }
  uint64_t not_compared() const { return not_compared_; }
  // Problems this check added to the report, so that the replay can tell the log's apart.
  uint64_t problems_added() const { return problems_added_; }

 private:
  void compare(const store::SnapshotFileInfo& info, const domain::LedgerState& state,
               int64_t effective_max_ns, store::VerifyReport& report);
  void problem(store::VerifyReport& report, const store::SnapshotFileInfo& info, std::string what);

  store::Syscalls* sys_ = nullptr;
  std::vector<store::SnapshotFileInfo> waiting_;  // Sorted by seq_last; next_ is the next due.
  size_t next_ = 0;
  uint64_t listed_ = 0;
  uint64_t compared_ = 0;
  uint64_t not_compared_ = 0;
  uint64_t problems_added_ = 0;
};

// A ref the replay saw: the XXH3-128 digest of its text, its content digest, its event.
struct RefSeen {
  uint64_t low = 0;
  uint64_t high = 0;
  uint64_t digest = 0;
  uint64_t seq = 0;
};
// By key (high, low), the ref index's order, then by event.
struct RefSeenOrder {
  bool operator()(const RefSeen& a, const RefSeen& b) const {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    return a.seq < b.seq;
  }
};
// Every ref of a replay, in that order. A ledger of ten million refs holds 320 MB of them: they
// wait in a scratch file, and memory stays at the sorter's buffer.
using RefsSeen = util::ExternalSort<RefSeen, RefSeenOrder>;

// The ref index of `dir` against the refs the replay saw (finished; only those of events after
// `seq_known_after` are known, the earlier ones were purged): every
// block of every run, its coverage, and run by run that it holds exactly the refs of its
// events. `seq_last`: the last event of the log. Without `replay_complete` (events were lost
// to damage) the refs are not compared, only the runs' blocks and coverage. Returns how far the
// index reaches (0: none), or the error of a scratch file that failed.
Result<uint64_t> verify_ref_index(const std::filesystem::path& dir, const RefsSeen& refs,
                          uint64_t seq_known_after, uint64_t seq_last, bool replay_complete,
                          store::VerifyReport& report);

// Every account index (.acx) of a sealed or archived segment against one built from the
// segment in a temporary directory outside the data directory. Segments the log check found
// damaged are skipped. `progress` is told the segment bytes done. Returns how many it compared.
uint64_t verify_account_indexes(store::Syscalls& sys,
                                const std::vector<store::SegmentFile>& segments,
                                const std::function<void(uint64_t)>& progress,
                                store::VerifyReport& report);

}  // namespace ledger::app
