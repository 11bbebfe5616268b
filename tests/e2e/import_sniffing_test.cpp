// Import takes what people have at hand, through the real binary: JSON lines on standard input
// without --format are recognised by their first byte; a CSV separated by semicolons (or tabs)
// is refused with one line that names the separator; what a spreadsheet writes (spaces around
// values, capitals in an op or a column name) is read as meant.
#include <doctest/doctest.h>

#include <string>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

std::string balances(const TestLedger& ledger) { return ledger.ok("balance --format csv").out; }

void set_up(const TestLedger& ledger) {
  ledger.ok("open CHK-001 --date 2026-01-01");
  ledger.ok("deposit CHK-001 10 --date 2026-01-02");
}

constexpr const char* kTenDollars = "account,balance,currency\nCHK-001,10.00,USD\n";

}  // namespace

TEST_SUITE("e2e import sniffing") {
  TEST_CASE("JSON lines on standard input are recognised without --format jsonl") {
    TestLedger ledger;
    set_up(ledger);
    const auto rows =
        ledger.file("rows",
                    "\n  "
                    R"({"op":"deposit","account":"CHK-001","amount":"1.50","date":"2026-01-03"})"
                    "\n"
                    R"({"op":"withdraw","account":"CHK-001","amount":"0.50","date":"2026-01-04"})"
                    "\n");
    const RunResult r = ledger.run_with_stdin("import -", rows);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "2 new, 0 already recorded\n");
    CHECK(balances(ledger) == "account,balance,currency\nCHK-001,11.00,USD\n");
    // The same rows through a file of no telling name: the same content, so nothing new.
    CHECK(ledger.ok("import " + shell_quote(rows.string())).out == "0 new, 2 already recorded\n");
  }

  TEST_CASE("JSON lines given as --format csv are refused in one line that names --format jsonl") {
    TestLedger ledger;
    set_up(ledger);
    const auto rows = ledger.file("rows", R"({"op":"deposit","account":"CHK-001","amount":"1"})"
                                          "\n");
    const auto before = ledger.files();
    const RunResult r = ledger.run_with_stdin("import - --format csv", rows);
    CHECK(r.exit_code == 65);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "<stdin>:1: error: this looks like JSON lines, not CSV: import it with "
          "--format jsonl; nothing was imported\n");
    check_unchanged(before, ledger.files());
    CHECK(balances(ledger) == kTenDollars);
  }

  TEST_CASE("a CSV separated by semicolons is refused in one line that names the separator") {
    TestLedger ledger;
    set_up(ledger);
    const auto file = ledger.file("semi.csv",
                                  "op;account;amount;date\n"
                                  "deposit;CHK-001;7,00;2026-01-03\n");
    const auto before = ledger.files();
    const RunResult r = ledger.run("import " + shell_quote(file.string()));
    CHECK(r.exit_code == 65);
    CHECK(r.out.empty());
    CHECK(r.err == file.string() +
                       ":1: error: the header row is separated by semicolons (\";\"), not "
                       "commas: import reads CSV with commas (and points in amounts), or JSON "
                       "lines; nothing was imported\n");
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("a CSV separated by tabs is refused the same way, naming tabs") {
    TestLedger ledger;
    set_up(ledger);
    const auto file = ledger.file("tabs.csv", "op\taccount\tamount\ndeposit\tCHK-001\t7.00\n");
    const auto before = ledger.files();
    const RunResult r = ledger.run_with_stdin("import -", file);
    CHECK(r.exit_code == 65);
    CHECK(lines_of(r.err).size() == 1);
    CHECK(r.err.starts_with("<stdin>:1: error: the header row is separated by tabs, not commas"));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE(
      "spaces around values and capitals in ops and column names are what a spreadsheet "
      "writes, and are read as meant") {
    TestLedger ledger;
    set_up(ledger);
    const auto file = ledger.file("sheet.csv",
                                  " Op , Account ,Amount,Date,Memo\n"
                                  "Deposit, CHK-001 , 7.00 , 2026-01-03 , kept as written \n"
                                  "WITHDRAW,CHK-001,\t2\t,2026-01-04,\n");
    const RunResult r = ledger.run("import " + shell_quote(file.string()));
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "2 new, 0 already recorded\n");
    CHECK(balances(ledger) == "account,balance,currency\nCHK-001,15.00,USD\n");
    // A memo is the user's words: its spaces are kept (and so quoted in CSV).
    CHECK(contains(ledger.ok("statement CHK-001 --format csv").out, ",\" kept as written \","));
    // The tidied row is the same content as the tidy one: a re-run adds nothing.
    const auto tidy = ledger.file("tidy.csv",
                                  "op,account,amount,date,memo\n"
                                  "deposit,CHK-001,7.00,2026-01-03, kept as written \n"
                                  "withdraw,CHK-001,2,2026-01-04,\n");
    CHECK(ledger.ok("import " + shell_quote(tidy.string())).out == "0 new, 2 already recorded\n");
  }
}
