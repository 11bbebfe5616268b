// `ledger snapshot` and the automatic snapshots, through the real binary.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstring>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

std::vector<std::string> snapshot_names(const TestLedger& ledger) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ledger.dir() / "snapshots", ec)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

void flip_last_byte(const fs::path& path) {
  std::string bytes = read_file(path);
  bytes.back() ^= 0x01;
  write_file(path, bytes);
}

}  // namespace

TEST_SUITE("e2e snapshots") {
  TEST_CASE("snapshot saves the state at the head and says so") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    ledger.ok("deposit ACC-001 500");
    auto r = ledger.run("snapshot");
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("snapshot at event 2: 1 account, "));
    CHECK(r.err.empty());
    CHECK(snapshot_names(ledger) == std::vector<std::string>{"00000000000000000002.snap"});

    r = ledger.run("snapshot");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "snapshot at event 2 already exists (1 account)\n");
    CHECK(ledger.run("-q snapshot").out.empty());
  }

  TEST_CASE("snapshot of an empty or absent ledger is refused and creates nothing") {
    TestLedger ledger;
    auto r = ledger.run("snapshot");
    CHECK(r.exit_code == 1);
    CHECK(r.err == "ledger: error: the ledger is empty: there is nothing to snapshot\n");
    CHECK(!fs::exists(ledger.dir()));
  }

  TEST_CASE("writes take snapshots every N events, and answers do not change") {
    TestLedger ledger;
    // The limit lets the backdated transfer below take ACC-001 under zero in January.
    ledger.ok("open ACC-001 --date 2026-01-01 --overdraft-limit 10");
    ledger.ok("open ACC-002 --date 2026-01-01");
    for (int i = 1; i <= 9; ++i) {
      ledger.ok(fmt::format("--snapshot-every 3 deposit ACC-001 {} --date 2026-02-0{}", i, i));
    }
    ledger.ok("--snapshot-every 3 transfer ACC-001 ACC-002 5 --date 2026-01-15");
    CHECK(snapshot_names(ledger) == std::vector<std::string>{
                                        "00000000000000000003.snap", "00000000000000000006.snap",
                                        "00000000000000000009.snap", "00000000000000000012.snap"});
    CHECK(ledger.ok("balance --format csv").out ==
          "account,balance,currency\nACC-001,40.00,USD\nACC-002,5.00,USD\n");
    CHECK(ledger.ok("balance --format csv --at 2026-02-04").out ==
          "account,balance,currency\nACC-001,5.00,USD\nACC-002,5.00,USD\n");
    CHECK(ledger.ok("balance --format csv --at 2026-01-20").out ==
          "account,balance,currency\nACC-001,-5.00,USD\nACC-002,5.00,USD\n");
  }

  TEST_CASE("--snapshot-every 0 never snapshots on its own") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    for (int i = 0; i < 5; ++i) ledger.ok("--snapshot-every 0 deposit ACC-001 1");
    CHECK(snapshot_names(ledger).empty());
  }

  TEST_CASE("an import takes snapshots inside it, once it is durable") {
    TestLedger ledger;
    std::string csv = "op,account,amount,date\nopen,ACC-001,,2026-01-01\n";
    for (int i = 0; i < 2500; ++i) csv += fmt::format("deposit,ACC-001,1,2026-03-{:02}\n", 1 + i / 100);
    ledger.ok("--snapshot-every 1000 import " + shell_quote(ledger.file("rows.csv", csv).string()));
    // Frames of an import hold 64 events: snapshots fall at the first frame end N events on.
    CHECK(snapshot_names(ledger) == std::vector<std::string>{"00000000000000001024.snap",
                                                             "00000000000000002048.snap"});
    CHECK(ledger.ok("balance --format csv --at 2026-03-10").out ==
          "account,balance,currency\nACC-001,1000.00,USD\n");
  }

  TEST_CASE("a damaged snapshot is skipped with a warning and the answer stays right") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    ledger.ok("deposit ACC-001 500");
    ledger.ok("snapshot");
    ledger.ok("deposit ACC-001 1");
    flip_last_byte(ledger.dir() / "snapshots" / "00000000000000000002.snap");
    const auto before = ledger.files();
    auto r = ledger.run("balance ACC-001 --format csv");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "account,balance,currency\nACC-001,501.00,USD\n");
    CHECK(r.err ==
          "ledger: warning: snapshot 00000000000000000002.snap skipped: snapshot "
          "00000000000000000002.snap: payload block 0 checksum mismatch\n");
    check_unchanged(before, ledger.files());
  }

  // A question checks the blocks of the snapshot it reads (ledger-format(5), SNAPSHOT FILES):
  // damage elsewhere does not reach its answer, and verify still names it.
  TEST_CASE("a damaged block of a snapshot is skipped by the questions that read it") {
    TestLedger ledger;
    std::string csv = "op,account,amount,date\n";
    for (int i = 1; i <= 300; ++i) csv += fmt::format("open,ACC-{:03},,2026-01-01\n", i);
    for (int i = 1; i <= 300; ++i) csv += fmt::format("deposit,ACC-{:03},{},2026-01-02\n", i, i);
    ledger.ok("import " + shell_quote(ledger.file("rows.csv", csv).string()));
    ledger.ok("snapshot");
    const fs::path snap = ledger.dir() / "snapshots" / "00000000000000000600.snap";
    std::string bytes = read_file(snap);
    REQUIRE(bytes.size() > 128);
    uint64_t payload_size = 0;
    std::memcpy(&payload_size, bytes.data() + 80, 8);  // Little-endian, as this machine.
    const uint64_t blocks = (payload_size + 4095) / 4096;
    REQUIRE(blocks == 6);  // 300 records of 64 bytes, then their ids.
    // Block 3 holds records 191 to 254: ACC-001's search never reaches it, ACC-200's ends in it.
    bytes[128 + 8 * blocks + 3 * 4096 + 100] ^= 0x01;
    write_file(snap, bytes);
    const auto before = ledger.files();
    auto first = ledger.run("balance ACC-001 --format csv");
    CHECK(first.exit_code == 0);
    CHECK(first.out == "account,balance,currency\nACC-001,1.00,USD\n");
    CHECK(first.err.empty());
    // With --at the account index is read by key: the snapshot says no two of its accounts share
    // one, so the other ids (block 3 among them) are not read to find out.
    auto at = ledger.run("balance ACC-001 --at 2026-01-02 --format csv");
    CHECK(at.exit_code == 0);
    CHECK(at.out == "account,balance,currency\nACC-001,1.00,USD\n");
    CHECK(at.err.empty());
    auto damaged = ledger.run("balance ACC-200 --format csv");
    CHECK(damaged.exit_code == 0);
    CHECK(damaged.out == "account,balance,currency\nACC-200,200.00,USD\n");
    CHECK(damaged.err ==
          "ledger: warning: snapshot 00000000000000000600.snap skipped: snapshot "
          "00000000000000000600.snap: payload block 3 checksum mismatch\n");
    auto all = ledger.run("balance --format csv");
    CHECK(all.exit_code == 0);
    CHECK(contains(all.out, "\nACC-200,200.00,USD\nACC-201,201.00,USD\n"));
    CHECK(contains(all.err, "payload block 3 checksum mismatch"));
    check_unchanged(before, ledger.files());
    auto verify = ledger.run("verify");
    CHECK(verify.exit_code == 1);
    CHECK(contains(verify.err, "snapshots/00000000000000000600.snap"));
    CHECK(contains(verify.err, "payload block 3 checksum mismatch"));
  }

  TEST_CASE("queries write nothing: without its indexes the log answers, and snapshot builds them") {
    TestLedger ledger;
    ledger.ok("open ACC-001 --date 2026-01-01 --segment-size 4096");
    // A week per import: each commit starts a segment of its own once the last is full.
    for (int week = 0; week < 4; ++week) {
      std::string rows = "op,account,amount,date,memo\n";
      for (int day = week * 7 + 1; day <= week * 7 + 7; ++day) {
        for (int i = 0; i < 6; ++i) {
          rows += fmt::format("deposit,ACC-001,1.{:02},2026-02-{:02},a memo to fill the segment\n",
                              i, day);
        }
      }
      const fs::path file = ledger.file(fmt::format("week{}.csv", week), rows);
      ledger.ok("--segment-size 4096 import " + shell_quote(file.string()));
    }
    const std::string statement = ledger.ok("statement ACC-001 --format csv").out;
    const std::string at = ledger.ok("balance --at 2026-02-14 --format csv").out;
    std::vector<fs::path> derived;
    for (const auto& entry : fs::directory_iterator(ledger.dir() / "index")) {
      const std::string ext = entry.path().extension().string();
      if (ext == ".acx" || ext == ".eff" || ext == ".idx") derived.push_back(entry.path());
    }
    REQUIRE(derived.size() >= 3);  // Several sealed segments, each with its indexes.
    for (const fs::path& path : derived) fs::remove(path);
    const auto before = ledger.files();
    CHECK(ledger.ok("statement ACC-001 --format csv").out == statement);
    CHECK(ledger.ok("balance --at 2026-02-14 --format csv").out == at);
    CHECK(ledger.ok("balance --at 2026-02-14 --format csv").out ==
          "account,balance,currency\nACC-001,"
          + fmt::format("{:.2f}", 14 * (6 + 0.15)) + ",USD\n");
    check_unchanged(before, ledger.files());
    ledger.ok("snapshot");
    for (const fs::path& path : derived) CHECK(fs::exists(path));
    CHECK(ledger.ok("statement ACC-001 --format csv").out == statement);
  }
}
