#include "cli/series_periods.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace ledger::cli {

namespace chr = std::chrono;

namespace {

constexpr std::array<std::pair<std::string_view, Every>, 5> kWords{{
    {"day", Every::kDay},
    {"week", Every::kWeek},
    {"month", Every::kMonth},
    {"quarter", Every::kQuarter},
    {"year", Every::kYear},
}};

// The last day of the period that holds `day`.
chr::sys_days period_end(chr::sys_days day, Every every) {
  const chr::year_month_day ymd{day};
  switch (every) {
    case Every::kDay: return day;
    case Every::kWeek: {
      // ISO weeks run Monday to Sunday; iso_encoding numbers Monday 1 .. Sunday 7.
      const unsigned weekday = chr::weekday{day}.iso_encoding();
      return day + chr::days{7 - weekday};
    }
    case Every::kMonth:
      return chr::year_month_day_last{ymd.year(), chr::month_day_last{ymd.month()}};
    case Every::kQuarter: {
      const unsigned quarter_last_month = (static_cast<unsigned>(ymd.month()) + 2) / 3 * 3;
      return chr::year_month_day_last{ymd.year(),
                                      chr::month_day_last{chr::month{quarter_last_month}}};
    }
    case Every::kYear: return chr::year_month_day{ymd.year(), chr::December, chr::day{31}};
  }
  return day;
}

}  // namespace

Result<Every> parse_every(std::string_view word) {
  for (const auto& [name, every] : kWords) {
    if (name == word) return every;
  }
  return Status(ErrorCode::kUsage,
                fmt::format("--every: unknown period \"{}\" (expected day, week, month, quarter or "
                            "year)",
                            word));
}

const char* every_name(Every every) {
  for (const auto& [name, value] : kWords) {
    if (value == every) return name.data();
  }
  return "period";
}

std::vector<chr::year_month_day> period_end_dates(chr::year_month_day first,
                                                  chr::year_month_day last, Every every) {
  std::vector<chr::year_month_day> ends;
  const chr::sys_days stop{last};
  for (chr::sys_days end = period_end(chr::sys_days{first}, every); end < stop;
       end = period_end(end + chr::days{1}, every)) {
    ends.emplace_back(end);
    if (ends.size() > kSeriesPeriodsMax) return ends;
  }
  ends.push_back(last);
  return ends;
}

}  // namespace ledger::cli
