#include "domain/ledger_state.h"

#include <xxhash.h>

#include <algorithm>
#include <fmt/format.h>

#include "util/time.h"

namespace ledger::domain {

namespace {

Status refused(std::string message) { return {ErrorCode::kRefused, std::move(message)}; }
Status invalid(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = diagonal + (a[i - 1] != b[j - 1]);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

// The content a ref stands for: the same ref with the same content is a retry. The effective
// time counts only when the user gave one; "now" differs on every retry.
uint64_t content_digest(const std::string& canonical) {
  return XXH3_64bits(canonical.data(), canonical.size());
}

std::string canonical(std::string_view op, std::initializer_list<std::string_view> fields,
                      const std::optional<int64_t>& effective_ns) {
  std::string text(op);
  for (std::string_view f : fields) {
    text += '\x1f';
    text += f;
  }
  text += '\x1f';
  if (effective_ns) text += std::to_string(*effective_ns);
  return text;
}

class Decider {
 public:
  Decider(const LedgerState& state, int64_t now_ns) : state_(state), now_ns_(now_ns) {}

  Result<Decision> operator()(const OpenAccount& c);
  Result<Decision> operator()(const Deposit& c) { return money(c, false); }
  Result<Decision> operator()(const Withdraw& c) { return money(c, true); }
  Result<Decision> operator()(const Transfer& c);
  Result<Decision> operator()(const CloseAccount& c);

 private:
  Result<const Account*> usable_account(std::string_view id) const;
  Result<int64_t> effective(const std::optional<int64_t>& given, const Account* account) const;
  // Empty when the ref is new (or absent); a Decision when it was already recorded.
  Result<std::optional<Decision>> check_ref(const std::string& ref, uint64_t digest) const;
  template <class C>
  Result<Decision> money(const C& c, bool withdraw);
  Status check_funds(const Account& account, int64_t amount) const;

  const LedgerState& state_;
  int64_t now_ns_;
};

Result<const Account*> Decider::usable_account(std::string_view id) const {
  LEDGER_RETURN_IF_ERROR(validate_account_id(id));
  const Account* account = state_.find(id);
  if (account == nullptr) {
    std::string message = fmt::format("unknown account \"{}\"", id);
    const auto similar = state_.similar_ids(id);
    if (!similar.empty()) message += fmt::format(" (did you mean \"{}\"?)", similar.front());
    message += fmt::format("; open it first with: ledger open {}", id);
    return refused(message);
  }
  if (account->closed) return refused(fmt::format("account \"{}\" is closed", id));
  return account;
}

Result<int64_t> Decider::effective(const std::optional<int64_t>& given,
                                   const Account* account) const {
  const int64_t at = given.value_or(now_ns_);
  if (at > now_ns_) {
    return invalid(fmt::format("date {} is in the future", util::format_time_human(at)));
  }
  if (account != nullptr && at < account->opened_effective_ns) {
    return refused(fmt::format("date {} is before account \"{}\" was opened ({})",
                               util::format_time_human(at), account->id,
                               util::format_time_human(account->opened_effective_ns)));
  }
  return at;
}

Result<std::optional<Decision>> Decider::check_ref(const std::string& ref, uint64_t digest) const {
  if (ref.empty()) return std::optional<Decision>();
  const RefEntry* entry = state_.find_ref(ref);
  if (entry == nullptr) return std::optional<Decision>();
  if (entry->digest != digest) {
    return refused(fmt::format("ref \"{}\" was already used for different content (event {})",
                               ref, entry->seq));
  }
  return std::optional<Decision>(Decision{std::nullopt, entry->seq});
}

Status Decider::check_funds(const Account& account, int64_t amount) const {
  auto after = subtract_minor(account.balance, amount);
  if (!after || *after < -account.overdraft_limit) {
    const int d = account.currency.decimals;
    return refused(fmt::format(
        "insufficient funds in \"{}\": balance {} {}, overdraft limit {}, needs {}", account.id,
        format_amount(account.balance, d), account.currency.code,
        format_amount(account.overdraft_limit, d), format_amount(amount, d)));
  }
  return Status::ok();
}

Result<Decision> Decider::operator()(const OpenAccount& c) {
  LEDGER_RETURN_IF_ERROR(validate_account_id(c.account));
  auto currency = find_currency(c.currency);
  if (!currency) return currency.status();
  auto limit = parse_decimal(c.overdraft_limit, *currency, "overdraft limit");
  if (!limit) return limit.status();
  const uint64_t digest = content_digest(
      canonical("open", {c.account, c.owner, currency->code, std::to_string(*limit)},
                c.effective_ns));
  auto known = check_ref(c.ref, digest);
  if (!known) return known.status();
  if (*known) return std::move(**known);
  if (state_.find(c.account) != nullptr) {
    return refused(fmt::format("account \"{}\" already exists", c.account));
  }
  auto at = effective(c.effective_ns, nullptr);
  if (!at) return at.status();
  return Decision{PendingEvent{*at, AccountOpened{c.account, c.owner, currency->code, *limit,
                                                  {c.ref, c.ref.empty() ? 0 : digest}}},
                  0};
}

template <class C>
Result<Decision> Decider::money(const C& c, bool withdraw) {
  auto account = usable_account(c.account);
  // A retry of a recorded command succeeds even if the account has changed since.
  const Account* known_account = state_.find(c.account);
  Result<int64_t> amount =
      known_account ? parse_amount(c.amount, known_account->currency) : Result<int64_t>(0);
  if (!amount) return amount.status();
  const uint64_t digest = content_digest(canonical(
      withdraw ? "withdraw" : "deposit", {c.account, std::to_string(*amount), c.memo},
      c.effective_ns));
  auto known = check_ref(c.ref, digest);
  if (!known) return known.status();
  if (*known) return std::move(**known);
  if (!account) return account.status();
  const Account& a = **account;
  auto at = effective(c.effective_ns, &a);
  if (!at) return at.status();
  const RefKey ref{c.ref, c.ref.empty() ? 0 : digest};
  if (withdraw) {
    LEDGER_RETURN_IF_ERROR(check_funds(a, *amount));
    return Decision{PendingEvent{*at, MoneyWithdrawn{c.account, *amount, c.memo, ref}}, 0};
  }
  auto after = add_minor(a.balance, *amount);
  if (!after) return after.status();
  return Decision{PendingEvent{*at, MoneyDeposited{c.account, *amount, c.memo, ref}}, 0};
}

Result<Decision> Decider::operator()(const Transfer& c) {
  auto from = usable_account(c.from);
  auto to = usable_account(c.to);
  const Account* known_from = state_.find(c.from);
  Result<int64_t> amount =
      known_from ? parse_amount(c.amount, known_from->currency) : Result<int64_t>(0);
  if (!amount) return amount.status();
  const uint64_t digest = content_digest(
      canonical("transfer", {c.from, c.to, std::to_string(*amount), c.memo}, c.effective_ns));
  auto known = check_ref(c.ref, digest);
  if (!known) return known.status();
  if (*known) return std::move(**known);
  if (!from) return from.status();
  if (!to) return to.status();
  if (c.from == c.to) return refused(fmt::format("cannot transfer from \"{}\" to itself", c.from));
  const Account& a = **from;
  const Account& b = **to;
  if (a.currency.code != b.currency.code) {
    return refused(fmt::format("cannot transfer between currencies: \"{}\" is in {}, \"{}\" in {}",
                               a.id, a.currency.code, b.id, b.currency.code));
  }
  auto at = effective(c.effective_ns, a.opened_effective_ns >= b.opened_effective_ns ? &a : &b);
  if (!at) return at.status();
  LEDGER_RETURN_IF_ERROR(check_funds(a, *amount));
  auto after = add_minor(b.balance, *amount);
  if (!after) return after.status();
  return Decision{PendingEvent{*at, MoneyTransferred{c.from, c.to, *amount, c.memo,
                                                     {c.ref, c.ref.empty() ? 0 : digest}}},
                  0};
}

Result<Decision> Decider::operator()(const CloseAccount& c) {
  const uint64_t digest = content_digest(canonical("close", {c.account}, c.effective_ns));
  auto known = check_ref(c.ref, digest);
  if (!known) return known.status();
  if (*known) return std::move(**known);
  auto account = usable_account(c.account);
  if (!account) return account.status();
  const Account& a = **account;
  if (a.balance != 0) {
    return refused(fmt::format("cannot close \"{}\": its balance is {} {} (it must be zero)", a.id,
                               format_amount(a.balance, a.currency.decimals), a.currency.code));
  }
  auto at = effective(c.effective_ns, &a);
  if (!at) return at.status();
  return Decision{
      PendingEvent{*at, AccountClosed{c.account, {c.ref, c.ref.empty() ? 0 : digest}}}, 0};
}

}  // namespace

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

const Account* LedgerState::find(std::string_view id) const {
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

LedgerState::RefId LedgerState::ref_id(std::string_view ref) {
  const XXH128_hash_t h = XXH3_128bits(ref.data(), ref.size());
  return {h.low64, h.high64};
}

const RefEntry* LedgerState::find_ref(std::string_view ref) const {
  auto it = refs_.find(ref_id(ref));
  return it == refs_.end() ? nullptr : &it->second;
}

std::vector<const Account*> LedgerState::sorted_accounts() const {
  std::vector<const Account*> sorted;
  sorted.reserve(accounts_.size());
  for (const auto& [_, account] : accounts_) sorted.push_back(&account);
  std::sort(sorted.begin(), sorted.end(),
            [](const Account* a, const Account* b) { return a->id < b->id; });
  return sorted;
}

std::vector<std::string> LedgerState::similar_ids(std::string_view id) const {
  std::vector<std::pair<size_t, std::string>> scored;
  const size_t threshold = std::max<size_t>(2, id.size() / 3);
  for (const auto& [known, _] : accounts_) {
    const size_t d = edit_distance(id, known);
    if (d <= threshold) scored.emplace_back(d, known);
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
  Checker(const LedgerState& state, const StoredEvent& stored) : state_(state), stored_(stored) {}

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
    if (auto bad = usable(e.account, e.amount)) return bad;
    if (!add_minor(state_.find(e.account)->balance, e.amount))
      return std::string("balance overflows");
    return std::nullopt;
  }
  std::optional<std::string> operator()(const MoneyWithdrawn& e) const {
    if (auto bad = usable(e.account, e.amount)) return bad;
    return funds(*state_.find(e.account), e.amount);
  }
  std::optional<std::string> operator()(const MoneyTransferred& e) const {
    if (auto bad = usable(e.from, e.amount)) return bad;
    if (auto bad = usable(e.to, e.amount)) return bad;
    const Account& from = *state_.find(e.from);
    const Account& to = *state_.find(e.to);
    if (e.from == e.to) return fmt::format("transfer from \"{}\" to itself", e.from);
    if (from.currency.code != to.currency.code) return std::string("transfer between currencies");
    if (!add_minor(to.balance, e.amount)) return std::string("balance overflows");
    return funds(from, e.amount);
  }
  std::optional<std::string> operator()(const AccountClosed& e) const {
    if (auto bad = usable(e.account, 0)) return bad;
    if (state_.find(e.account)->balance != 0) {
      return fmt::format("account \"{}\" is closed with a balance", e.account);
    }
    return std::nullopt;
  }

 private:
  // Opened, not closed, opened no later than the event is effective; a positive amount (an
  // amount of 0 means none is involved).
  std::optional<std::string> usable(const std::string& id, int64_t amount) const {
    const Account* a = state_.find(id);
    if (a == nullptr) return fmt::format("account \"{}\" is used before it is opened", id);
    if (a->closed) return fmt::format("account \"{}\" is used after it was closed", id);
    if (stored_.effective_ns < a->opened_effective_ns) {
      return fmt::format("effective before account \"{}\" was opened", id);
    }
    if (amount < 0 || (amount == 0 && !std::holds_alternative<AccountClosed>(stored_.event))) {
      return std::string("amount is not positive");
    }
    return std::nullopt;
  }
  static std::optional<std::string> funds(const Account& a, int64_t amount) {
    auto after = subtract_minor(a.balance, amount);
    if (!after || *after < -a.overdraft_limit) {
      return fmt::format("account \"{}\" goes below its overdraft limit", a.id);
    }
    return std::nullopt;
  }

  const LedgerState& state_;
  const StoredEvent& stored_;
};

}  // namespace

Status LedgerState::check(const StoredEvent& stored) const {
  if (stored.effective_ns > stored.recorded_ns) {
    return broken(stored.seq, "effective after it was recorded");
  }
  if (auto bad = std::visit(Checker(*this, stored), stored.event)) return broken(stored.seq, *bad);
  const RefKey& ref = ref_of(stored.event);
  if (track_refs_ && !ref.ref.empty()) {
    if (const RefEntry* earlier = find_ref(ref.ref)) {
      return broken(stored.seq,
                    fmt::format("ref \"{}\" was already used by event {}", ref.ref, earlier->seq));
    }
  }
  return Status::ok();
}

void LedgerState::apply(const StoredEvent& stored) {
  struct Apply {
    LedgerState& s;
    const StoredEvent& stored;
    void operator()(const AccountOpened& e) {
      Account a;
      a.id = e.account;
      a.owner = e.owner;
      // decide() only lets valid codes through; a failed lookup keeps a safe default.
      if (auto c = find_currency(e.currency)) a.currency = *c;
      a.overdraft_limit = e.overdraft_limit;
      a.opened_effective_ns = stored.effective_ns;
      s.accounts_.insert_or_assign(e.account, std::move(a));
    }
    // decide() let these events through only for open accounts, so the lookups succeed.
    void operator()(const MoneyDeposited& e) { s.account(e.account).balance += e.amount; }
    void operator()(const MoneyWithdrawn& e) { s.account(e.account).balance -= e.amount; }
    void operator()(const MoneyTransferred& e) {
      s.account(e.from).balance -= e.amount;
      s.account(e.to).balance += e.amount;
    }
    void operator()(const AccountClosed& e) { s.account(e.account).closed = true; }
  };
  std::visit(Apply{*this, stored}, stored.event);
  const RefKey& ref = ref_of(stored.event);
  if (track_refs_ && !ref.ref.empty()) {
    refs_.insert_or_assign(ref_id(ref.ref), RefEntry{ref.digest, stored.seq});
  }
  last_seq_ = stored.seq;
}

Result<Decision> decide(const LedgerState& state, const Command& command, int64_t now_ns) {
  return std::visit(Decider(state, now_ns), command);
}

}  // namespace ledger::domain
