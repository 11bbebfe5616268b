#pragma once
// State at a point of time travel, from the newest snapshot that can serve it plus the frames
// after it that can matter (docs/architecture.md). Snapshots are derived data: one that is damaged or
// does not match the log is skipped with a warning, never trusted; without any, the log is read
// from its start.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "store/log_cursor.h"
#include "store/snapshot_file.h"

namespace ledger::app {

// A purged log begins after event 1; what came before is only in the snapshots from then on.
struct PurgeBase {
  uint64_t first_seq = 1;             // The first event the log still holds.
  store::SnapshotFileInfo snapshot;  // The oldest usable snapshot at or after the purge point.
};

struct LoadedState {
  domain::LedgerState state{false};
  std::optional<store::FrameMark> last_frame;  // The frame the state ends at; none: empty log.
  int64_t effective_max_ns = INT64_MIN;        // Over every event the state includes.
  uint64_t snapshot_seq = 0;                   // The snapshot it started from; 0: none.
  uint64_t events_read = 0;                    // Events decoded after the snapshot.
  std::vector<std::string> warnings;           // Snapshots skipped, and why.
  // With LoadOptions::only_accounts and by_index_key: another account (in the snapshot or in
  // the events read) has the 64-bit index key (account_key) of one of them, so their indexes
  // cannot serve.
  bool key_shared = false;
  // The location holds no segment file: no ledger is there (a query says so, exit 66).
  bool no_ledger = false;
};

struct LoadOptions {
  Cutoffs cutoffs;
  bool track_refs = false;     // Only a state that decides needs the ref index.
  bool use_snapshots = true;
  // With track_refs: the ref index holds the refs of events up to here; the refs of later
  // events are loaded into the state, those before its snapshot included.
  std::optional<uint64_t> refs_known_through;
  // Not empty: a state of these accounts alone (LedgerState::hold_only), read from a version 3
  // snapshot by binary search, for questions about a few accounts and commands that name them.
  std::vector<std::string> only_accounts = {};
  // With only_accounts: the caller reads account indexes by key, so LoadedState::key_shared
  // must be known (finding it hashes every id of the snapshot).
  bool by_index_key = false;
  // With track_refs and only_accounts: the refs of the one command the state decides (none, if
  // it has no ref). Only these are tracked, so the frames that name neither these refs nor the
  // accounts are passed over like a query's.
  std::optional<std::vector<std::string>> only_refs = std::nullopt;
  // A time series (app/balance_series.h) in the same one pass: no snapshot holding an event
  // effective after `snapshot_effective_max_ns` is used, and `observe` sees every event the
  // state applies after its snapshot, in log order, so that it can bucket their postings by
  // period. With `observe`, the log is read (the account indexes give no events).
  std::optional<int64_t> snapshot_effective_max_ns = std::nullopt;
  const std::function<void(const domain::EventAt&)>* observe = nullptr;
  // The state of the snapshot chosen, and none of the events after it (an empty state, with
  // snapshot_seq 0, when none serves): for a caller that reads those events by index itself.
  bool snapshot_only = false;
  // The log's segments as a writer that holds the lock knows them (LogWriter::segments()), so
  // that they are not listed again; null: listed here.
  const std::vector<store::SegmentFile>* segments = nullptr;
};

Result<LoadedState> load_state(const std::filesystem::path& dir, const LoadOptions& options);

// Nothing when the log was never purged; else where it begins, and the snapshot that stands for
// everything before (kCorruption if none can).
Result<std::optional<PurgeBase>> purge_base(const std::filesystem::path& dir,
                                            const std::vector<store::SegmentFile>& segments);
// "history before T was purged": the cutoffs reach before what `base` can answer. The books as
// of T itself (--at T, --known-at T) can still be told: the snapshot holds all of T.
Status purged_before(const PurgeBase& base, const Cutoffs& cutoffs);
// "history up to and including T was purged": for a period that starts at or before T, whose
// entries at T itself are gone with the rest (a statement --from T lists them, one by one).
Status purged_through(const PurgeBase& base);
// The state a snapshot file holds (checked: checksums, sequence).
Result<domain::LedgerState> read_snapshot_state(const store::SnapshotFileInfo& info);

// A snapshot encoded in memory, to be written once the frame it ends at is durable.
struct PendingSnapshot {
  store::SnapshotMeta meta;
  std::string payload;
};

// The whole `state`, which must be the state right after `frame` (no cutoffs).
Result<PendingSnapshot> prepare_snapshot(const domain::LedgerState& state,
                                         const store::FrameMark& frame, int64_t effective_max_ns);
Status write_snapshot(const std::filesystem::path& dir, const PendingSnapshot& snapshot);
// The last event the newest snapshot covers (by file name only); 0 when there is none.
uint64_t newest_snapshot_seq(const std::filesystem::path& dir);

// Deletes snapshots by the retention rule (see the .cpp); returns how many it deleted.
Result<size_t> thin_snapshots(const std::filesystem::path& dir, uint64_t every_events);

}  // namespace ledger::app
