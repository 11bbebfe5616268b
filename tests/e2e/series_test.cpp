// balance --every through the real binary: one row per period end in every format, each row
// what `balance --at` that end says (backdated entries, snapshots and --known-at included), and
// --format chart drawn on a terminal, compared with golden text.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "e2e/e2e_support.h"
#include "e2e/pty.h"

using namespace ledger::e2e;

namespace {

// CHK-001 (opened 2026-01-02, overdraft limit 500) with a salary each month end, rent each
// month's 3rd, one overdraft in January; SAV-001 from 2026-02-01 with savings from CHK-001; a
// deposit dated 2026-01-20 recorded last (backdated into the first month).
void set_up(const TestLedger& ledger) {
  ledger.ok("open CHK-001 --overdraft-limit 500 --date 2026-01-02");
  ledger.ok("withdraw CHK-001 300 --memo rent --date 2026-01-03");
  ledger.ok("deposit CHK-001 2500 --memo salary --date 2026-01-31");
  ledger.ok("open SAV-001 --date 2026-02-01");
  ledger.ok("withdraw CHK-001 1450 --memo rent --date 2026-02-03");
  ledger.ok("transfer CHK-001 SAV-001 400 --memo savings --date 2026-02-05");
  ledger.ok("deposit CHK-001 2500 --memo salary --date 2026-02-27");
  ledger.ok("withdraw CHK-001 1450 --memo rent --date 2026-03-03");
  ledger.ok("deposit CHK-001 120.50 --memo refund --date 2026-01-20");
}

}  // namespace

