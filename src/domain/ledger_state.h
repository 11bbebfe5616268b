#pragma once
// The materialized state of the whole ledger, and the aggregate's two functions:
//   decide(state, command, now) -> the event to record, "already recorded", or a refusal;
//   state.apply(event)          -> the next state; it never fails.
// Validation lives in decide, so replaying the same events always gives the same state.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/commands.h"
#include "domain/events.h"
#include "ledger/money.h"
#include "ledger/status.h"

namespace ledger::domain {

struct Account {
  std::string id;
  std::string owner;
  Currency currency;
  int64_t overdraft_limit = 0;
  int64_t balance = 0;
  bool closed = false;
  int64_t opened_effective_ns = 0;
};

struct RefEntry {
  uint64_t digest = 0;
  uint64_t seq = 0;
};

class LedgerState {
 public:
  // Queries need no ref index; only a state that decides does (it grows with refs).
  explicit LedgerState(bool track_refs = true) : track_refs_(track_refs) {}

  const Account* find(std::string_view id) const;
  // Every account, sorted by id so that every listing is stable.
  std::vector<const Account*> sorted_accounts() const;
  const RefEntry* find_ref(std::string_view ref) const;
  uint64_t last_seq() const { return last_seq_; }

  void apply(const StoredEvent& event);
  // Whether `event` is one that decide() could have recorded on this state: what apply()
  // relies on (its accounts exist) and the rules that held when it was decided (open accounts,
  // funds, one currency, a ref used once, effective no later than recorded). Refuses
  // (kCorruption) naming the rule. `ledger verify` replays the log through it.
  Status check(const StoredEvent& event) const;

  // Up to three known ids close to `id` (edit distance), best first, for "did you mean".
  std::vector<std::string> similar_ids(std::string_view id) const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  Account& account(const std::string& id) { return accounts_.find(id)->second; }

  // Refs are kept by a 128-bit digest of their text: no allocation or string compare per ref,
  // and a collision (which would make a new ref look known) is beyond practical reach.
  struct RefId {
    uint64_t low = 0;
    uint64_t high = 0;
    friend bool operator==(const RefId&, const RefId&) = default;
  };
  struct RefIdHash {
    size_t operator()(const RefId& id) const { return static_cast<size_t>(id.low); }
  };
  static RefId ref_id(std::string_view ref);

  bool track_refs_;
  std::unordered_map<std::string, Account, Hash, std::equal_to<>> accounts_;
  std::unordered_map<RefId, RefEntry, RefIdHash> refs_;
  uint64_t last_seq_ = 0;
};

struct PendingEvent {
  int64_t effective_ns = 0;
  Event event;
};

struct Decision {
  std::optional<PendingEvent> event;  // Empty when already recorded.
  uint64_t recorded_seq = 0;          // When already recorded: where.
};

// 1 to 64 characters of A-Z a-z 0-9 . _ : -
Status validate_account_id(std::string_view id);

Result<Decision> decide(const LedgerState& state, const Command& command, int64_t now_ns);

}  // namespace ledger::domain
