#pragma once
// The periods of `balance --every`: what each word means and where each period ends, as local
// calendar dates (the ledger's zone turns them into instants, see util/time.h).

#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace ledger::cli {

enum class Every { kDay, kWeek, kMonth, kQuarter, kYear };

// "day", "week", "month", "quarter" or "year"; anything else is a usage error naming the word.
Result<Every> parse_every(std::string_view word);
// The noun for headings: "day", "week" (Monday to Sunday), "month", ...
const char* every_name(Every every);

// A series is bounded, like everything else: ten thousand periods is 27 years of days.
inline constexpr size_t kSeriesPeriodsMax = 10'000;

// The last date of each period from the one holding `first` to the one before the period
// holding `last`, then `last` itself (a period that `last` cuts short ends there). A week ends
// on Sunday, a quarter on March 31, June 30, September 30 or December 31. At most
// kSeriesPeriodsMax + 1 dates are made: more means the range is too long.
std::vector<std::chrono::year_month_day> period_end_dates(std::chrono::year_month_day first,
                                                          std::chrono::year_month_day last,
                                                          Every every);

}  // namespace ledger::cli
