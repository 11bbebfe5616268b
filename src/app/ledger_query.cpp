// The read side of the Ledger service: balances, statements and history, with time travel.
// Queries take no lock; they replay the log (the snapshots of a later version make it fast).
#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "app/history_entries.h"
#include "app/query_support.h"
#include "app/replay.h"
#include "app/state_loader.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "util/time.h"

namespace ledger {

Result<std::vector<AccountView>> Ledger::balances(const std::vector<std::string>& ids,
                                                  const Cutoffs& cutoffs) const {
  if (books_) return books_->balances(ids, cutoffs);
  // Named accounts are read alone (a binary search of the snapshot, their entries after it).
  // With --at, the effective-order indexes are read by key.
  auto loaded = app::load_state(
      options_.dir, {cutoffs, false, true, std::nullopt, ids, cutoffs.effective_at_ns.has_value()});
  if (!loaded) return loaded.status();
  if (loaded->no_ledger) return app::no_ledger(options_.dir);
  warnings_ = std::move(loaded->warnings);
  domain::LedgerState* state = &loaded->state;
  std::vector<AccountView> views;
  if (ids.empty()) {
    // By id, each moved out of the state: nothing reads it after.
    std::vector<domain::Account> accounts = state->take_accounts();
    std::vector<uint32_t> order(accounts.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&accounts](uint32_t a, uint32_t b) { return accounts[a].id < accounts[b].id; });
    views.reserve(accounts.size());
    for (const uint32_t i : order) views.push_back(app::view_of(std::move(accounts[i])));
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
  if (books_) return books_->history(id, from_ns, to_ns);
  LEDGER_RETURN_IF_ERROR(app::require_ledger(options_.dir));
  app::HistoryCollector collected(id, from_ns);
  LEDGER_RETURN_IF_ERROR(app::for_each_event(options_.dir, to_ns, [&](const domain::StoredEvent& e) {
    collected.add(e);
    return Status::ok();
  }));
  // An account that no event names may still be known (opened in purged history); if it is
  // not, naming it is the same error as for balance and statement.
  if (id && !collected.seen()) {
    auto known = balances({*id}, Cutoffs{std::nullopt, to_ns});
    if (!known) return known.status();
  }
  return collected.take();
}

}  // namespace ledger
