// Statements through the account index give exactly what a replay of the whole log gives, and a
// damaged index changes no answer.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "app/account_index.h"
#include "app/replay.h"
#include "ledger/ledger.h"
#include "ledger/import_reader.h"
#include "store/faulty_syscalls.h"
#include "store/log_fixture.h"
#include "store/sorted_run.h"

using namespace ledger;
using ledger::store::testing::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kHour = 3600LL * 1'000'000'000;
constexpr int64_t kStart = 1767225600LL * 1'000'000'000;  // 2026-01-01T00:00:00Z
constexpr int kAccounts = 6;

std::string account(int i) { return fmt::format("ACC-{}", i); }

LedgerOptions options_for(const fs::path& dir) {
  LedgerOptions options;
  options.dir = dir;
  options.segment_size_bytes_max = 4096;  // Dozens of sealed segments.
  options.snapshot_every_events = 50;
  auto now = std::make_shared<int64_t>(kStart);
  options.clock_ns = [now] { return *now += kHour; };
  return options;
}

void write_commands(Ledger& ledger, std::mt19937& rng, int commands) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  for (int c = 0; c < commands; ++c) {
    std::optional<EffectiveTime> date;
    if (pick(4) == 0) date = EffectiveTime{kStart + pick(c + 1) * kHour, false};  // Backdated, at most to the start.
    const std::string amount = fmt::format("{}.{:02}", 1 + pick(90), pick(100));
    const int a = pick(kAccounts);
    const int b = (a + 1 + pick(kAccounts - 1)) % kAccounts;
    switch (pick(3)) {
      case 0: (void)ledger.execute(Withdraw{account(a), amount, "w", date, ""}); break;
      case 1: (void)ledger.execute(Transfer{account(a), account(b), amount, "t", date, ""}); break;
      default: REQUIRE(ledger.execute(Deposit{account(a), amount, "d", date, ""}));
    }
  }
}

void open_accounts(Ledger& ledger) {
  for (int i = 0; i < kAccounts; ++i) {
    REQUIRE(ledger.execute(OpenAccount{account(i), "", "USD", "100", EffectiveTime{kStart, false}, ""}));
  }
}

void write_books(const fs::path& dir, uint32_t seed, int commands) {
  std::mt19937 rng(seed);
  Ledger ledger(options_for(dir));
  open_accounts(ledger);
  write_commands(ledger, rng, commands);
}

// What an account was at `at`, summed here from its events: whether it was open, closed, and
// its balance.
struct AccountThen {
  bool opened = false;
  bool closed = false;
  int64_t balance = 0;
};

AccountThen account_then(const fs::path& dir, const std::string& id, int64_t at) {
  AccountThen then;
  REQUIRE(app::for_each_event(dir, std::nullopt, [&](const domain::StoredEvent& e) {
    if (e.effective_ns > at) return Status::ok();
    std::visit(
        [&](const auto& ev) {
          using T = std::decay_t<decltype(ev)>;
          if constexpr (std::is_same_v<T, domain::AccountOpened>) {
            then.opened = then.opened || ev.account == id;
          } else if constexpr (std::is_same_v<T, domain::AccountClosed>) {
            then.closed = then.closed || ev.account == id;
          } else if constexpr (std::is_same_v<T, domain::MoneyDeposited>) {
            if (ev.account == id) then.balance += ev.amount;
          } else if constexpr (std::is_same_v<T, domain::MoneyWithdrawn>) {
            if (ev.account == id) then.balance -= ev.amount;
          } else if constexpr (std::is_same_v<T, domain::MoneyTransferred>) {
            if (ev.from == id) then.balance -= ev.amount;
            if (ev.to == id) then.balance += ev.amount;
          }
        },
        e.event);
    return Status::ok();
  }));
  return then;
}

