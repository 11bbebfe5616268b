// balance --every: the balances of accounts at the end of each period, from one replay. The
// state is loaded as for `balance --at LAST` (the newest snapshot that serves, then the frames
// after it), except that the snapshot may hold nothing after the FIRST period's end, and every
// event applied on top is also bucketed by the period its effective time falls in. The
// balances at the last end are then known, and each earlier end's are the next one's less that
// period's postings: one pass over the events, however many periods, never a load per date.
#include <algorithm>
#include <functional>
#include <string>
#include <unordered_map>

#include "app/balance_series.h"
#include "app/query_support.h"
#include "app/state_loader.h"
#include "domain/postings.h"
#include "ledger/ledger.h"

namespace ledger {

namespace {

using app::PeriodMoves;

// The period that an effective time falls in: the first whose end is at or after it.
size_t period_of(const std::vector<int64_t>& ends_ns, int64_t effective_ns) {
  return static_cast<size_t>(std::lower_bound(ends_ns.begin(), ends_ns.end(), effective_ns) -
                             ends_ns.begin());
}

// `balances` at every end, walking back from the last end's (which `view` holds).
std::vector<std::optional<int64_t>> walk_back(const AccountView& view,
                                              const std::vector<int64_t>& ends_ns,
                                              const PeriodMoves& moves) {
  std::vector<std::optional<int64_t>> balances(ends_ns.size());
  int64_t balance = view.balance;
  for (size_t k = ends_ns.size(); k-- > 0;) {
    if (view.opened_ns <= ends_ns[k]) balances[k] = balance;
    const auto it = moves[k].find(view.id);
    if (it != moves[k].end()) balance -= it->second;
  }
  return balances;
}

}  // namespace

namespace app {

void SeriesBuilder::observe(const domain::EventAt& e) {
  const size_t k = period_of(ends_ns_, e.effective_ns);
  if (k == 0) return;  // In the first period: part of the first end's balances.
  for (const domain::Posting& p : domain::postings_of(e.event)) {
    moves_[k][std::string(p.account)] += p.amount;
  }
}

Result<BalanceSeries> SeriesBuilder::finish(
    const domain::LedgerState& state, const std::vector<std::string>& ids,
    const std::function<Status(const std::string&)>& unknown) const {
  BalanceSeries series{ends_ns_, {}, {}};
  if (ids.empty()) {
    for (const domain::Account* a : state.sorted_accounts()) series.accounts.push_back(view_of(*a));
  }
  for (const std::string& id : ids) {
    const domain::Account* account = state.find(id);
    if (account == nullptr) return unknown(id);
    series.accounts.push_back(view_of(*account));
  }
  for (const AccountView& view : series.accounts) {
    series.balances.push_back(walk_back(view, ends_ns_, moves_));
  }
  return series;
}

}  // namespace app

Result<BalanceSeries> Ledger::balance_series(const std::vector<std::string>& ids,
                                             const std::vector<int64_t>& ends_ns,
                                             std::optional<int64_t> known_at_ns) const {
  if (books_) return books_->balance_series(ids, ends_ns, known_at_ns);
  if (ends_ns.empty() || !std::is_sorted(ends_ns.begin(), ends_ns.end())) {
    return Status(ErrorCode::kInternal, "a series needs period ends in ascending order");
  }
  app::SeriesBuilder builder(ends_ns);
  const std::function<void(const domain::EventAt&)> observe = [&](const domain::EventAt& e) {
    builder.observe(e);
  };
  app::LoadOptions options{Cutoffs{ends_ns.back(), known_at_ns}, false, true, std::nullopt, ids};
  options.snapshot_effective_max_ns = ends_ns.front();
  options.observe = &observe;
  auto loaded = app::load_state(options_.dir, options);
  if (!loaded) return loaded.status();
  if (loaded->no_ledger) return app::no_ledger(options_.dir);
  warnings_ = std::move(loaded->warnings);
  return builder.finish(loaded->state, ids, [&](const std::string& id) {
    return app::unknown_account(options_.dir, id, options.cutoffs);
  });
}

}  // namespace ledger
