#include "cli/chart.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "cli/text_width.h"
#include "ledger/money.h"

namespace ledger::cli {

namespace {

constexpr size_t kWidthDefault = 80;
constexpr std::string_view kFull = "█";
// U+258F..U+2589: a bar's last column when it ends 1/8 .. 7/8 of the way across.
constexpr std::string_view kEighths[] = {"▏", "▎", "▍", "▌", "▋", "▊", "▉"};

void pad_to(std::string& out, std::string_view text, size_t width, bool right) {
  const size_t shown = display_width(text);
  const size_t padding = width > shown ? width - shown : 0;
  if (right) out.append(padding, ' ');
  out += text;
  if (!right) out.append(padding, ' ');
}

// What the bars span: from the lowest amount (or zero) to the highest (or zero), and where
// zero falls in `cells` columns.
struct Scale {
  int64_t low = 0;
  int64_t high = 0;
  size_t cells = 0;
  size_t zero = 0;  // The column where positive bars start and negative ones end.

  // Columns (in eighths) that `minor` away from zero takes.
  size_t eighths(int64_t minor) const {
    const double span = static_cast<double>(high) - static_cast<double>(low);
    const double magnitude = std::fabs(static_cast<double>(minor));
    return static_cast<size_t>(std::lround(magnitude / span * static_cast<double>(cells) * 8));
  }
};

Scale scale_of(const Chart& chart, size_t cells) {
  Scale s;
  s.cells = cells;
  for (const ChartBar& bar : chart.bars) {
    s.low = std::min(s.low, bar.minor);
    s.high = std::max(s.high, bar.minor);
  }
  if (s.low == s.high) s.high = s.low + 1;  // All zero: empty bars, not a division by zero.
  s.zero = std::min(cells, (s.eighths(s.low) + 4) / 8);
  return s;
}

// One bar, exactly `s.cells` columns: blanks, the bar, blanks.
std::string bar_of(const Scale& s, int64_t minor) {
  std::string out;
  if (minor < 0) {
    const size_t length = std::min(s.zero, (s.eighths(minor) + 4) / 8);
    out.append(s.zero - length, ' ');
    for (size_t i = 0; i < length; ++i) out += kFull;
    out.append(s.cells - s.zero, ' ');
    return out;
  }
  const size_t eighths = std::min(s.eighths(minor), (s.cells - s.zero) * 8);
  out.append(s.zero, ' ');
  for (size_t i = 0; i < eighths / 8; ++i) out += kFull;
  if (eighths % 8 != 0) out += kEighths[eighths % 8 - 1];
  out.append(s.cells - s.zero - (eighths + 7) / 8, ' ');
  return out;
}

// "└────┴────┘" under the bars, the ┴ at zero when bars go below it.
std::string axis_of(const Scale& s) {
  std::string out;
  for (size_t i = 0; i < s.cells; ++i) {
    if (i == 0) {
      out += "└";
    } else if (i + 1 == s.cells) {
      out += "┘";
    } else if (i == s.zero && s.low < 0) {
      out += "┴";
    } else {
      out += "─";
    }
  }
  return out;
}

// The lowest amount under the axis's left end, the highest under its right end, and zero
// under its mark when there is room between them.
std::string axis_labels(const Chart& chart, const Scale& s) {
  const std::string low = format_amount(s.low, chart.decimals) + " " + chart.currency;
  const std::string high = format_amount(s.high, chart.decimals) + " " + chart.currency;
  std::string line = low;
  if (s.low < 0) {
    const std::string zero = format_amount(0, chart.decimals);
    const size_t at = s.zero >= zero.size() / 2 ? s.zero - zero.size() / 2 : 0;
    if (at > display_width(line) && at + zero.size() + 1 + high.size() <= s.cells) {
      line.append(at - display_width(line), ' ');
      line += zero;
    }
  }
  const size_t used = display_width(line);
  line.append(s.cells > used + high.size() ? s.cells - used - high.size() : 1, ' ');
  return line + high;
}

}  // namespace

void render_chart(const Chart& chart, size_t width, std::string& out) {
  if (chart.bars.empty()) return;
  if (width == 0) width = kWidthDefault;
  size_t label_width = 0;
  size_t amount_width = 0;
  std::vector<std::string> amounts;
  for (const ChartBar& bar : chart.bars) {
    label_width = std::max(label_width, display_width(bar.label));
    amounts.push_back(format_amount(bar.minor, chart.decimals));
    amount_width = std::max(amount_width, amounts.back().size());
  }
  const size_t beside = label_width + 1 + 1 + amount_width;
  const size_t cells = width > beside + kChartBarWidthMin ? width - beside : kChartBarWidthMin;
  const Scale s = scale_of(chart, cells);
  for (size_t i = 0; i < chart.bars.size(); ++i) {
    pad_to(out, chart.bars[i].label, label_width, false);
    out += ' ';
    out += bar_of(s, chart.bars[i].minor);
    out += ' ';
    pad_to(out, amounts[i], amount_width, true);
    out += '\n';
  }
  const std::string indent(label_width + 1, ' ');
  out += indent + axis_of(s) + '\n';
  out += indent + axis_labels(chart, s) + '\n';
}

}  // namespace ledger::cli