// Books with an account opened, used and closed between snapshots, long after the others.
void write_books_with_late_account(const fs::path& dir) {
  std::mt19937 rng(23);
  Ledger ledger(options_for(dir));
  open_accounts(ledger);
  write_commands(ledger, rng, 150);
  REQUIRE(ledger.execute(OpenAccount{"LATE-1", "", "USD", "0", std::nullopt, ""}));
  REQUIRE(ledger.execute(Deposit{"LATE-1", "50.00", "d", std::nullopt, ""}));
  write_commands(ledger, rng, 60);
  REQUIRE(ledger.execute(Withdraw{"LATE-1", "50.00", "w", std::nullopt, ""}));
  REQUIRE(ledger.execute(CloseAccount{"LATE-1", std::nullopt, ""}));
  write_commands(ledger, rng, 150);
}

// Each account's balance --at random instants, asked alone, against account_then().
void check_balances_at(const fs::path& dir, uint32_t seed) {
  std::mt19937_64 rng(seed);
  Ledger ledger(LedgerOptions{dir});
  const int64_t span = 400 * kHour;
  // Every other cutoff is the effective time of an event: a segment whose earliest event takes
  // effect exactly at the cutoff must still be read.
  std::vector<int64_t> effective_times;
  REQUIRE(app::for_each_event(dir, std::nullopt, [&](const domain::StoredEvent& e) {
    effective_times.push_back(e.effective_ns);
    return Status::ok();
  }));
  int late_open = 0, late_closed = 0, late_unknown = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string id = i % 3 == 0 ? "LATE-1" : account(static_cast<int>(rng() % kAccounts));
    const int64_t at = i % 2 ? effective_times[rng() % effective_times.size()]
                             : kStart + static_cast<int64_t>(rng() % span);
    const AccountThen then = account_then(dir, id, at);
    auto views = ledger.balances({id}, Cutoffs{at, std::nullopt});
    INFO("balance " << id << " --at " << at);
    CHECK(ledger.warnings().empty());
    if (!then.opened) {
      REQUIRE_FALSE(views);
      CHECK(views.status().message().find("unknown account") != std::string::npos);
      late_unknown += id == "LATE-1";
      continue;
    }
    REQUIRE(views);
    REQUIRE(views->size() == 1);
    CHECK(views->front().balance == then.balance);
    CHECK(views->front().closed == then.closed);
    if (id == "LATE-1") ++(then.closed ? late_closed : late_open);
  }
  // The late account was asked about before its opening, while open and after its closing.
  CHECK(late_unknown > 0);
  CHECK(late_open > 0);
  CHECK(late_closed > 0);
}

std::vector<fs::path> files_with(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir / "index")) {
    if (entry.path().extension() == extension) found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

// Rewrites an account index as format 1 wrote it: no format entry, no openings or closings.
// Returns how many openings and closings went.
size_t make_format_1(const fs::path& path) {
  auto run = store::SortedRun::open(path);
  REQUIRE(run);
  std::vector<store::RunEntry> kept;
  REQUIRE(run->for_each([&](const store::RunEntry& e) {
    if (!(e.key_high == 0 && e.key_low == 0) && (e.key_low >> 63) == 0) kept.push_back(e);
    return Status::ok();
  }));
  REQUIRE(kept.size() < run->entry_count());
  const store::RunMeta meta = run->meta();
  fs::remove(path);
  auto writer = store::SortedRunWriter::create(store::real_syscalls(), path, meta);
  REQUIRE(writer);
  for (const store::RunEntry& e : kept) REQUIRE(writer->add(e));
  REQUIRE(writer->finish());
  return run->entry_count() - kept.size() - 1;
}

// The statement a replay of every event gives, line by line, as text.
std::vector<std::string> expected_lines(const fs::path& dir, const std::string& id,
                                        std::optional<int64_t> from, std::optional<int64_t> to,
                                        std::optional<int64_t> known_at, int64_t& opening,
                                        int64_t& closing) {
  struct Line {
    int64_t at;
    uint64_t seq;
    int64_t amount;
    std::string text;
  };
  std::vector<Line> lines;
  REQUIRE(app::for_each_event(dir, known_at, [&](const domain::StoredEvent& e) {
    std::visit(
        [&](const auto& ev) {
          using T = std::decay_t<decltype(ev)>;
          int64_t amount = 0;
          std::string other;
          if constexpr (std::is_same_v<T, domain::MoneyDeposited>) {
            if (ev.account == id) amount = ev.amount;
          } else if constexpr (std::is_same_v<T, domain::MoneyWithdrawn>) {
            if (ev.account == id) amount = -ev.amount;
          } else if constexpr (std::is_same_v<T, domain::MoneyTransferred>) {
            if (ev.from == id) amount = -ev.amount, other = ev.to;
            if (ev.to == id) amount = ev.amount, other = ev.from;
          }
          if (amount != 0) {
            lines.push_back({e.effective_ns, e.seq, amount,
                             fmt::format("{} {} {} {}", e.seq, e.effective_ns, amount, other)});
          }
        },
        e.event);
    return Status::ok();
  }));
  std::sort(lines.begin(), lines.end(),
            [](const Line& a, const Line& b) { return std::tie(a.at, a.seq) < std::tie(b.at, b.seq); });
  std::vector<std::string> out;
  int64_t balance = 0;
  opening = 0;
  for (const Line& l : lines) {
    if (to && l.at > *to) break;
    balance += l.amount;
    if (from && l.at < *from) {
      opening = balance;
      continue;
    }
    out.push_back(fmt::format("{} = {}", l.text, balance));
  }
  closing = balance;
  return out;
}

std::vector<std::string> actual_lines(const Statement& s) {
  std::vector<std::string> out;
  for (const StatementLine& l : s.lines) {
    out.push_back(fmt::format("{} {} {} {} = {}", l.seq, l.effective_ns, l.amount, l.counterparty,
                              l.balance));
  }
  return out;
}

size_t count_files(const fs::path& dir, const std::string& extension) {
  size_t n = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    n += entry.path().extension() == extension;
  }
  return n;
}

