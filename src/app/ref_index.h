#pragma once
// The ledger-wide ref index on disk: every idempotency ref with the digest of its content and
// its event's sequence number, as a run set (store/run_set.h) in <dir>/refs/, covering events
// 1..N. A writer loads a snapshot taken at or before N, keeps the refs of later events in
// memory, and asks this index for the rest, so that a single write neither replays the log nor
// holds every ref in memory. It is derived data: a set that does not open is rebuilt from the
// log; `ledger verify` checks it.

#include <filesystem>
#include <optional>

#include "domain/ledger_state.h"
#include "store/run_set.h"

namespace ledger::app {

inline constexpr const char* kRefIndexDirName = "refs";

// How much a writer checks the index before it trusts it.
enum class RefCheck {
  kTrust,    // Headers only: a damaged block shows up in the lookup that reads it.
  kVerify,   // Every block (an import looks up many refs).
  kRebuild,  // Start again from the log (a lookup found damage).
};

// Lookups that fail say so with this prefix, so that a writer can rebuild and try again.
inline constexpr std::string_view kRefIndexErrorPrefix = "ref index: ";

class SpilledRefs;

class RefIndex : public domain::RefArchive {
 public:
  // The index of `dir`. One that is damaged, that does not fit a log of `last_seq` events, or
  // that is to be rebuilt is deleted and starts empty: `rebuilt` says so, and why.
  static Result<RefIndex> open_for_writing(const std::filesystem::path& dir, uint64_t last_seq,
                                           RefCheck check, std::string& rebuilt);
  static Result<RefIndex> open(const std::filesystem::path& dir);

  uint64_t covered_through() const { return runs_.covered_through(); }
  Result<std::optional<domain::RefEntry>> find(uint64_t low, uint64_t high) const override;
  // Adds the refs of `state`, and those an import moved out of it into `spilled`, recorded
  // after covered_through(), up to event `seq_last`.
  Status add_from(const domain::LedgerState& state, uint64_t seq_last,
                  const SpilledRefs* spilled = nullptr);
  Status verify() const { return runs_.verify(); }
  // A failed read of the index as a lookup reports it (damage: kIndexDamaged, to rebuild).
  static Status failed(const Status& read);
  const store::RunSet& runs() const { return runs_; }

 private:
  explicit RefIndex(store::RunSet runs) : runs_(std::move(runs)) {}
  store::RunSet runs_;
};

}  // namespace ledger::app
