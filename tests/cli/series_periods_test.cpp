#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "cli/series_periods.h"

using namespace ledger;
using namespace ledger::cli;
namespace chr = std::chrono;

namespace {

chr::year_month_day ymd(int y, unsigned m, unsigned d) {
  return chr::year{y} / chr::month{m} / chr::day{d};
}

}  // namespace

TEST_SUITE("series periods") {
  TEST_CASE("months end on their last day, February's in a leap year too, then --to") {
    CHECK(period_end_dates(ymd(2028, 1, 15), ymd(2028, 3, 10), Every::kMonth) ==
          std::vector{ymd(2028, 1, 31), ymd(2028, 2, 29), ymd(2028, 3, 10)});
  }

  TEST_CASE("weeks end on Sunday, quarters on the last day of March, June, September, December") {
    // 2026-01-01 is a Thursday.
    CHECK(period_end_dates(ymd(2026, 1, 1), ymd(2026, 1, 12), Every::kWeek) ==
          std::vector{ymd(2026, 1, 4), ymd(2026, 1, 11), ymd(2026, 1, 12)});
    CHECK(period_end_dates(ymd(2026, 2, 1), ymd(2026, 12, 31), Every::kQuarter) ==
          std::vector{ymd(2026, 3, 31), ymd(2026, 6, 30), ymd(2026, 9, 30), ymd(2026, 12, 31)});
    CHECK(period_end_dates(ymd(2025, 6, 1), ymd(2026, 6, 1), Every::kYear) ==
          std::vector{ymd(2025, 12, 31), ymd(2026, 6, 1)});
  }

  TEST_CASE("a range within one period is that period cut short, days are each day") {
    CHECK(period_end_dates(ymd(2026, 5, 2), ymd(2026, 5, 20), Every::kMonth) ==
          std::vector{ymd(2026, 5, 20)});
    CHECK(period_end_dates(ymd(2026, 5, 30), ymd(2026, 6, 1), Every::kDay) ==
          std::vector{ymd(2026, 5, 30), ymd(2026, 5, 31), ymd(2026, 6, 1)});
  }

  TEST_CASE("a range of more than the bound stops one past it, so the caller can refuse") {
    CHECK(period_end_dates(ymd(1990, 1, 1), ymd(2026, 1, 1), Every::kDay).size() ==
          kSeriesPeriodsMax + 1);
  }

  TEST_CASE("the words of --every, and a usage error for any other") {
    CHECK(*parse_every("quarter") == Every::kQuarter);
    CHECK(std::string(every_name(Every::kWeek)) == "week");
    const auto bad = parse_every("Month");
    REQUIRE_FALSE(bad);
    CHECK(bad.status().code() == ErrorCode::kUsage);
  }
}
