#include <doctest/doctest.h>

#include <string>

#include "cli/chart.h"
#include "cli/text_width.h"

using namespace ledger::cli;

namespace {

std::string drawn(const Chart& chart, size_t width) {
  std::string out;
  render_chart(chart, width, out);
  return out;
}

}  // namespace

TEST_SUITE("chart") {
  TEST_CASE("bars are scaled to the widest amount, in eighths of a column") {
    const Chart chart{"USD", 2, {{"a", 800}, {"b", 400}, {"c", 50}}};
    // 1 + 1 + 1 + 4 ("8.00") leaves 16 columns of bars in 23.
    CHECK(drawn(chart, 23) ==
          "a ████████████████ 8.00\n"
          "b ████████         4.00\n"
          "c █                0.50\n"
          "  └──────────────┘\n"
          "  0.00 USD 8.00 USD\n");
  }

  TEST_CASE("a chart of zeros draws empty bars, not a division by zero") {
    const std::string out = drawn(Chart{"JPY", 0, {{"x", 0}, {"y", 0}}}, 30);
    CHECK(out.find("█") == std::string::npos);
    CHECK(out.find("0 JPY") != std::string::npos);
  }

  TEST_CASE("no line is wider than the width, and a narrow one keeps ten columns of bars") {
    const Chart chart{"EUR", 2, {{"2026-01-31", -12345}, {"2026-02-28", 99999}}};
    for (const size_t width : {40, 60, 100}) {
      const std::string out = drawn(chart, width);
      size_t start = 0;
      for (size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
        CHECK(display_width(std::string_view(out).substr(start, end - start)) <= width);
      }
    }
    const std::string narrow = drawn(Chart{"EUR", 2, {{"a", 1}}}, 5);
    CHECK(narrow.find("\n  └────────┘\n") != std::string::npos);  // Ten columns, overflowing.
    CHECK(drawn(Chart{"EUR", 2, {}}, 80).empty());
  }
}
