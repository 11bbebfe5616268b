// Export streams its events through an external sort: with a memory budget of a few records it
// goes through scratch files and hands the sink exactly what it hands over when everything fits
// in memory; failures before the first event reach the sink not at all.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "store/log_fixture.h"
#include "scoped_env.h"

using namespace ledger;
using ledger::store::testing::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kDay = 86400LL * 1'000'000'000;
constexpr int64_t kStart = 1767225600LL * 1'000'000'000;  // 2026-01-01T00:00:00Z

std::string account(int i) { return fmt::format("ACC-{}", i); }

LedgerOptions options_for(const fs::path& dir, size_t export_memory_bytes) {
  LedgerOptions options;
  options.dir = dir;
  options.snapshot_every_events = 100;
  options.export_memory_bytes = export_memory_bytes;
  auto now = std::make_shared<int64_t>(kStart + 400 * kDay);
  options.clock_ns = [now] { return *now += 1'000'000'000; };
  return options;
}

// Rows for one import: one commit, not a sync per event.
struct Rows final : ImportSource {
  std::vector<Command> commands;
  size_t at = 0;
  bool next(ImportRow& row) override {
    if (at == commands.size()) return false;
    row = {at + 2, commands[at++]};
    return true;
  }
  bool failed() const override { return false; }
};

// Accounts in two currencies, then money dated anywhere in the year (mostly backdated against
// the rows before), with memos and refs of every length, and one account closed.
void write_books(const fs::path& dir) {
  std::mt19937 rng(11);
  Ledger ledger(options_for(dir, 0));
  Rows rows;
  for (int i = 0; i < 6; ++i) {
    rows.commands.push_back(OpenAccount{account(i), fmt::format("Owner {}", i),
                                        i < 4 ? "USD" : "JPY", "1000000",
                                        EffectiveTime{kStart + i * kDay, true}, ""});
  }
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  for (int c = 0; c < 1500; ++c) {
    const EffectiveTime date{kStart + (6 + pick(300)) * kDay, true};
    const int a = pick(6);
    const int b = a < 4 ? (a + 1) % 4 : 4 + (a + 1) % 2;
    const std::string amount = fmt::format("{}", 1 + pick(900));
    const std::string memo(static_cast<size_t>(pick(3) == 0 ? pick(400) : 0), 'm');
    const std::string ref = pick(2) == 0 ? fmt::format("ref-{}", c) : "";
    switch (pick(3)) {
      case 0: rows.commands.push_back(Withdraw{account(a), amount, memo, date, ref}); break;
      case 1: rows.commands.push_back(Transfer{account(a), account(b), amount, memo, date, ref});
        break;
      default: rows.commands.push_back(Deposit{account(a), amount, memo, date, ref});
    }
  }
  const auto imported = ledger.import(rows, false);
  REQUIRE(imported);
  REQUIRE(imported->issues.empty());
  // An import records its rows in timeline order; single commands backdate against them.
  for (int c = 0; c < 60; ++c) {
    const EffectiveTime date{kStart + (6 + pick(300)) * kDay, true};
    REQUIRE(ledger.execute(Deposit{account(pick(6)), "7", "late", date, ""}));
  }
  const auto balance = ledger.balances({account(3)}, {});
  REQUIRE(balance);
  const int64_t left = balance->front().balance;
  if (left > 0) {
    REQUIRE(ledger.execute(Withdraw{account(3), fmt::format("{}.{:02}", left / 100, left % 100),
                                    "", std::nullopt, ""}));
  }
  if (left < 0) {
    REQUIRE(ledger.execute(Deposit{account(3), fmt::format("{}.{:02}", -left / 100, -left % 100),
                                   "", std::nullopt, ""}));
  }
  REQUIRE(ledger.execute(CloseAccount{account(3), std::nullopt, ""}));
}

// Every field of every event the sink was handed, as text; `fail_at` events in, it fails.
struct Collector final : ExportSink {
  std::vector<std::string> lines;
  bool begun = false;
  size_t fail_at = SIZE_MAX;

  Status begin(const ExportSummary& summary) override {
    begun = true;
    std::string line = fmt::format("{} events:", summary.events);
    for (const ExportAccount& a : summary.accounts) {
      line += fmt::format(" {} {} {}", a.id, a.currency, a.decimals);
    }
    lines.push_back(line);
    return Status::ok();
  }
  Status event(const ExportEvent& x) override {
    if (lines.size() == fail_at) return {ErrorCode::kIoError, "the sink is full"};
    lines.push_back(fmt::format(
        "{} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}", x.seq, x.recorded_ns, x.effective_ns,
        op_name(x.op), x.account, x.to, x.amount, x.currency, x.decimals, x.owner,
        x.overdraft_limit, x.memo, x.ref, x.balance, x.to_balance,
        static_cast<int64_t>(x.external_balance)));
    return Status::ok();
  }
};

std::vector<std::string> export_lines(const fs::path& dir, size_t memory_bytes,
                                      const Cutoffs& cutoffs = {}) {
  Collector sink;
  REQUIRE(Ledger(options_for(dir, memory_bytes)).export_events(cutoffs, sink));
  return sink.lines;
}

}  // namespace

TEST_SUITE("export stream") {
  TEST_CASE("a budget of a few events spills the sort and exports exactly what memory does") {
    TempDir dir;
    write_books(dir.path());
    const std::vector<std::string> in_memory = export_lines(dir.path(), size_t{16} << 20);
    REQUIRE(in_memory.size() > 1560);
    CHECK(export_lines(dir.path(), 512) == in_memory);
    CHECK(export_lines(dir.path(), 1) == in_memory);
    const Cutoffs june{kStart + 180 * kDay, std::nullopt};
    CHECK(export_lines(dir.path(), 512, june) == export_lines(dir.path(), size_t{16} << 20, june));
  }

  TEST_CASE("a scratch directory that cannot be used fails the export before the sink hears "
            "of it") {
    TempDir dir;
    write_books(dir.path());
    ledger::testing::ScopedEnv tmpdir("TMPDIR", "/nonexistent/scratch");
    Collector sink;
    const Status s = Ledger(options_for(dir.path(), 512)).export_events({}, sink);
    tmpdir.restore();
    CHECK(s.code() == ErrorCode::kIoError);
    CHECK(s.message().find("/nonexistent/scratch") != std::string::npos);
    CHECK_FALSE(sink.begun);
  }

  TEST_CASE("a sink that fails stops the export with its own error") {
    TempDir dir;
    write_books(dir.path());
    Collector sink;
    sink.fail_at = 100;
    const Status s = Ledger(options_for(dir.path(), 512)).export_events({}, sink);
    CHECK(s.code() == ErrorCode::kIoError);
    CHECK(s.message() == "the sink is full");
    CHECK(sink.lines.size() == 100);
  }
}
