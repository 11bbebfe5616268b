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
