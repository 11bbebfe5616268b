// The read side of the Ledger service: balances, statements and history, with time travel.
// Queries take no lock; they replay the log (the snapshots of a later version make it fast).
#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "app/query_support.h"
#include "app/replay.h"
#include "app/state_loader.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "util/time.h"

namespace ledger {

Result<std::vector<AccountView>> Ledger::balances(const std::vector<std::string>& ids,
                                                  const Cutoffs& cutoffs) const {
  // Named accounts are read alone (a binary search of the snapshot, their entries after it).
  // With --at, the effective-order indexes are read by key.
  auto loaded = app::load_state(
      options_.dir, {cutoffs, false, true, std::nullopt, ids, cutoffs.effective_at_ns.has_value()});
  if (!loaded) return loaded.status();
  if (loaded->no_ledger) return app::no_ledger(options_.dir);
  warnings_ = std::move(loaded->warnings);
  const domain::LedgerState* state = &loaded->state;
  std::vector<AccountView> views;
  if (ids.empty()) {
    for (const domain::Account* account : state->sorted_accounts()) views.push_back(app::view_of(*account));
    return views;
  }
  for (const std::string& id : ids) {
    const domain::Account* account = state->find(id);
    if (account == nullptr) return app::unknown_account(options_.dir, id, cutoffs);
    views.push_back(app::view_of(*account));
  }
  return views;
}

Result<std::vector<HistoryEntry>> Ledger::history(const std::optional<std::string>& id,
                                                  std::optional<int64_t> from_ns,
                                                  std::optional<int64_t> to_ns) const {
  LEDGER_RETURN_IF_ERROR(app::require_ledger(options_.dir));
  std::map<std::string, int, std::less<>> decimals;  // Of each account, from its opening.
  std::vector<HistoryEntry> entries;
  bool seen = false;  // Whether any event names `id`.
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
        seen = seen || (id && touches);
        const bool in_range = !from_ns || e.recorded_ns >= *from_ns;
        if (touches && in_range) entries.push_back(std::move(h));
        return Status::ok();
      }));
  // An account that no event names may still be known (opened in purged history); if it is
  // not, naming it is the same error as for balance and statement.
  if (id && !seen) {
    auto known = balances({*id}, Cutoffs{std::nullopt, to_ns});
    if (!known) return known.status();
  }
  return entries;
}

}  // namespace ledger
