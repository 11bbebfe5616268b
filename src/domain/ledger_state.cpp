#include "domain/ledger_state.h"

// Inlined: hashing an account id is on the replay path of every event.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cassert>
#include <type_traits>
#include <fmt/format.h>

#include "util/similar_words.h"
#include "util/utf8.h"
#include "util/time.h"

namespace ledger::domain {

namespace {

Status refused(std::string message, ErrorField field = ErrorField::kNone) {
  return {ErrorCode::kRefused, std::move(message), field};
}
Status invalid(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }

// The content a ref stands for: the same ref with the same content is a retry. The effective
// time counts only when the user gave one; "now" differs on every retry.
uint64_t content_digest(const std::string& canonical) {
  return XXH3_64bits(canonical.data(), canonical.size());
}

// A dated command's effective time in its ref digest is the end of its day, as version 1 kept
// it, so that a retry across the upgrade still matches in a ledger kept in one zone.
std::string canonical(std::string_view op, std::initializer_list<std::string_view> fields,
                      const std::optional<EffectiveTime>& effective) {
  std::string text(op);
  for (std::string_view f : fields) {
    text += '\x1f';
    text += f;
  }
  text += '\x1f';
  if (effective) text += std::to_string(effective->date ? util::end_of_day(effective->ns) : effective->ns);
  return text;
}

// For people: a day's first or last instant (an entry's or a closing's date) reads as the date.
std::string when(int64_t ns) {
  return util::is_day_start(ns) ? util::format_date(ns) : util::format_effective(ns, false, true);
}

std::string money_text(int64_t minor, const Account& a) {
  return fmt::format("{} {}", format_amount(minor, a.currency.decimals), a.currency.code);
}

// The rules of the timeline, for decide() (commands) and check() (stored events, by verify).
// Each returns a refusal (kRefused) whose message names the account and the date.
class Rules {
 public:
  explicit Rules(const LedgerState& state, bool defer_funds = false)
      : state_(state), defer_funds_(defer_funds) {}

  // `account` may take a posting of `amount` (signed) at position `at`.
  Status posting(const Account& a, int64_t at, int64_t amount) const {
    if (at < a.opened_effective_ns) {
      return refused(fmt::format("date {} is before account \"{}\" was opened ({})", when(at),
                                 a.id, when(a.opened_effective_ns)),
                     ErrorField::kDate);
    }
    if (a.closed) {
      return refused(fmt::format("account \"{}\" is closed (since {}): it takes no money at any "
                                 "date",
                                 a.id, when(a.closed_effective_ns)),
                     ErrorField::kAccount);
    }
    if (defer_funds_) return Status::ok();
    return funds(a, at, amount);
  }

  // The balance rules alone: from `at` on, with `amount` added there, the running balance
  // stays at or above minus the limit (a deposit, which cannot lower it, only within 64 bits).
  Status funds(const Account& a, int64_t at, int64_t amount) const {
    const bool deposit = amount > 0;
    if (at >= a.last_posting_ns) {
      return balance_ok(a, at, static_cast<__int128>(a.balance) + amount, deposit);
    }
    // Without the postings after `at` nothing can be said of the balance there.
    if (state_.timeline() == nullptr) return Status::ok();
    auto later = state_.timeline()->postings_after(a.id, at);
    if (!later) return later.status();
    return funds_after(a, at, amount, *later);
  }

  // The balance at `at` (with `amount` added there) and at every later position, from the
  // postings after `at`.
  static Status funds_after(const Account& a, int64_t at, int64_t amount,
                            std::span<const LaterPosting> later) {
    const bool deposit = amount > 0;
    __int128 running = a.balance;
    for (const LaterPosting& p : later) running -= p.amount;
    running += amount;
    LEDGER_RETURN_IF_ERROR(balance_ok(a, at, running, deposit));
    // The balance at a point of the timeline is what every entry there leaves: entries that
    // share a position (a day's dated entries) are checked together, whatever their order.
    for (size_t i = 0; i < later.size(); ++i) {
      const LaterPosting& p = later[i];
      running += p.amount;
      const bool last_at_position =
          i + 1 == later.size() || later[i + 1].effective_ns != p.effective_ns;
      if (last_at_position) LEDGER_RETURN_IF_ERROR(balance_ok(a, p.effective_ns, running, deposit));
    }
    return Status::ok();
  }