void check_statements(const fs::path& dir, uint32_t seed) {
  std::mt19937_64 rng(seed);
  Ledger ledger(LedgerOptions{dir});
  const int64_t span = 700 * kHour;
  for (int i = 0; i < 40; ++i) {
    const std::string id = account(static_cast<int>(rng() % kAccounts));
    std::optional<int64_t> from, to, known_at;
    if (i % 2) from = kStart + static_cast<int64_t>(rng() % span);
    if (i % 3) to = kStart + static_cast<int64_t>(rng() % span);
    if (i % 5 == 4) known_at = kStart + static_cast<int64_t>(rng() % span);
    auto statement = ledger.statement(id, from, to, known_at);
    REQUIRE(statement);
    int64_t opening = 0, closing = 0;
    const auto expected = expected_lines(dir, id, from, to, known_at, opening, closing);
    INFO("statement " << id << " case " << i);
    CHECK(actual_lines(*statement) == expected);
    CHECK(statement->opening_balance == opening);
    CHECK(statement->closing_balance == closing);
  }
}

}  // namespace

TEST_SUITE("account index") {
  TEST_CASE("statements through the account index equal a replay of the log") {
    TempDir dir;
    write_books(dir.path(), 21, 400);
    const size_t segments = count_files(dir.path(), ".seg");
    REQUIRE(segments > 5);
    check_statements(dir.path(), 1);
    // Every sealed segment got its index on the way.
    CHECK(count_files(dir.path(), ".acx") == segments - 1);
  }

  TEST_CASE("one account's balance --at, read through the postings, equals its events' sum") {
    TempDir dir;
    write_books_with_late_account(dir.path());
    REQUIRE(count_files(dir.path(), ".seg") > 5);
    check_balances_at(dir.path(), 5);
    // The answers came from the postings (.acx): with one damaged, a question that needs it
    // says so, and the log answers the same.
    const std::vector<fs::path> indexes = files_with(dir.path(), ".acx");
    REQUIRE(indexes.size() > 3);
    std::string bytes = ledger::store::testing::read_bytes(indexes.back());
    bytes[200] ^= 0x01;
    std::ofstream(indexes.back(), std::ios::binary | std::ios::trunc) << bytes;
    Ledger ledger(LedgerOptions{dir.path()});
    auto views = ledger.balances({account(0)}, Cutoffs{kStart + 500 * kHour, std::nullopt});
    REQUIRE(views);
    CHECK(views->front().balance == account_then(dir.path(), account(0), kStart + 500 * kHour).balance);
    REQUIRE(ledger.warnings().size() == 1);
    CHECK(ledger.warnings()[0].find("account index " + indexes.back().filename().string() +
                                    " skipped") == 0);
  }

  TEST_CASE("an account index of format 1 is passed over by queries and built again") {
    TempDir dir;
    write_books_with_late_account(dir.path());
    const std::vector<fs::path> indexes = files_with(dir.path(), ".acx");
    REQUIRE(indexes.size() > 3);
    size_t others = 0;
    for (const fs::path& path : indexes) others += make_format_1(path);
    CHECK(others > 0);  // The late account's opening and closing, at least.
    // Queries answer from the log, silently: an older format is not damage.
    check_balances_at(dir.path(), 6);
    check_statements(dir.path(), 7);
    Ledger ledger(LedgerOptions{dir.path()});
    auto verified = ledger.verify();
    REQUIRE(verified);
    CHECK(verified->chain_intact);
    CHECK(verified->account_indexes == 0);
    size_t older = 0;
    for (const std::string& note : verified->notes) {
      older += note.find("is of an older format") != std::string::npos;
    }
    CHECK(older == indexes.size());
    // `ledger snapshot` builds them again, in the current format.
    REQUIRE(ledger.snapshot());
    for (const fs::path& path : indexes) {
      auto run = store::SortedRun::open(path);
      REQUIRE(run);
      CHECK(app::is_current_format(*run));
    }
    auto again = ledger.verify();
    REQUIRE(again);
    CHECK(again->account_indexes == indexes.size());
    check_balances_at(dir.path(), 8);
  }

  TEST_CASE("a damaged or stale account index is skipped or rebuilt, and answers stay right") {
    TempDir dir;
    write_books(dir.path(), 22, 300);
    check_statements(dir.path(), 2);
    std::vector<fs::path> indexes = files_with(dir.path(), ".acx");
    REQUIRE(indexes.size() > 3);
    // A flipped byte in a block; an index of another segment put in its place; a truncation.
    std::string bytes = ledger::store::testing::read_bytes(indexes[0]);
    bytes[100] ^= 0x10;
    std::ofstream(indexes[0], std::ios::binary | std::ios::trunc) << bytes;
    fs::copy_file(indexes[2], indexes[1], fs::copy_options::overwrite_existing);
    fs::resize_file(indexes[3], fs::file_size(indexes[3]) / 2);
    check_statements(dir.path(), 3);
    check_statements(dir.path(), 4);
  }
}

