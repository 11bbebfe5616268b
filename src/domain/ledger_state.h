#pragma once
// The materialized state of the whole ledger, and the aggregate's two functions:
//   decide(state, command, now) -> the event to record, "already recorded", or a refusal;
//   state.apply(event)          -> the next state; it never fails.
// Validation lives in decide, so replaying the same events always gives the same state.
//
// The effective timeline. Every event has a position: an opening the first instant of its day
// (an account is open for whole days, so it accepts every entry of its opening day); a dated
// deposit, withdrawal or transfer the first instant of its day; a dated closing the last
// instant of its day, or now if that day is today; an entry with a time of day that instant.
// Days are days of the ledger's time zone (the process's, see util/time.h). Events at the same
// position are ordered openings first, closings last, then by sequence (or import line). The
// rules hold at every position, not only at the head: an entry is accepted only if every
// account it touches is open at its position and never closed, and its running balance stays
// at or above minus the overdraft limit from there on; a closing needs a zero balance and no
// entry after it.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ledger/commands.h"
#include "domain/event_view.h"
#include "domain/events.h"
#include "domain/postings.h"
#include "ledger/money.h"
#include "ledger/status.h"

namespace ledger::domain {

// What replay touches for every event (the id it compares, the balance it moves) comes first and
// shares one cache line: the account table is read in random order, one miss per account.
// An account's latest posting is unknown when the state came from a version 1 snapshot.
inline constexpr int64_t kPostingTimeUnknown = INT64_MAX;

struct alignas(64) Account {
  std::string id;
  int64_t balance = 0;
  bool closed = false;
  int64_t overdraft_limit = 0;
  int64_t opened_effective_ns = 0;          // The first instant of its opening day.
  int64_t closed_effective_ns = INT64_MAX;  // Its closing's position, when closed.
  int64_t last_posting_ns = INT64_MIN;      // The latest position of its postings (none: MIN).
  std::string owner;
  Currency currency;
};

// The first instant of the day of `ns`: where an account opened at `ns` starts.
int64_t opening_day_start(int64_t ns);

// A posting of one account already in the log, as a backdated entry is checked against it.
struct LaterPosting {
  int64_t effective_ns = 0;
  uint64_t seq = 0;
  int64_t amount = 0;
};

// Where decide() finds an account's postings effective after a time, when the state alone
// cannot say (the entry is backdated before the account's latest posting). The app reads
// them from the log and its indexes.
class Timeline {
 public:
  virtual ~Timeline() = default;
  // The postings of `account` effective strictly after `after_ns`, in timeline order; valid
  // until the next call (an import asks for each of its backdated rows, and a copy of an
  // account's later postings for each cost more than the check itself on a large ledger).
  virtual Result<std::span<const LaterPosting>> postings_after(std::string_view account,
                                                               int64_t after_ns) const = 0;
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
  // Room for `more` refs beyond those held, so that a batch grows the table once.
  void reserve(size_t more);
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
  void grow(size_t slots);

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
  // Refs are kept by a 128-bit digest of their text: no allocation or string compare per ref,
  // and a collision (which would make a new ref look known) is beyond practical reach.
  struct RefId {
    uint64_t low = 0;
    uint64_t high = 0;
  };
  static RefId ref_id(std::string_view ref);

  // Queries need no ref index; only a state that decides does (it grows with refs).
  explicit LedgerState(bool track_refs = true) : track_refs_(track_refs) {}

  const Account* find(std::string_view id) const;
  // Every account, in the order they were opened (what a snapshot stores).
  const std::vector<Account>& accounts() const { return accounts_; }
  // The accounts moved out, for a caller done with the state (a listing of every account need
  // not copy ten thousand ids and owners); the state holds none after.
  std::vector<Account> take_accounts();
  // Every account, sorted by id so that every listing is stable.
  std::vector<const Account*> sorted_accounts() const;
  // A ref recorded since the state was loaded (in memory only).
  const RefEntry* find_ref(std::string_view ref) const;
  // Any ref: in memory, else in the archive if one is set.
  Result<std::optional<RefEntry>> lookup_ref(std::string_view ref) const;
  // Refs before the state's own events; the archive must outlive the state.
  void set_ref_archive(const RefArchive* archive) { ref_archive_ = archive; }
  // The postings behind the state, for backdated entries; it must outlive the state. Without
  // one, a backdated entry is checked against the state alone: its balance at the head, and
  // none of the postings after its date (verify checks those apart: app/timeline_check.h).
  void set_timeline(const Timeline* timeline) { timeline_ = timeline; }
  const Timeline* timeline() const { return timeline_; }
  uint64_t last_seq() const { return last_seq_; }
  // Holds only these accounts from now on: openings of others are passed over, and with them
  // their money (a question about one account need not build ten thousand). Such a state
  // answers for the accounts it holds and decides nothing.
  void hold_only(std::vector<std::string> ids) { held_ = std::move(ids); }
  bool holds(std::string_view id) const;
  const std::vector<std::string>& held() const { return held_; }
  // Tracks only these refs from now on: a state that decides one command looks up its own ref
  // and no other, so the refs of every other event since the snapshot need not be kept.
  void hold_refs_only(std::vector<std::string> refs) {
    held_refs_ = std::move(refs);
    refs_held_only_ = true;
  }
  bool holds_ref(std::string_view ref) const;
  // The refs it tracks after hold_refs_only(); nullptr: every ref.
  const std::vector<std::string>* held_refs() const {
    return refs_held_only_ ? &held_refs_ : nullptr;
  }