  // `account` may be closed at position `at`.
  Status closing(const Account& a, int64_t at) const {
    if (a.closed) {
      return refused(fmt::format("account \"{}\" is closed already (since {})", a.id,
                                 when(a.closed_effective_ns)),
                     ErrorField::kAccount);
    }
    if (at < a.opened_effective_ns) {
      return refused(fmt::format("cannot close \"{}\" on {}: it was opened on {}", a.id, when(at),
                                 when(a.opened_effective_ns)),
                     ErrorField::kDate);
    }
    if (a.last_posting_ns > at && state_.timeline() != nullptr) {
      auto later = state_.timeline()->postings_after(a.id, at);
      if (!later) return later.status();
      if (!later->empty()) return before_entry(a, at, later->front().effective_ns);
    }
    if (a.balance != 0) {
      return refused(fmt::format("cannot close \"{}\": on {} its balance is {} (it must be zero)",
                                 a.id, when(at), money_text(a.balance, a)),
                     ErrorField::kAccount);
    }
    return Status::ok();
  }

  // A closing at `at` of an account whose first entry after that is at `first_later_ns`.
  static Status before_entry(const Account& a, int64_t at, int64_t first_later_ns) {
    return refused(fmt::format("cannot close \"{}\" on {}: it has entries after that (the first "
                               "on {})",
                               a.id, when(at), when(first_later_ns)),
                   ErrorField::kDate);
  }

 private:
  // A deposit cannot make any point of the timeline poorer, so only overflow is checked for it
  // (a log written by the old rules may hold an overdrawn account that deposits repair).
  static Status balance_ok(const Account& a, int64_t at, __int128 balance, bool deposit) {
    if (balance > INT64_MAX) {
      return refused(fmt::format("on {} the balance of \"{}\" would overflow", when(at), a.id),
                     ErrorField::kAmount);
    }
    if (!deposit && balance < -static_cast<__int128>(a.overdraft_limit)) {
      return refused(fmt::format("insufficient funds in \"{}\": on {} it would be at {} "
                                 "(overdraft limit {})",
                                 a.id, when(at), money_text(static_cast<int64_t>(balance), a),
                                 money_text(a.overdraft_limit, a)),
                     ErrorField::kAmount);
    }
    return Status::ok();
  }

  const LedgerState& state_;
  bool defer_funds_;
};

class Decider {
 public:
  Decider(const LedgerState& state, int64_t now_ns, bool defer_funds)
      : state_(state), now_ns_(now_ns), defer_funds_(defer_funds) {}

  Result<Decision> operator()(const OpenAccount& c);
  Result<Decision> operator()(const Deposit& c) { return money(c, false); }
  Result<Decision> operator()(const Withdraw& c) { return money(c, true); }
  Result<Decision> operator()(const Transfer& c);
  Result<Decision> operator()(const CloseAccount& c);

 private:
  Result<const Account*> known_account(std::string_view id) const;
  // Where an entry sits on the timeline (see the header); a time after now is refused.
  Result<int64_t> position(const std::optional<EffectiveTime>& given, bool closing) const;
  // Empty when the ref is new (or absent); a Decision when it was already recorded.
  Result<std::optional<Decision>> check_ref(const std::string& ref, uint64_t digest) const;
  template <class C>
  Result<Decision> money(const C& c, bool withdraw);

