#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "app/import_order.h"
#include "scoped_env.h"

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

// Adds every row with its key, then reads them all back in the order given.
std::vector<std::pair<domain::TimelineKey, std::string>> through(
    app::ImportOrder& order, const std::vector<std::pair<domain::TimelineKey, ImportRow>>& rows) {
  for (const auto& [key, row] : rows) REQUIRE(order.add(row, key));
  REQUIRE(order.finish());
  std::vector<std::pair<domain::TimelineKey, std::string>> out;
  ImportRow row;
  while (!order.done()) {
    const domain::TimelineKey key = order.next_key();
    REQUIRE(order.take(row));
    out.emplace_back(key, text_of(row));
  }
  return out;
}

// What the order must be: the standard library's stable sort by key.
std::vector<std::pair<domain::TimelineKey, std::string>> expected(
    std::vector<std::pair<domain::TimelineKey, ImportRow>> rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<domain::TimelineKey, std::string>> out;
  for (const auto& [key, row] : rows) out.emplace_back(key, text_of(row));
  return out;
}

ImportRow deposit_row(size_t line, const std::string& memo = "") {
  return {line, Deposit{fmt::format("A-{}", line % 7), fmt::format("{}", line), memo,
                        EffectiveTime{int64_t(line), true}, fmt::format("r{}", line)}};
}

}  // namespace

TEST_SUITE("import order") {
  TEST_CASE("every kind of row reads back field for field, dates and instants kept apart") {
    const std::vector<ImportRow> rows = {
        {2, OpenAccount{"ACC-001", "Zoë Ł. Ñandú", "JPY", "100", EffectiveTime{-5, true}, "r1"}},
        {3, Deposit{"ACC-001", "1500", "salary, \"June\"", std::nullopt, ""}},
        {4, Withdraw{"ACC-001", "7", "", EffectiveTime{1'700'000'000'123'456'789, false}, "w"}},
        {5, Transfer{"ACC-001", "ACC-002", "0.5", std::string(3000, 'm'), std::nullopt, "t"}},
        {70000, CloseAccount{"ACC-002", EffectiveTime{0, true}, ""}},
    };
    std::vector<std::pair<domain::TimelineKey, ImportRow>> keyed;
    for (size_t i = 0; i < rows.size(); ++i) keyed.push_back({{int64_t(i), 1}, rows[i]});
    app::ImportOrder order;
    const auto out = through(order, keyed);
    REQUIRE(out.size() == rows.size());
    for (size_t i = 0; i < rows.size(); ++i) CHECK(out[i].second == text_of(rows[i]));
    CHECK(order.scratch_runs() == 0);
  }

  TEST_CASE("nothing added reads back as nothing") {
    app::ImportOrder order;
    CHECK(through(order, {}).empty());
  }

  TEST_CASE("shuffled rows come out by position, then rank, then line, through scratch runs") {
    std::mt19937_64 random(20261206);
    std::vector<std::pair<domain::TimelineKey, ImportRow>> rows;
    for (size_t line = 2; line < 20000; ++line) {
      // Few positions and ranks, so that ties are many and line order among them is tested.
      const domain::TimelineKey key{int64_t(random() % 300) - 100, int(random() % 3)};
      rows.push_back({key, deposit_row(line, std::string(random() % 40, 'm'))});
    }
    app::ImportOrder order(64 << 10);
    const auto out = through(order, rows);
    CHECK(order.scratch_runs() > 10);
    CHECK(out == expected(rows));
  }

  TEST_CASE("a file mostly in order keeps its backdated rows in memory and writes one run") {
    std::vector<std::pair<domain::TimelineKey, ImportRow>> rows;
    for (size_t line = 2; line < 30000; ++line) {
      const bool backdated = line % 50 == 0;
      rows.push_back({{int64_t(backdated ? line - 90 : line), 1}, deposit_row(line)});
    }
    app::ImportOrder order(256 << 10);
    const auto out = through(order, rows);
    CHECK(order.scratch_runs() == 1);
    CHECK(out == expected(rows));
  }

  TEST_CASE("a newest-first file comes out oldest first, lines in order within a day") {
    std::vector<std::pair<domain::TimelineKey, ImportRow>> rows;
    for (size_t line = 2; line < 12000; ++line) {
      rows.push_back({{int64_t(100000 - line / 4), 1}, deposit_row(line, "a memo")});
    }
    app::ImportOrder order(32 << 10);
    const auto out = through(order, rows);
    CHECK(order.scratch_runs() > 5);
    REQUIRE(out.size() == rows.size());
    CHECK(out.front().first.position == 100000 - 11999 / 4);
    CHECK(out == expected(rows));
  }

  TEST_CASE("a scratch directory that cannot be written is an I/O error naming it") {
    ledger::testing::ScopedEnv tmpdir("TMPDIR", "/nonexistent/scratch");
    app::ImportOrder order(1024);
    Status failed = Status::ok();
    for (size_t line = 2; line < 200 && failed; ++line) {
      failed = order.add(deposit_row(line), {int64_t(line), 1});
    }
    tmpdir.restore();
    CHECK(failed.code() == ErrorCode::kIoError);
    CHECK(failed.message().find("/nonexistent/scratch") != std::string::npos);
  }
}