TEST_CASE("a writer builds a sealed segment's account index from that segment alone") {
  // One import is one commit across many segments. Building the index of one of its first
  // segments once read ahead through the rest of the commit (and then the next segment's first
  // frame) before it could stop; it reads as much as the index of the commit's last one.
  TempDir dir;
  {
    Ledger ledger(options_for(dir.path()));
    open_accounts(ledger);
    std::string csv = "op,account,amount\n";
    for (int i = 0; i < 3000; ++i) csv += fmt::format("deposit,{},1.00\n", account(i % kAccounts));
    std::istringstream in(csv);
    app::ImportReader reader(in, app::ImportFormat::kCsv, kStart, 10);
    auto imported = ledger.import(reader, false, 10, {});
    REQUIRE_MESSAGE(imported, imported.status().message());
    REQUIRE(imported->recorded == 3000);
  }
  auto segments = store::list_segments(dir.path());
  REQUIRE(segments);
  REQUIRE(segments->size() >= 10);
  auto preads_to_build = [&](size_t i) {
    fs::remove(app::account_index_path((*segments)[i]));
    store::testing::FaultySyscalls sys;
    auto index = app::SegmentAccountIndex::open(sys, *segments, i, app::IndexUse::kBuild);
    REQUIRE_MESSAGE(index, index.status().message());
    CHECK(index->rebuilt());
    return sys.calls(store::testing::Op::kPread);
  };
  const uint64_t early = preads_to_build(1);
  const uint64_t last = preads_to_build(segments->size() - 2);
  MESSAGE("reads to build segment 1: ", early, "; the last sealed one: ", last);
  CHECK(early <= last + 2);
}