  const LedgerState& state_;
  int64_t now_ns_;
  bool defer_funds_;
};

Result<const Account*> Decider::known_account(std::string_view id) const {
  if (Status s = validate_account_id(id); !s) return s.about(ErrorField::kAccount);
  const Account* account = state_.find(id);
  if (account == nullptr) {
    std::string message = fmt::format("unknown account \"{}\"", id);
    const auto similar = state_.similar_ids(id);
    if (!similar.empty()) message += fmt::format(" (did you mean \"{}\"?)", similar.front());
    message += fmt::format("; open it first with: ledger open {}", id);
    return refused(message, ErrorField::kAccount);
  }
  return account;
}

int64_t position_of(const std::optional<EffectiveTime>& given, EventType type, int64_t now_ns) {
  if (!given) return type == EventType::kAccountOpened ? opening_day_start(now_ns) : now_ns;
  switch (type) {
    case EventType::kAccountOpened: return opening_day_start(given->ns);
    case EventType::kAccountClosed:
      return given->date ? std::min(util::end_of_day(given->ns), now_ns) : given->ns;
    default: return given->ns;
  }
}

Result<int64_t> Decider::position(const std::optional<EffectiveTime>& given, bool closing) const {
  if (given && given->ns > now_ns_) {
    return invalid(fmt::format("date {} is in the future", when(given->ns))).about(ErrorField::kDate);
  }
  return position_of(given, closing ? EventType::kAccountClosed : EventType::kMoneyDeposited,
                     now_ns_);
}

Result<std::optional<Decision>> Decider::check_ref(const std::string& ref, uint64_t digest) const {
  if (ref.empty()) return std::optional<Decision>();
  auto entry = state_.lookup_ref(ref);
  if (!entry) return entry.status().about(ErrorField::kRef);
  if (!*entry) return std::optional<Decision>();
  if ((*entry)->digest != digest) {
    return refused(fmt::format("ref \"{}\" was already used for different content (event {})",
                               ref, (*entry)->seq),
                   ErrorField::kRef);
  }
  return std::optional<Decision>(Decision{std::nullopt, (*entry)->seq});
}

Result<Decision> Decider::operator()(const OpenAccount& c) {
  if (Status s = validate_account_id(c.account); !s) return s.about(ErrorField::kAccount);
  auto currency = find_currency(c.currency);
  if (!currency) return currency.status().about(ErrorField::kCurrency);
  auto limit = parse_decimal(c.overdraft_limit, *currency, "overdraft limit");
  if (!limit) return limit.status().about(ErrorField::kOverdraftLimit);
  const uint64_t digest = content_digest(
      canonical("open", {c.account, c.owner, currency->code, std::to_string(*limit)},
                c.effective));
  auto known = check_ref(c.ref, digest);
  if (!known) return known.status();
  if (*known) return std::move(**known);
  if (state_.find(c.account) != nullptr) {
    return refused(fmt::format("account \"{}\" already exists", c.account), ErrorField::kAccount);
  }
  auto at = position(c.effective, false);
  if (!at) return at.status();
  return Decision{PendingEvent{position_of(c.effective, EventType::kAccountOpened, now_ns_),
                               AccountOpened{c.account, c.owner, currency->code, *limit,
                                             {c.ref, c.ref.empty() ? 0 : digest}}},
                  0};
}

template <class C>
Result<Decision> Decider::money(const C& c, bool withdraw) {
  auto account = known_account(c.account);
  // A retry of a recorded command succeeds even if the account has changed since. (An id that
  // known_account refuses is not in the state, so its refusal waits for the ref check.)
  const Account* known = account ? *account : nullptr;
  Result<int64_t> amount = known ? parse_amount(c.amount, known->currency) : Result<int64_t>(0);
  if (!amount) return amount.status().about(ErrorField::kAmount);
  const uint64_t digest = content_digest(canonical(
      withdraw ? "withdraw" : "deposit", {c.account, std::to_string(*amount), c.memo},
      c.effective));
  auto ref_known = check_ref(c.ref, digest);
  if (!ref_known) return ref_known.status();
  if (*ref_known) return std::move(**ref_known);
  if (!account) return account.status();
  auto at = position(c.effective, false);
  if (!at) return at.status();
  LEDGER_RETURN_IF_ERROR(Rules(state_, defer_funds_).posting(**account, *at, withdraw ? -*amount : *amount));
  const RefKey ref{c.ref, c.ref.empty() ? 0 : digest};
  if (withdraw) return Decision{PendingEvent{*at, MoneyWithdrawn{c.account, *amount, c.memo, ref}}, 0};
  return Decision{PendingEvent{*at, MoneyDeposited{c.account, *amount, c.memo, ref}}, 0};
}

Result<Decision> Decider::operator()(const Transfer& c) {
  auto from = known_account(c.from);
  auto to = known_account(c.to);
  const Account* known_from = from ? *from : nullptr;
  Result<int64_t> amount =
      known_from ? parse_amount(c.amount, known_from->currency) : Result<int64_t>(0);
  if (!amount) return amount.status().about(ErrorField::kAmount);
  const uint64_t digest = content_digest(
      canonical("transfer", {c.from, c.to, std::to_string(*amount), c.memo}, c.effective));
  auto known = check_ref(c.ref, digest);
  if (!known) return known.status();
  if (*known) return std::move(**known);
  if (!from) return from.status();
  if (!to) return to.status().about(ErrorField::kTo);
  if (c.from == c.to) {
    return refused(fmt::format("cannot transfer from \"{}\" to itself", c.from), ErrorField::kTo);
  }
  const Account& a = **from;
  const Account& b = **to;
  if (a.currency.code != b.currency.code) {
    return refused(fmt::format("cannot transfer between currencies: \"{}\" is in {}, \"{}\" in {}",
                               a.id, a.currency.code, b.id, b.currency.code),
                   ErrorField::kTo);
  }
  auto at = position(c.effective, false);
  if (!at) return at.status();
  const Rules rules(state_, defer_funds_);
  // The receiving side first: a closed account is the plainer reason to give.
  if (Status s = rules.posting(b, *at, *amount); !s) {
    return s.field() == ErrorField::kAccount ? s.about(ErrorField::kTo) : s;
  }
  LEDGER_RETURN_IF_ERROR(rules.posting(a, *at, -*amount));
  return Decision{PendingEvent{*at, MoneyTransferred{c.from, c.to, *amount, c.memo,
                                                     {c.ref, c.ref.empty() ? 0 : digest}}},
                  0};
}

Result<Decision> Decider::operator()(const CloseAccount& c) {
  const uint64_t digest = content_digest(canonical("close", {c.account}, c.effective));
  auto known = check_ref(c.ref, digest);
  if (!known) return known.status();
  if (*known) return std::move(**known);
  auto account = known_account(c.account);
  if (!account) return account.status();
  auto at = position(c.effective, true);
  if (!at) return at.status();
  LEDGER_RETURN_IF_ERROR(Rules(state_).closing(**account, *at));
  return Decision{
      PendingEvent{*at, AccountClosed{c.account, {c.ref, c.ref.empty() ? 0 : digest}}}, 0};
}

}  // namespace

int64_t opening_day_start(int64_t ns) { return util::start_of_day(ns); }

Status validate_account_id(std::string_view id) {
  const bool valid_chars = std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == ':' || c == '-';
  });
  if (id.empty() || id.size() > 64 || !valid_chars) {
    return invalid(fmt::format("invalid account id \"{}\" (expected 1 to 64 characters of A-Z a-z "
                               "0-9 . _ : -)",
                               id));
  }
  return Status::ok();
}

