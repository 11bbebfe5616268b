#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "app/packed_rows.h"

namespace {

using namespace ledger;

// Every field of a command, so that two can be compared whole.
std::string text_of(const ImportRow& row) {
  std::string out = fmt::format("{}:{}", row.line, row.command.index());
  std::visit(
      [&out](const auto& c) {
        if (c.effective) out += fmt::format("@{}{}", c.effective->ns, c.effective->date ? "d" : "");
        out += "|" + c.ref;
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, OpenAccount>) {
          out += "|" + c.account + "|" + c.owner + "|" + c.currency + "|" + c.overdraft_limit;
        } else if constexpr (std::is_same_v<T, Transfer>) {
          out += "|" + c.from + "|" + c.to + "|" + c.amount + "|" + c.memo;
        } else if constexpr (std::is_same_v<T, CloseAccount>) {
          out += "|" + c.account;
        } else {
          out += "|" + c.account + "|" + c.amount + "|" + c.memo;
        }
      },
      row.command);
  return out;
}

}  // namespace

TEST_SUITE("packed import rows") {
  TEST_CASE("every kind of row reads back field for field, dates and instants kept apart") {
    const std::vector<ImportRow> rows = {
        {2, OpenAccount{"ACC-001", "Zoë Ł. Ñandú", "JPY", "100", EffectiveTime{-5, true}, "r1"}},
        {3, Deposit{"ACC-001", "1500", "salary, \"June\"", std::nullopt, ""}},
        {4, Withdraw{"ACC-001", "7", "", EffectiveTime{1'700'000'000'123'456'789, false}, "w"}},
        {5, Transfer{"ACC-001", "ACC-002", "0.5", std::string(3000, 'm'), std::nullopt, "t"}},
        {70000, CloseAccount{"ACC-002", EffectiveTime{0, true}, ""}},
    };
    app::PackedRows packed;
    for (const ImportRow& row : rows) packed.add(row);
    REQUIRE(packed.size() == rows.size());
    for (size_t i = 0; i < rows.size(); ++i) CHECK(text_of(packed.at(i)) == text_of(rows[i]));
  }

  TEST_CASE("rows fill many chunks and each still reads back") {
    app::PackedRows packed;
    const std::string memo(900, 'x');
    for (size_t i = 0; i < 5000; ++i) {
      packed.add({i + 2, Deposit{fmt::format("A-{}", i), "1", memo, std::nullopt, ""}});
    }
    REQUIRE(packed.size() == 5000);
    for (size_t i : {size_t{0}, size_t{1163}, size_t{1164}, size_t{4999}}) {
      const ImportRow row = packed.at(i);
      CHECK(row.line == i + 2);
      CHECK(std::get<Deposit>(row.command).account == fmt::format("A-{}", i));
      CHECK(std::get<Deposit>(row.command).memo == memo);
    }
  }
}
