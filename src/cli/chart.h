#pragma once
// A horizontal bar chart of amounts for a terminal (`--format chart`): one line per bar, its
// label, a bar drawn in Unicode block elements at eighth-of-a-column resolution, and its
// amount; under the bars an axis labelled with the lowest and highest amounts (and zero when
// bars go both ways) in the account's currency. It only lays out what it is given.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ledger::cli {

struct ChartBar {
  std::string label;   // E.g. a date; shown left of the bar.
  int64_t minor = 0;   // The amount in minor units; negative bars go left of zero.
};

struct Chart {
  std::string currency;  // Labels the axis ("7881.27 USD").
  int decimals = 2;
  std::vector<ChartBar> bars;
};

// The narrowest the bars are drawn: a terminal narrower than label, amount and this overflows.
inline constexpr size_t kChartBarWidthMin = 10;

// Appends `chart` laid out in `width` columns (80 when 0, unknown) to `out`. Nothing for a
// chart without bars.
void render_chart(const Chart& chart, size_t width, std::string& out);

}  // namespace ledger::cli