// The slot an id's probe starts at comes from the low bits of its 32-bit tag, so that growing
// the table needs no id to be hashed again; the tag's higher bits still tell most neighbours
// apart without a string compare.
uint32_t AccountIndex::find(std::string_view id, const std::vector<Account>& accounts) const {
  if (slots_.empty()) return kNotFound;
  const auto tag = static_cast<uint32_t>(XXH3_64bits(id.data(), id.size()));
  const size_t mask = slots_.size() - 1;
  for (size_t i = tag & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.index == kNotFound) return kNotFound;
    if (slot.tag == tag && accounts[slot.index].id == id) return slot.index;
  }
}

void AccountIndex::insert(std::string_view id, uint32_t index) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  put({static_cast<uint32_t>(XXH3_64bits(id.data(), id.size())), index});
  ++size_;
}

void AccountIndex::put(Slot slot) {
  const size_t mask = slots_.size() - 1;
  size_t i = slot.tag & mask;
  while (slots_[i].index != kNotFound) i = (i + 1) & mask;
  slots_[i] = slot;
}

void AccountIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max<size_t>(16, old.size() * 2), Slot{});
  for (const Slot& slot : old) {
    if (slot.index != kNotFound) put(slot);
  }
}

void AccountIndex::rebuild(const std::vector<Account>& accounts) {
  // Sized once for all of them: growing by doubling would allocate, and fault in, twice over.
  size_t slots = 16;
  while (slots < accounts.size() * 2) slots *= 2;
  slots_.assign(slots, Slot{});
  size_ = 0;
  for (size_t i = 0; i < accounts.size(); ++i) insert(accounts[i].id, static_cast<uint32_t>(i));
}

const Account* LedgerState::find(std::string_view id) const {
  const uint32_t i = index_.find(id, accounts_);
  return i == AccountIndex::kNotFound ? nullptr : &accounts_[i];
}

Account* LedgerState::find_mutable(std::string_view id) {
  const uint32_t i = index_.find(id, accounts_);
  return i == AccountIndex::kNotFound ? nullptr : &accounts_[i];
}

