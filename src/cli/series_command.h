#pragma once
// balance --every PERIOD: the balances at each period's end, as rows or as a chart.

#include <optional>
#include <string>
#include <vector>

#include "cli/context.h"

namespace ledger::cli {

struct SeriesOptions {
  std::vector<std::string> accounts;  // None: every account.
  std::string every;                  // day, week, month, quarter or year.
  std::optional<std::string> from;    // The first period is the one holding this date.
  std::optional<std::string> to;      // The last period ends here (default: the end of today).
  std::optional<std::string> known_at;
};

// Runs after Context::allow_chart() and the usual option checks; returns the exit status.
int run_balance_series(Context& context, const SeriesOptions& o);

}  // namespace ledger::cli
