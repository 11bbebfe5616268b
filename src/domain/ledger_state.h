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
#include "domain/event_view.h"
#include "domain/events.h"
#include "ledger/money.h"
#include "ledger/status.h"

namespace ledger::domain {

// What replay touches for every event (the id it compares, the balance it moves) comes first and
// shares one cache line: the account table is read in random order, one miss per account.
struct alignas(64) Account {
  std::string id;
  int64_t balance = 0;
  bool closed = false;
  int64_t overdraft_limit = 0;
  int64_t opened_effective_ns = 0;
  std::string owner;
  Currency currency;
};

struct RefEntry {
  uint64_t digest = 0;
  uint64_t seq = 0;
};

// Where each account id stands in LedgerState's account vector: open addressing with linear
// probing over slots of (hash tag, index). It keeps no copy of the ids (they live in the
// accounts) and finds a string_view without allocating.
class AccountIndex {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  uint32_t find(std::string_view id, const std::vector<Account>& accounts) const;
  // `id` must not be in the index yet; it is accounts[index].id.
  void insert(std::string_view id, uint32_t index);
  void rebuild(const std::vector<Account>& accounts);

 private:
  struct Slot {
    uint32_t tag = 0;            // The low half of the id's XXH3-64.
    uint32_t index = kNotFound;  // kNotFound: empty.
  };
  void put(Slot slot);
  void grow();

  std::vector<Slot> slots_;  // A power of two in size, at most half full.
  size_t size_ = 0;
};

// Refs by the 128-bit XXH3 digest of their text, in one flat table (open addressing, linear
// probing, at most 3/4 full): replay of a write path inserts one per event, and a node-based map
// allocated for each. Sequence numbers start at 1, so an entry with seq 0 marks an empty slot.
class RefTable {
 public:
  const RefEntry* find(uint64_t low, uint64_t high) const;
  void insert_or_assign(uint64_t low, uint64_t high, const RefEntry& entry);
  void clear();
  size_t size() const { return size_; }
  template <class F>
  void for_each(F f) const {
    for (const Slot& slot : slots_) {
      if (slot.entry.seq != 0) f(slot.low, slot.high, slot.entry);
    }
  }

 private:
  struct Slot {
    uint64_t low = 0;
    uint64_t high = 0;
    RefEntry entry;
  };
  Slot& slot_for(uint64_t low, uint64_t high);
  void grow();

  std::vector<Slot> slots_;  // A power of two in size.
  size_t size_ = 0;
};

// Refs that a state does not hold in memory: those before its snapshot, kept in the ref index
// (app/ref_index.h). Looked up by the two halves of the XXH3-128 digest of the ref's text.
class RefArchive {
 public:
  virtual ~RefArchive() = default;
  virtual Result<std::optional<RefEntry>> find(uint64_t low, uint64_t high) const = 0;
};

class LedgerState {
 public:
  // Queries need no ref index; only a state that decides does (it grows with refs).
  explicit LedgerState(bool track_refs = true) : track_refs_(track_refs) {}

  const Account* find(std::string_view id) const;
  // Every account, in the order they were opened (what a snapshot stores).
  const std::vector<Account>& accounts() const { return accounts_; }
  // Every account, sorted by id so that every listing is stable.
  std::vector<const Account*> sorted_accounts() const;
  // A ref recorded since the state was loaded (in memory only).
  const RefEntry* find_ref(std::string_view ref) const;
  // Any ref: in memory, else in the archive if one is set.
  Result<std::optional<RefEntry>> lookup_ref(std::string_view ref) const;
  // Refs before the state's own events; the archive must outlive the state.
  void set_ref_archive(const RefArchive* archive) { ref_archive_ = archive; }
  uint64_t last_seq() const { return last_seq_; }

  // Replay's path: no allocation except for a new account (and a new ref when tracked).
  void apply(uint64_t seq, int64_t recorded_ns, int64_t effective_ns, const EventView& event);
  void apply(const EventAt& event) {
    apply(event.seq, event.recorded_ns, event.effective_ns, event.event);
  }
  void apply(const StoredEvent& event);
  // Whether `event` is one that decide() could have recorded on this state: what apply()
  // relies on (its accounts exist) and the rules that held when it was decided (open accounts,
  // funds, one currency, a ref used once, effective no later than recorded). Refuses
  // (kCorruption) naming the rule. `ledger verify` replays the log through it.
  Status check(const StoredEvent& event) const;

  // For a snapshot codec: put back what accounts() and for_each_ref() gave, restore() first
  // (it drops every ref), then restore_ref() for each ref.
  void restore(std::vector<Account> accounts, uint64_t last_seq);
  void restore_ref(uint64_t low, uint64_t high, const RefEntry& entry);
  // Adds a posting's signed amount to the account at `index` of accounts(), for callers that
  // sum postings from an index instead of applying their events.
  void add_to_balance(size_t index, int64_t amount) { accounts_[index].balance += amount; }
  // Remembers a ref of an event that the state itself does not include (it is older than the
  // state's snapshot but newer than the ref index's reach).
  void track_ref(std::string_view ref, const RefEntry& entry);
  void set_last_seq(uint64_t seq) { last_seq_ = seq; }
  // Calls f(low, high, entry) for every tracked ref: the two halves of the XXH3-128 digest of
  // its text, in no particular order.
  template <class F>
  void for_each_ref(F f) const {
    refs_.for_each(f);
  }

  // Up to three known ids close to `id` (edit distance), best first, for "did you mean".
  std::vector<std::string> similar_ids(std::string_view id) const;

 private:
  Account* find_mutable(std::string_view id);
  void open(const EventView& event, int64_t effective_ns);

  // Refs are kept by a 128-bit digest of their text: no allocation or string compare per ref,
  // and a collision (which would make a new ref look known) is beyond practical reach.
  struct RefId {
    uint64_t low = 0;
    uint64_t high = 0;
  };
  static RefId ref_id(std::string_view ref);

  bool track_refs_;
  std::vector<Account> accounts_;
  AccountIndex index_;
  RefTable refs_;
  const RefArchive* ref_archive_ = nullptr;
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