LedgerState::RefId LedgerState::ref_id(std::string_view ref) {
  const XXH128_hash_t h = XXH3_128bits(ref.data(), ref.size());
  return {h.low64, h.high64};
}

const RefEntry* LedgerState::find_ref(std::string_view ref) const {
  const RefId id = ref_id(ref);
  return refs_.find(id.low, id.high);
}

void LedgerState::track_ref(std::string_view ref, const RefEntry& entry) {
  if (!holds_ref(ref)) return;
  const RefId id = ref_id(ref);
  refs_.insert_or_assign(id.low, id.high, entry);
}

Result<std::optional<RefEntry>> LedgerState::lookup_ref(std::string_view ref) const {
  const RefId id = ref_id(ref);
  if (const RefEntry* entry = refs_.find(id.low, id.high)) return std::optional<RefEntry>(*entry);
  if (ref_archive_ == nullptr) return std::optional<RefEntry>();
  return ref_archive_->find(id.low, id.high);
}

const RefEntry* RefTable::find(uint64_t low, uint64_t high) const {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = low & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.entry.seq == 0) return nullptr;
    if (slot.low == low && slot.high == high) return &slot.entry;
  }
}

RefTable::Slot& RefTable::slot_for(uint64_t low, uint64_t high) {
  const size_t mask = slots_.size() - 1;
  size_t i = low & mask;
  while (slots_[i].entry.seq != 0 && (slots_[i].low != low || slots_[i].high != high)) {
    i = (i + 1) & mask;
  }
  return slots_[i];
}

void RefTable::insert_or_assign(uint64_t low, uint64_t high, const RefEntry& entry) {
  assert(entry.seq != 0 && "sequence numbers start at 1; seq 0 marks an empty slot");
  if ((size_ + 1) * 4 > slots_.size() * 3) grow(std::max<size_t>(64, slots_.size() * 2));
  Slot& slot = slot_for(low, high);
  if (slot.entry.seq == 0) ++size_;
  slot = {low, high, entry};
}

void RefTable::reserve(size_t more) {
  size_t slots = std::max<size_t>(64, slots_.size());
  while ((size_ + more) * 4 > slots * 3) slots *= 2;
  if (slots > slots_.size()) grow(slots);
}

void RefTable::grow(size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(slots, Slot{});
  for (const Slot& slot : old) {
    if (slot.entry.seq != 0) slot_for(slot.low, slot.high) = slot;
  }
}

void RefTable::clear() {
  std::fill(slots_.begin(), slots_.end(), Slot{});
  size_ = 0;
}

std::vector<Account> LedgerState::take_accounts() {
  std::vector<Account> taken = std::move(accounts_);
  accounts_.clear();
  index_.rebuild(accounts_);
  return taken;
}

std::vector<const Account*> LedgerState::sorted_accounts() const {
  std::vector<const Account*> sorted;
  sorted.reserve(accounts_.size());
  for (const Account& account : accounts_) sorted.push_back(&account);
  std::sort(sorted.begin(), sorted.end(),
            [](const Account* a, const Account* b) { return a->id < b->id; });
  return sorted;
}