  // Replay's path: no allocation except for a new account (and a new ref when tracked).
  void apply(uint64_t seq, int64_t recorded_ns, int64_t effective_ns, const EventView& event);
  void apply(const EventAt& event) {
    apply(event.seq, event.recorded_ns, event.effective_ns, event.event);
  }
  void apply(const StoredEvent& event);
  // Whether `event` is one that decide() could have recorded on this state: the rules of the
  // timeline (open accounts, funds at every later position, a closing with nothing after it),
  // one currency, a ref used once, effective no later than recorded. Refuses (kCorruption)
  // naming the rule, the account and the date. `ledger verify` replays the log through it.
  // With `defer_funds` the balance rules are left to check_funds() at the end of the event's
  // commit (an import's rows at one position are checked together).
  Status check(const StoredEvent& event, bool defer_funds = false) const;

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
  // Room for `more` tracked refs: an import knows its rows before it applies them.
  void reserve_refs(size_t more) { refs_.reserve(more); }
  // How many refs the state tracks in memory, and forgetting them (once moved elsewhere: see
  // app/spilled_refs.h); the table keeps its room.
  size_t tracked_refs() const { return refs_.size(); }
  void clear_refs() { refs_.clear(); }
  // Calls f(low, high, entry) for every tracked ref: the two halves of the XXH3-128 digest of
  // its text, in no particular order.
  template <class F>
  void for_each_ref(F f) const {
    refs_.for_each(f);
  }

  // Up to three known ids close to `id` (edit distance, case folded: util/similar_words.h), best
  // first, for "did you mean".
  std::vector<std::string> similar_ids(std::string_view id) const;

 private:
  Account* find_mutable(std::string_view id);
  void open(const EventView& event, int64_t effective_ns);
  void post(std::string_view id, int64_t amount, int64_t effective_ns);

  bool track_refs_;
  const Timeline* timeline_ = nullptr;
  std::vector<Account> accounts_;
  std::vector<std::string> held_;  // Empty: every account.
  std::vector<std::string> held_refs_;
  bool refs_held_only_ = false;  // False: every ref is tracked.
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

// With `defer_funds`, the balance rules are left to a later check_funds() (an import checks a
// position's rows together, whatever their order in the file); every other rule still holds.
Result<Decision> decide(const LedgerState& state, const Command& command, int64_t now_ns,
                        bool defer_funds = false);
// The balance rules for `account` at position `at` and every later one, on `state` as it is:
// what decide() checks for a withdrawal, for entries already applied.
Status check_funds(const LedgerState& state, std::string_view account, int64_t at);
// The balance rules for `a` from position `at` on, given every posting of it effective after
// `at` (in timeline order) and its balance at the head (a.balance): what check_funds() checks
// once it has them from the state's timeline, for a caller that gathers them itself (verify).
Status check_funds(const Account& a, int64_t at, std::span<const LaterPosting> later);
// The refusal of a closing of `a` at `at` when its first entry after that is at
// `first_later_ns`.
Status closing_before_entry(const Account& a, int64_t at, int64_t first_later_ns);
// The accounts whose money a command moves (views into it), for check_funds.
struct MovedAccounts {
  std::string_view items[2];
  size_t count = 0;
  const std::string_view* begin() const { return items; }
  const std::string_view* end() const { return items + count; }
};
MovedAccounts accounts_moved(const Command& command);
// Every account a command names: what deciding it reads of the state.
MovedAccounts accounts_named(const Command& command);

// Where a command's event would sit on the timeline, and its rank there (openings first,
// closings last): the order in which an import checks and applies its rows.
struct TimelineKey {
  int64_t position = 0;
  int rank = 1;
  friend auto operator<=>(const TimelineKey&, const TimelineKey&) = default;
};
TimelineKey timeline_key(const Command& command, int64_t now_ns);

}  // namespace ledger::domain