TEST_SUITE("balance series") {
  TEST_CASE("--every month: one row per month end and account, as balance --at says") {
    TestLedger ledger;
    set_up(ledger);
    const std::string csv =
        ledger.ok("balance --every month --from 2026-01-01 --to 2026-03-31 --format csv").out;
    CHECK(csv ==
          "date,account,balance,currency\n"
          "2026-01-31,CHK-001,2320.50,USD\n"
          "2026-02-28,CHK-001,2970.50,USD\n"
          "2026-02-28,SAV-001,400.00,USD\n"
          "2026-03-31,CHK-001,1520.50,USD\n"
          "2026-03-31,SAV-001,400.00,USD\n");
    // Each row is what balance --at its date says.
    for (const std::string& line : lines_of(csv)) {
      const auto f = csv_fields(line);
      if (f[0] == "date") continue;
      INFO(line);
      CHECK(ledger.ok("balance " + f[1] + " --at " + f[0] + " --format csv").out ==
            "account,balance,currency\n" + f[1] + "," + f[2] + "," + f[3] + "\n");
    }
  }

  TEST_CASE("a period cut short by --to ends at --to, the first is the one holding --from") {
    TestLedger ledger;
    set_up(ledger);
    CHECK(ledger.ok("balance CHK-001 --every week --from 2026-01-28 --to 2026-02-04").out ==
          "date,account,balance,currency\n"
          "2026-02-01,CHK-001,2320.50,USD\n"  // Sunday: the week of Wednesday the 28th.
          "2026-02-04,CHK-001,870.50,USD\n");
    CHECK(ledger.ok("balance CHK-001 --every quarter --from 2026-01-01 --to 2026-03-31").out ==
          "date,account,balance,currency\n2026-03-31,CHK-001,1520.50,USD\n");
    CHECK(ledger.ok("balance CHK-001 --every year --from 2026-01-01 --to 2026-02-01").out ==
          "date,account,balance,currency\n2026-02-01,CHK-001,2320.50,USD\n");
    const auto days =
        lines_of(ledger.ok("balance CHK-001 --every day --from 2026-01-01 --to 2026-01-31").out);
    REQUIRE(days.size() == 31);  // The header and January 2..31 (opened on the 2nd).
    CHECK(days[1] == "2026-01-02,CHK-001,0.00,USD");
    CHECK(days[2] == "2026-01-03,CHK-001,-300.00,USD");
    CHECK(days[19] == "2026-01-20,CHK-001,-179.50,USD");
    CHECK(days[30] == "2026-01-31,CHK-001,2320.50,USD");
  }

  TEST_CASE("without --from the series starts at the first opening, without --to, today") {
    TestLedger ledger;
    set_up(ledger);
    const auto lines = lines_of(ledger.ok("balance SAV-001 --every month").out);
    REQUIRE(lines.size() >= 3);
    CHECK(lines[1] == "2026-02-28,SAV-001,400.00,USD");
    CHECK(lines.back().ends_with(",SAV-001,400.00,USD"));
  }

  TEST_CASE("the series in json, jsonl, tsv and as a table with its heading") {
    TestLedger ledger;
    set_up(ledger);
    const std::string args = "balance CHK-001 --every month --from 2026-01-01 --to 2026-02-28";
    CHECK(ledger.ok(args + " --format json").out ==
          "[\n"
          "  {\"date\":\"2026-01-31\",\"account\":\"CHK-001\",\"balance\":\"2320.50\","
          "\"currency\":\"USD\"},\n"
          "  {\"date\":\"2026-02-28\",\"account\":\"CHK-001\",\"balance\":\"2970.50\","
          "\"currency\":\"USD\"}\n"
          "]\n");
    CHECK(lines_of(ledger.ok(args + " --format jsonl").out).size() == 2);
    CHECK(ledger.ok(args + " --format tsv").out ==
          "date\taccount\tbalance\tcurrency\n2026-01-31\tCHK-001\t2320.50\tUSD\n"
          "2026-02-28\tCHK-001\t2970.50\tUSD\n");
    CHECK(ledger.ok(args + " --format table").out ==
          "balance at the end of each month, from 2026-01-01, as of 2026-02-28\n"
          "date        account  balance  currency\n"
          "2026-01-31  CHK-001  2320.50  USD\n"
          "2026-02-28  CHK-001  2970.50  USD\n");
  }

  TEST_CASE("snapshots and --known-at give the same series as a replay would") {
    TestLedger ledger;
    set_up(ledger);
    const std::string args =
        "balance --every month --from 2026-01-01 --to 2026-03-31 --format csv";
    const std::string before = ledger.ok(args).out;
    // (PostgreSQL keeps no snapshots: there the series comes from its tables alone.)
    if (!on_postgres()) ledger.ok("snapshot");
    ledger.ok("deposit CHK-001 1 --memo late --date 2026-01-05");
    if (!on_postgres()) ledger.ok("snapshot");
    const std::string after = ledger.ok(args).out;
    CHECK(contains(after, "2026-01-31,CHK-001,2321.50,USD"));
    CHECK(contains(after, "2026-03-31,CHK-001,1521.50,USD"));
    // As known before the late deposit: the first answer again.
    const auto history = lines_of(ledger.ok("history --format csv").out);
    const std::string recorded = csv_fields(history[history.size() - 2])[1];
    CHECK(ledger.ok(args + " --known-at " + recorded).out == before);
  }

  TEST_CASE("an unknown account in a series is refused as balance refuses it") {
    TestLedger ledger;
    set_up(ledger);
    const RunResult r = ledger.run("balance CHK-01 --every month");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "unknown account \"CHK-01\""));
    CHECK(r.out.empty());
  }

  TEST_CASE("--format chart on a terminal draws the series in the terminal's width") {
    TestLedger ledger;
    set_up(ledger);
    const Shown shown = on_terminal(
        ledger, "balance CHK-001 --every month --from 2026-01-01 --to 2026-03-31 --format chart",
        "", "", "stty cols 60 rows 40 </dev/tty");
    CHECK(shown.exit_code == 0);
    CHECK(shown.text ==
          "CHK-001 (USD), balance at the end of each month, from 2026-01-01, as of 2026-03-31\n"
          "2026-01-31 ████████████████████████████████          2320.50\n"
          "2026-02-28 █████████████████████████████████████████ 2970.50\n"
          "2026-03-31 █████████████████████                     1520.50\n"
          "           └───────────────────────────────────────┘\n"
          "           0.00 USD                      2970.50 USD\n");
  }

  TEST_CASE("a chart draws one account: two, or all, are a usage error on a terminal too") {
    TestLedger ledger;
    set_up(ledger);
    const auto before = ledger.files();
    for (const char* args : {"balance CHK-001 SAV-001 --every month --format chart",
                             "balance --every month --format chart"}) {
      INFO(args);
      const Shown shown = on_terminal(ledger, args);
      CHECK(shown.exit_code == 64);
      CHECK(contains(shown.text, "--format chart draws one account: name it"));
      CHECK(lines_of(shown.text).size() == 1);
    }
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("--format chart draws a statement's running balance, below zero too") {
    TestLedger ledger;
    set_up(ledger);
    const Shown shown = on_terminal(
        ledger, "statement CHK-001 --to 2026-02-05 --format chart", "", "",
        "stty cols 60 rows 40 </dev/tty");
    CHECK(shown.exit_code == 0);
    // Zero five columns in (300.00 of a 2620.50 span over 41 columns): overdrafts to its left.
    CHECK(shown.text ==
          "running balance of CHK-001 (USD), as of 2026-02-05\n"
          "opening                                                 0.00\n"
          "2026-01-03 █████                                     -300.00\n"
          "2026-01-20   ███                                     -179.50\n"
          "2026-01-31      ████████████████████████████████████ 2320.50\n"
          "2026-02-03      █████████████▋                        870.50\n"
          "2026-02-05      ███████▍                              470.50\n"
          "           └────┴──────────────────────────────────┘\n"
          "           -300.00 USD                   2320.50 USD\n");
  }
}