std::vector<std::string> LedgerState::similar_ids(std::string_view id) const {
  std::vector<std::pair<util::WordDistance, std::string>> scored;
  for (const Account& known : accounts_) {
    const util::WordDistance d = util::word_distance(id, known.id);
    if (util::worth_suggesting(id, d)) scored.emplace_back(d, known.id);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> ids;
  for (size_t i = 0; i < scored.size() && i < 3; ++i) ids.push_back(scored[i].second);
  return ids;
}

namespace {

Status broken(uint64_t seq, const std::string& what) {
  return {ErrorCode::kCorruption, fmt::format("event {} breaks a rule: {}", seq, what)};
}

// The checks of one event against the state before it; the caller adds the sequence number.
class Checker {
 public:
  Checker(const LedgerState& state, const StoredEvent& stored, bool defer_funds)
      : state_(state), stored_(stored), defer_funds_(defer_funds) {}

  std::optional<std::string> operator()(const AccountOpened& e) const {
    if (!validate_account_id(e.account)) return fmt::format("invalid account id \"{}\"", e.account);
    if (state_.find(e.account) != nullptr) {
      return fmt::format("account \"{}\" is opened a second time", e.account);
    }
    if (!find_currency(e.currency)) return fmt::format("unknown currency \"{}\"", e.currency);
    if (e.overdraft_limit < 0) return std::string("negative overdraft limit");
    return std::nullopt;
  }
  std::optional<std::string> operator()(const MoneyDeposited& e) const {
    return posting(e.account, e.amount, e.amount);
  }
  std::optional<std::string> operator()(const MoneyWithdrawn& e) const {
    return posting(e.account, e.amount, -e.amount);
  }
  std::optional<std::string> operator()(const MoneyTransferred& e) const {
    if (e.from == e.to) return fmt::format("transfer from \"{}\" to itself", e.from);
    const Account* from = state_.find(e.from);
    const Account* to = state_.find(e.to);
    if (from != nullptr && to != nullptr && from->currency.code != to->currency.code) {
      return std::string("transfer between currencies");
    }
    if (auto bad = posting(e.from, e.amount, -e.amount)) return bad;
    return posting(e.to, e.amount, e.amount);
  }
  std::optional<std::string> operator()(const AccountClosed& e) const {
    const Account* a = state_.find(e.account);
    if (a == nullptr) return fmt::format("account \"{}\" is closed before it is opened", e.account);
    if (Status s = Rules(state_).closing(*a, stored_.effective_ns); !s) return s.message();
    return std::nullopt;
  }

 private:
  std::optional<std::string> posting(const std::string& id, int64_t amount, int64_t signed_amount) const {
    const Account* a = state_.find(id);
    if (a == nullptr) return fmt::format("account \"{}\" is used before it is opened", id);
    if (amount <= 0) return std::string("amount is not positive");
    if (Status s = Rules(state_, defer_funds_).posting(*a, stored_.effective_ns, signed_amount);
        !s) {
      return s.message();
    }
    return std::nullopt;
  }

  const LedgerState& state_;
  const StoredEvent& stored_;
  bool defer_funds_;
};

}  // namespace

Status LedgerState::check(const StoredEvent& stored, bool defer_funds) const {
  if (stored.effective_ns > stored.recorded_ns) {
    return broken(stored.seq, "effective after it was recorded");
  }
  if (auto bad = std::visit(Checker(*this, stored, defer_funds), stored.event)) {
    return broken(stored.seq, *bad);
  }
  const RefKey& ref = ref_of(stored.event);
  if (track_refs_ && !ref.ref.empty()) {
    if (const RefEntry* earlier = find_ref(ref.ref)) {
      return broken(stored.seq,
                    fmt::format("ref \"{}\" was already used by event {}", ref.ref, earlier->seq));
    }
  }
  return Status::ok();
}

void LedgerState::restore(std::vector<Account> accounts, uint64_t last_seq) {
  accounts_ = std::move(accounts);
  index_.rebuild(accounts_);
  refs_.clear();
  last_seq_ = last_seq;
}

void LedgerState::restore_ref(uint64_t low, uint64_t high, const RefEntry& entry) {
  refs_.insert_or_assign(low, high, entry);
}

bool LedgerState::holds(std::string_view id) const {
  return held_.empty() || std::find(held_.begin(), held_.end(), id) != held_.end();
}

bool LedgerState::holds_ref(std::string_view ref) const {
  return !refs_held_only_ ||
         std::find(held_refs_.begin(), held_refs_.end(), ref) != held_refs_.end();
}

void LedgerState::open(const EventView& e, int64_t effective_ns) {
  if (!holds(e.account)) return;
  Account a;
  a.id = e.account;
  a.owner = e.owner;
  // decide() only lets valid codes through; a failed lookup keeps a safe default.
  if (auto c = find_currency(e.currency)) a.currency = *c;
  a.overdraft_limit = e.overdraft_limit;
  // Version 1 logs kept the instant of an opening; the account is open from its day's start.
  a.opened_effective_ns = opening_day_start(effective_ns);
  // decide() refuses to open an id twice; were it in the log anyway, the later opening wins.
  if (Account* known = find_mutable(e.account)) {
    *known = std::move(a);
    return;
  }
  accounts_.push_back(std::move(a));
  index_.insert(e.account, static_cast<uint32_t>(accounts_.size() - 1));
}

void LedgerState::post(std::string_view id, int64_t amount, int64_t effective_ns) {
  const uint32_t i = index_.find(id, accounts_);
  // decide() let money through only for open accounts; a log that says otherwise changes
  // nothing rather than failing, since apply never fails.
  if (i == AccountIndex::kNotFound) return;
  Account& a = accounts_[i];
  a.balance += amount;
  // After a version 1 snapshot the latest posting stays unknown: the log knows it.
  if (a.last_posting_ns != kPostingTimeUnknown) {
    a.last_posting_ns = std::max(a.last_posting_ns, effective_ns);
  }
}

void LedgerState::apply(uint64_t seq, int64_t /*recorded_ns*/, int64_t effective_ns,
                        const EventView& e) {
  if (e.type == EventType::kAccountOpened) {
    open(e, effective_ns);
  } else if (e.type == EventType::kAccountClosed) {
    if (Account* a = find_mutable(e.account)) {
      a->closed = true;
      a->closed_effective_ns = effective_ns;
    }
  }
  for (const Posting& p : postings_of(e)) post(p.account, p.amount, effective_ns);
  if (track_refs_ && !e.ref.empty() && holds_ref(e.ref)) {
    const RefId id = ref_id(e.ref);
    refs_.insert_or_assign(id.low, id.high, RefEntry{e.ref_digest, seq});
  }
  last_seq_ = seq;
}

void LedgerState::apply(const StoredEvent& stored) {
  apply(stored.seq, stored.recorded_ns, stored.effective_ns, view_of(stored.event));
}

namespace {

// Text a command carries is UTF-8 without NUL: every output prints it as such (JSON, a
// journal), and a database keeps it in text columns, which refuse anything else. Events
// recorded before this check are read as they are.
Status check_text(std::string_view text, const char* what, ErrorField field) {
  if (text.find('\0') != std::string_view::npos) {
    return invalid(fmt::format("{} holds a NUL byte", what)).about(field);
  }
  if (!util::is_valid_utf8(text)) return invalid(fmt::format("{} is not valid UTF-8", what)).about(field);
  return Status::ok();
}

Status check_texts(const Command& command) {
  return std::visit(
      [](const auto& c) -> Status {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, OpenAccount>) {
          LEDGER_RETURN_IF_ERROR(check_text(c.owner, "owner", ErrorField::kOwner));
        } else if constexpr (!std::is_same_v<C, CloseAccount>) {
          LEDGER_RETURN_IF_ERROR(check_text(c.memo, "memo", ErrorField::kMemo));
        }
        return check_text(c.ref, "ref", ErrorField::kRef);
      },
      command);
}

}  // namespace

