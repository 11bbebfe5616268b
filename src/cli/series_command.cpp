// balance --every: the period ends are local dates (cli/series_periods.h) made instants in the
// ledger's zone by the same parser as --at, so a month's row is exactly `balance --at` its
// last day; the balances come from one replay (Ledger::balance_series).
#include "cli/series_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "cli/series_periods.h"
#include "ledger/money.h"
#include "util/time.h"

namespace ledger::cli {

namespace {

namespace chr = std::chrono;

chr::year_month_day local_date(int64_t ns) {
  int y = 0;
  unsigned m = 0, d = 0;
  std::sscanf(util::format_date(ns).c_str(), "%d-%u-%u", &y, &m, &d);
  return chr::year{y} / chr::month{m} / chr::day{d};
}

std::string date_text(chr::year_month_day date) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

// The instants the series ends at: the end of each period's last local day, then `to_ns`.
Result<std::vector<int64_t>> period_ends(int64_t from_ns, int64_t to_ns, Every every,
                                         int64_t now_ns) {
  const auto dates = period_end_dates(local_date(from_ns), local_date(to_ns), every);
  if (dates.size() > kSeriesPeriodsMax) {
    return Status(ErrorCode::kUsage,
                  fmt::format("--every {} from {} to {} is more than {} periods (choose a longer "
                              "period or a shorter range)",
                              every_name(every), date_text(local_date(from_ns)),
                              date_text(local_date(to_ns)), kSeriesPeriodsMax));
  }
  std::vector<int64_t> ends;
  for (size_t i = 0; i + 1 < dates.size(); ++i) {
    auto end = util::parse_cutoff(date_text(dates[i]), now_ns);
    if (!end) return end.status();
    ends.push_back(*end);
  }
  ends.push_back(to_ns);
  return ends;
}

// Without --from, the series starts at the first opening among the accounts it shows.
Result<int64_t> series_start(Context& context, const SeriesOptions& o, const Cutoffs& cutoffs) {
  auto from = context.range_start(o.from, "--from");
  if (!from) return from.status();
  if (*from) return **from;
  auto views = context.ledger().balances(o.accounts, cutoffs);
  if (!views) return views.status();
  int64_t first = cutoffs.effective_at_ns.value_or(context.now_ns());
  for (const AccountView& a : *views) first = std::min(first, a.opened_ns);
  return first;
}

std::string heading(const Context& context, Every every, const BalanceSeries& series,
                    int64_t from_ns, const std::optional<int64_t>& known_at) {
  std::string line = fmt::format("balance at the end of each {}, from {}, as of {}",
                                 every_name(every), util::format_effective(from_ns, true, false),
                                 context.effective_cell(series.ends_ns.back(), true));
  if (known_at) line += ", as known at " + util::format_effective(*known_at, true, true);
  return line;
}

Table series_table(const Context& context, const BalanceSeries& series) {
  Table t;
  t.columns = {{"date", CellKind::kTime},
               {"account", CellKind::kText},
               {"balance", CellKind::kAmount},
               {"currency", CellKind::kText}};
  for (size_t k = 0; k < series.ends_ns.size(); ++k) {
    const std::string date = context.effective_cell(series.ends_ns[k], true);
    for (size_t a = 0; a < series.accounts.size(); ++a) {
      const AccountView& view = series.accounts[a];
      if (!series.balances[a][k]) continue;  // Not opened yet.
      t.rows.push_back(
          {date, view.id, format_amount(*series.balances[a][k], view.decimals), view.currency});
    }
  }
  return t;
}

Chart series_chart(const Context& context, const BalanceSeries& series) {
  const AccountView& view = series.accounts.front();
  Chart chart{view.currency, view.decimals, {}};
  for (size_t k = 0; k < series.ends_ns.size(); ++k) {
    if (!series.balances[0][k]) continue;
    chart.bars.push_back({context.effective_cell(series.ends_ns[k], true), *series.balances[0][k]});
  }
  return chart;
}

}  // namespace

int run_balance_series(Context& context, const SeriesOptions& o) {
  auto every = parse_every(o.every);
  if (!every) return context.fail(every.status());
  const bool chart = context.format() == OutputFormat::kChart;
  if (chart && o.accounts.size() != 1) {
    return context.fail(Status(ErrorCode::kUsage,
                               "--format chart draws one account: name it (ledger balance ACC "
                               "--every month --format chart)"));
  }
  auto to = context.cutoff(o.to ? o.to : std::optional<std::string>("today"), "--to");
  if (!to) return context.fail(to.status());
  auto known_at = context.cutoff(o.known_at, "--known-at");
  if (!known_at) return context.fail(known_at.status());
  auto from = series_start(context, o, Cutoffs{*to, *known_at});
  if (!from) return context.fail(from.status());
  if (*from > **to) {
    return context.fail(Status(ErrorCode::kInvalidArgument,
                               fmt::format("--from \"{}\" is after --to \"{}\" (the period is "
                                           "empty)",
                                           o.from.value_or(""), o.to.value_or("today"))));
  }
  auto ends = period_ends(*from, **to, *every, context.now_ns());
  if (!ends) return context.fail(ends.status());
  auto series = context.ledger().balance_series(o.accounts, *ends, *known_at);
  if (!series) return context.fail(series.status());
  context.warn_from_ledger();
  if (chart) {
    const AccountView& view = series->accounts.front();
    context.heading(fmt::format("{} ({}), {}", view.id, view.currency,
                                heading(context, *every, *series, *from, *known_at)));
    context.emit(series_chart(context, *series));
  } else {
    context.heading(heading(context, *every, *series, *from, *known_at));
    context.emit(series_table(context, *series));
  }
  return 0;
}

}  // namespace ledger::cli
