// Ledgers written by earlier versions, kept as their segment files, and what every later
// version must answer from them. The answers below were worked out by hand from the commands
// that wrote each ledger (listed with it), not printed by the reader under test.
#include <doctest/doctest.h>

#include "e2e/e2e_support.h"

namespace {

using namespace ledger::e2e;

const fs::path kGoldenDir = fs::path(LEDGER_TEST_DATA) / "golden";

// A fresh copy of a golden ledger, so that a write leaves the kept files as they are.
void copy_golden(const TestLedger& ledger, const std::string& name) {
  fs::create_directories(ledger.dir());
  fs::copy(kGoldenDir / name, ledger.dir(), fs::copy_options::recursive);
}

std::string balances(const TestLedger& ledger, const std::string& at, const std::string& env) {
  return ledger.ok("balance --format csv" + (at.empty() ? "" : " --at " + at), env).out;
}

}  // namespace

TEST_SUITE("e2e golden ledgers") {
  // Written by format version 1 (commit a954762) with TZ=America/New_York:
  //   open CHK-001 --date 2025-01-01 --owner 'Ada Lovelace'; open SAV-001 --date 2025-01-01
  //   open OLD-001 --date 2025-01-02
  //   deposit CHK-001 500 --date 2025-03-01 --memo salary --ref pay-1
  //   withdraw CHK-001 120.50 --date 2025-03-05 --memo groceries
  //   transfer CHK-001 SAV-001 100 --date 2025-03-10 --memo savings
  //   deposit CHK-001 10 --date 2025-06-30T22:30:00-04:00 --memo late
  //   close OLD-001 --date 2025-02-01
  // Version 1 kept a date as the last nanosecond of that day in the typist's zone.
  TEST_CASE("a version 1 ledger reads in the zone TZ names until a write records one") {
    TestLedger ledger;
    copy_golden(ledger, "v1-ledger");
    const std::string ny = "TZ=America/New_York";
    CHECK(csv_fields(lines_of(ledger.ok("stats --format csv", ny).out)[1]).back() == "");
    CHECK(balances(ledger, "", ny) ==
          "account,balance,currency\nCHK-001,289.50,USD\nOLD-001,0.00,USD\nSAV-001,100.00,USD\n");
    CHECK(balances(ledger, "2025-03-04", ny) ==
          "account,balance,currency\nCHK-001,500.00,USD\nOLD-001,0.00,USD\nSAV-001,0.00,USD\n");
    CHECK(balances(ledger, "2025-03-05", ny) ==
          "account,balance,currency\nCHK-001,379.50,USD\nOLD-001,0.00,USD\nSAV-001,0.00,USD\n");
    CHECK(balances(ledger, "2025-03-10", ny) ==
          "account,balance,currency\nCHK-001,279.50,USD\nOLD-001,0.00,USD\nSAV-001,100.00,USD\n");
    // Its dates are instants at the end of their day; accounts are open from their day's start.
    const auto history = lines_of(ledger.ok("history --format csv", ny).out);
    REQUIRE(history.size() == 9);
    CHECK(csv_fields(history[4])[2] == "2025-03-01T23:59:59.999999999-05:00");
    CHECK(csv_fields(history[7])[2] == "2025-06-30T22:30:00-04:00");
    CHECK(contains(ledger.ok("accounts --format csv", ny).out,
                   "CHK-001,289.50,USD,open,Ada Lovelace,0.00,2025-01-01\n"));
    CHECK(contains(ledger.ok("verify", ny).out, "verified 8 events"));

    // The first write records the zone in a new segment; the old one stays as it was.
    const std::string old_segment = read_file(ledger.dir() / "00000000000000000001.seg");
    ledger.ok("deposit CHK-001 1 --date 2025-03-05 --timezone America/New_York", kUtc);
    CHECK(read_file(ledger.dir() / "00000000000000000001.seg") == old_segment);
    CHECK(fs::exists(ledger.dir() / "00000000000000000009.seg"));
    for (const std::string& reader : {std::string(kUtc), ny, std::string("TZ=Asia/Tokyo")}) {
      INFO("reader " << reader);
      CHECK(csv_fields(lines_of(ledger.ok("stats --format csv", reader).out)[1]).back() ==
            "America/New_York");
      CHECK(balances(ledger, "2025-03-05", reader) ==
            "account,balance,currency\nCHK-001,380.50,USD\nOLD-001,0.00,USD\nSAV-001,0.00,USD\n");
    }
    CHECK(contains(ledger.ok("verify").out, "verified 9 events"));
    // Dated a day the version 1 withdrawal (end of 2025-03-05) and the new deposit share, the
    // new rules hold it to the day's balance: 380.50 is there to take, 380.51 is not.
    CHECK(ledger.run("withdraw CHK-001 380.51 --date 2025-03-05").exit_code == 1);
  }

  // Written by format version 2 (this change) with --timezone Asia/Tokyo, the reader in UTC:
  //   open CHK-001 --date 2025-01-01 --owner 'Ada Lovelace' --overdraft-limit 50
  //   open SAV-001 --date 2025-01-01; open JPY-001 --currency JPY --date 2025-01-01
  //   open OLD-001 --date 2025-01-02
  //   deposit CHK-001 500 --date 2025-03-01 --memo salary --ref pay-1
  //   withdraw CHK-001 120.50 --date 2025-03-05 --memo groceries
  //   transfer CHK-001 SAV-001 100 --date 2025-03-10 --memo savings
  //   deposit CHK-001 10 --date 2025-06-30T22:30:00+09:00 --memo late
  //   close OLD-001 --date 2025-02-01
  //   import: withdraw,CHK-001,300,2025-03-02,rent / deposit,JPY-001,1500,2025-04-01,gift
  TEST_CASE("a version 2 ledger keeps its zone, its dates and its answers") {
    TestLedger ledger;
    copy_golden(ledger, "v2-ledger");
    const auto before = ledger.files();
    for (const std::string& reader : {std::string(kUtc), std::string("TZ=America/Los_Angeles")}) {
      INFO("reader " << reader);
      CHECK(csv_fields(lines_of(ledger.ok("stats --format csv", reader).out)[1]).back() ==
            "Asia/Tokyo");
      // CHK-001: 500 on 03-01, -300 on 03-02, -120.50 on 03-05, -100 on 03-10, +10 on 06-30.
      CHECK(balances(ledger, "", reader) ==
            "account,balance,currency\nCHK-001,-10.50,USD\nJPY-001,1500,JPY\nOLD-001,0.00,USD\n"
            "SAV-001,100.00,USD\n");
      CHECK(balances(ledger, "2025-03-02", reader) ==
            "account,balance,currency\nCHK-001,200.00,USD\nJPY-001,0,JPY\nOLD-001,0.00,USD\n"
            "SAV-001,0.00,USD\n");
      CHECK(balances(ledger, "2025-06-30T13:29:59Z", reader) ==
            "account,balance,currency\nCHK-001,-20.50,USD\nJPY-001,1500,JPY\nOLD-001,0.00,USD\n"
            "SAV-001,100.00,USD\n");
      CHECK(ledger.ok("statement CHK-001 --format csv --from 2025-03-05 --to 2025-06-30", reader)
                .out ==
            "date,seq,type,counterparty,amount,balance,currency,memo,ref\n"
            "2025-03-05,6,withdrawal,,-120.50,79.50,USD,groceries,\n"
            "2025-03-10,7,transfer out,SAV-001,-100.00,-20.50,USD,savings,\n"
            "2025-06-30T22:30:00+09:00,8,deposit,,10.00,-10.50,USD,late,\n");
    }
    CHECK(contains(ledger.ok("verify").out, "verified 11 events"));
    check_unchanged(before, ledger.files());
  }
}