Result<Decision> decide(const LedgerState& state, const Command& command, int64_t now_ns,
                        bool defer_funds) {
  LEDGER_RETURN_IF_ERROR(check_texts(command));
  return std::visit(Decider(state, now_ns, defer_funds), command);
}

Status check_funds(const LedgerState& state, std::string_view account, int64_t at) {
  const Account* a = state.find(account);
  if (a == nullptr) return Status::ok();  // decide() has said so already.
  return Rules(state).funds(*a, at, 0);
}

Status check_funds(const Account& a, int64_t at, std::span<const LaterPosting> later) {
  return Rules::funds_after(a, at, 0, later);
}

Status closing_before_entry(const Account& a, int64_t at, int64_t first_later_ns) {
  return Rules::before_entry(a, at, first_later_ns);
}

MovedAccounts accounts_moved(const Command& command) {
  if (const auto* d = std::get_if<Deposit>(&command)) return {{d->account}, 1};
  if (const auto* w = std::get_if<Withdraw>(&command)) return {{w->account}, 1};
  if (const auto* t = std::get_if<Transfer>(&command)) return {{t->from, t->to}, 2};
  return {};
}

MovedAccounts accounts_named(const Command& command) {
  if (const auto* o = std::get_if<OpenAccount>(&command)) return {{o->account}, 1};
  if (const auto* c = std::get_if<CloseAccount>(&command)) return {{c->account}, 1};
  return accounts_moved(command);
}

TimelineKey timeline_key(const Command& command, int64_t now_ns) {
  static constexpr EventType kTypes[] = {EventType::kAccountOpened, EventType::kMoneyDeposited,
                                         EventType::kMoneyWithdrawn, EventType::kMoneyTransferred,
                                         EventType::kAccountClosed};
  const EventType type = kTypes[command.index()];
  const auto& given = std::visit([](const auto& c) -> const std::optional<EffectiveTime>& {
    return c.effective;
  }, command);
  return {position_of(given, type, now_ns), timeline_rank(type)};
}

}  // namespace ledger::domain
