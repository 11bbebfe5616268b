// The read side of the Ledger service: balances, statements and history, with time travel.
// Queries take no lock; they replay the log (the snapshots of a later version make it fast).
#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "app/replay.h"
#include "app/state_loader.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "util/time.h"

namespace ledger {

namespace {

AccountView view_of(const domain::Account& a) {
  return {a.id, a.owner, a.currency.code, a.currency.decimals, a.balance, a.overdraft_limit,
          a.closed, a.opened_effective_ns};
}

Status unknown_account(const domain::LedgerState& state, const std::string& id,
                       const Cutoffs& cutoffs) {
  LEDGER_RETURN_IF_ERROR(domain::validate_account_id(id));
  std::string message = fmt::format("unknown account \"{}\"", id);
  if (cutoffs.effective_at_ns) {
    message += fmt::format(" as of {}", util::format_time_human(*cutoffs.effective_at_ns));
  }
  if (cutoffs.known_at_ns) {
    message += fmt::format(" as known at {}", util::format_time_human(*cutoffs.known_at_ns));
  }
  const auto similar = state.similar_ids(id);
  if (!similar.empty()) message += fmt::format(" (did you mean \"{}\"?)", similar.front());
  return {ErrorCode::kRefused, message};
}

// What an event did to account `id`: its signed amount and how to name it, or nothing. Most
// events of a log are about other accounts: those cost a compare or two, and no allocation.
std::optional<StatementLine> movement_of(const app::EventRef& e, std::string_view id) {
  using domain::EventType;
  const domain::EventView& ev = e.event;
  StatementLine line{e.seq, e.effective_ns, e.recorded_ns, "", "", 0, 0, "", ""};
  switch (ev.type) {
    case EventType::kMoneyDeposited:
      if (ev.account != id) return std::nullopt;
      line.type = "deposit";
      line.amount = ev.amount;
      break;
    case EventType::kMoneyWithdrawn:
      if (ev.account != id) return std::nullopt;
      line.type = "withdrawal";
      line.amount = -ev.amount;
      break;
    case EventType::kMoneyTransferred: {
      if (ev.from != id && ev.to != id) return std::nullopt;
      const bool out = ev.from == id;
      line.type = out ? "transfer out" : "transfer in";
      line.counterparty = out ? ev.to : ev.from;
      line.amount = out ? -ev.amount : ev.amount;
      break;
    }
    default:
      return std::nullopt;
  }
  line.memo = ev.memo;
  line.ref = ev.ref;
  return line;
}

}  // namespace

Result<std::vector<AccountView>> Ledger::balances(const std::vector<std::string>& ids,
                                                  const Cutoffs& cutoffs) const {
  auto loaded = app::load_state(options_.dir, {cutoffs, false, true, std::nullopt});
  if (!loaded) return loaded.status();
  warnings_ = std::move(loaded->warnings);
  const domain::LedgerState* state = &loaded->state;
  std::vector<AccountView> views;
  if (ids.empty()) {
    for (const domain::Account* account : state->sorted_accounts()) views.push_back(view_of(*account));
    return views;
  }
  for (const std::string& id : ids) {
    const domain::Account* account = state->find(id);
    if (account == nullptr) return unknown_account(*state, id, cutoffs);
    views.push_back(view_of(*account));
  }
  return views;
}

Result<Statement> Ledger::statement(const std::string& id, std::optional<int64_t> from_ns,
                                    std::optional<int64_t> to_ns,
                                    std::optional<int64_t> known_at_ns) const {
  domain::LedgerState state(false);
  std::vector<StatementLine> movements;
  LEDGER_RETURN_IF_ERROR(
      app::replay_events(options_.dir, known_at_ns, [&](const app::EventRef& e) {
        state.apply(e);
        if (auto line = movement_of(e, id)) movements.push_back(std::move(*line));
      }));
  const domain::Account* account = state.find(id);
  if (account == nullptr) return unknown_account(state, id, Cutoffs{std::nullopt, known_at_ns});
  // Effective order; the sequence number breaks ties, so the order is the same on every run.
  std::stable_sort(movements.begin(), movements.end(), [](const auto& a, const auto& b) {
    return std::tie(a.effective_ns, a.seq) < std::tie(b.effective_ns, b.seq);
  });
  Statement statement{view_of(*account), from_ns, to_ns, 0, 0, {}};
  int64_t balance = 0;
  for (StatementLine& line : movements) {
    if (to_ns && line.effective_ns > *to_ns) break;
    balance += line.amount;
    line.balance = balance;
    if (from_ns && line.effective_ns < *from_ns) {
      statement.opening_balance = balance;
      continue;
    }
    statement.lines.push_back(std::move(line));
  }
  statement.closing_balance = balance;
  statement.account.balance = balance;
  return statement;
}

Result<std::vector<HistoryEntry>> Ledger::history(const std::optional<std::string>& id,
                                                  std::optional<int64_t> from_ns,
                                                  std::optional<int64_t> to_ns) const {
  std::map<std::string, int, std::less<>> decimals;  // Of each account, from its opening.
  std::vector<HistoryEntry> entries;
  auto money = [&decimals](const std::string& account, int64_t amount) {
    auto it = decimals.find(account);
    return format_amount(amount, it == decimals.end() ? 2 : it->second);
  };
  LEDGER_RETURN_IF_ERROR(
      app::for_each_event(options_.dir, to_ns, [&](const domain::StoredEvent& e) {
        HistoryEntry h;
        h.seq = e.seq;
        h.recorded_ns = e.recorded_ns;
        h.effective_ns = e.effective_ns;
        h.type = domain::event_type_name(e.event);
        std::visit(
            [&](const auto& ev) {
              using T = std::decay_t<decltype(ev)>;
              h.ref = ev.ref.ref;
              if constexpr (std::is_same_v<T, domain::AccountOpened>) {
                auto currency = find_currency(ev.currency);
                decimals[ev.account] = currency ? currency->decimals : 2;
                h.account = ev.account;
                h.owner = ev.owner;
                h.currency = ev.currency;
                h.overdraft_limit = money(ev.account, ev.overdraft_limit);
              } else if constexpr (std::is_same_v<T, domain::MoneyTransferred>) {
                h.account = ev.from;
                h.to = ev.to;
                h.amount = money(ev.from, ev.amount);
                h.memo = ev.memo;
              } else if constexpr (std::is_same_v<T, domain::AccountClosed>) {
                h.account = ev.account;
              } else {
                h.account = ev.account;
                h.amount = money(ev.account, ev.amount);
                h.memo = ev.memo;
              }
            },
            e.event);
        const bool touches = !id || h.account == *id || h.to == *id;
        const bool in_range = !from_ns || e.recorded_ns >= *from_ns;
        if (touches && in_range) entries.push_back(std::move(h));
        return Status::ok();
      }));
  return entries;
}

}  // namespace ledger
