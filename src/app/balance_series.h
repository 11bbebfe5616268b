#pragma once
// balance --every from any store: the store loads the state at the last period's end, showing
// the builder every event it applies; the builder then walks the balances back period by
// period (app/balance_series.cpp says how).

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/event_view.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"

namespace ledger::app {

// Per period: the sum of the postings effective in it, by account id. Only periods after the
// first are kept (the first end's balances are the snapshot's plus everything up to it).
using PeriodMoves = std::vector<std::unordered_map<std::string, int64_t>>;

class SeriesBuilder {
 public:
  // `ends_ns`: ascending, at least one.
  explicit SeriesBuilder(std::vector<int64_t> ends_ns)
      : ends_ns_(std::move(ends_ns)), moves_(ends_ns_.size()) {}
  // Each event applied to the state after the first end (earlier ones may be shown too).
  void observe(const domain::EventAt& e);
  // The series, from the state at the last end; `unknown` refuses an id it does not hold.
  Result<BalanceSeries> finish(const domain::LedgerState& state,
                               const std::vector<std::string>& ids,
                               const std::function<Status(const std::string&)>& unknown) const;

 private:
  std::vector<int64_t> ends_ns_;
  PeriodMoves moves_;
};

}  // namespace ledger::app
