// Every refusal through the real binary: the exact exit code (1 a rule, 64 usage, 65 bad data,
// 66 missing input), a message on stderr naming the problem, nothing on stdout, and a data
// directory that is byte-for-byte what it was.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

struct Refusal {
  std::string args;                 // Shell words after `ledger --dir DIR`.
  int exit_code;
  std::vector<std::string> says;    // Distinctive substrings of stderr.
};

// ACC-001 (USD, 101.00, opened 2026-01-01, ref "used-ref" taken), ACC-002 (USD, 0.00),
// EUR-001, JPY-001, and OLD-001 (closed).
void set_up(const TestLedger& ledger) {
  ledger.ok("open ACC-001 --owner 'Ada Lovelace' --date 2026-01-01");
  ledger.ok("deposit ACC-001 100 --date 2026-01-02");
  ledger.ok("open ACC-002 --date 2026-01-01");
  ledger.ok("open EUR-001 --currency EUR --date 2026-01-01");
  ledger.ok("open JPY-001 --currency JPY --date 2026-01-01");
  ledger.ok("open OLD-001 --date 2026-01-01");
  ledger.ok("close OLD-001");
  ledger.ok("deposit ACC-001 1 --ref used-ref");
  REQUIRE(ledger.ok("balance ACC-001 --format csv").out ==
          "account,balance,currency\nACC-001,101.00,USD\n");
}

void check_refusals(const std::vector<Refusal>& refusals) {
  TestLedger ledger;
  set_up(ledger);
  const auto before = ledger.files();
  // A data directory has its lock file by now; a database, its tables.
  REQUIRE(before.count(on_postgres() ? "events" : "LOCK") == 1);
  for (const Refusal& refusal : refusals) {
    INFO("ledger " << refusal.args);
    const RunResult r = ledger.run(refusal.args);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == refusal.exit_code);
    for (const std::string& text : refusal.says) CHECK(contains(r.err, text));
    CHECK(r.out.empty());
    check_unchanged(before, ledger.files());
  }
  // And the books say what they said.
  CHECK(ledger.ok("balance --format csv").out ==
        "account,balance,currency\nACC-001,101.00,USD\nACC-002,0.00,USD\nEUR-001,0.00,EUR\n"
        "JPY-001,0,JPY\nOLD-001,0.00,USD\n");
}

}  // namespace

TEST_SUITE("e2e refusals") {
  TEST_CASE("a rule's refusal exits 1, says why on stderr and changes no file") {
    check_refusals({
        {"withdraw ACC-002 5", 1, {"insufficient funds in \"ACC-002\"", "would be at -5.00 USD"}},
        {"transfer ACC-001 ACC-002 101.01", 1, {"insufficient funds in \"ACC-001\""}},
        {"deposit ACC-01 5", 1, {"unknown account \"ACC-01\"", "did you mean \"ACC-001\""}},
        {"withdraw NOPE 5", 1, {"unknown account \"NOPE\"", "ledger open NOPE"}},
        {"transfer ACC-001 ACC-003 5", 1, {"unknown account \"ACC-003\"", "did you mean"}},
        {"balance ACC-01", 1, {"unknown account \"ACC-01\"", "did you mean \"ACC-001\""}},
        {"statement ACC-01", 1, {"unknown account \"ACC-01\"", "did you mean \"ACC-001\""}},
        {"deposit OLD-001 5", 1, {"account \"OLD-001\" is closed"}},
        {"transfer ACC-001 OLD-001 5", 1, {"account \"OLD-001\" is closed"}},
        {"deposit ACC-001 5 --date 2025-12-31", 1,
         {"before account \"ACC-001\" was opened"}},
        {"deposit ACC-001 2 --ref used-ref", 1,
         {"ref \"used-ref\" was already used for different content"}},
        {"open ACC-009 --ref used-ref", 1, {"ref \"used-ref\" was already used"}},
        {"transfer ACC-001 ACC-001 5", 1, {"cannot transfer from \"ACC-001\" to itself"}},
        {"transfer ACC-001 EUR-001 5", 1, {"cannot transfer between currencies", "EUR"}},
        {"close ACC-001", 1, {"cannot close \"ACC-001\"", "101.00 USD"}},
        {"open ACC-002", 1, {"account \"ACC-002\" already exists"}},
        // The largest amount that parses (int64 minor units) would overflow the balance.
        {"deposit ACC-001 92233720368547758.07", 1, {"overflow"}},
    });
  }

  TEST_CASE("bad data exits 65, names the value and changes no file") {
    const std::string long_id(65, 'A');
    check_refusals({
        {"deposit ACC-001 -5", 65, {"invalid amount \"-5\"", "positive"}},
        {"deposit ACC-001 0", 65, {"invalid amount \"0\"", "greater than zero"}},
        {"deposit ACC-001 1e3", 65, {"invalid amount \"1e3\""}},
        {"withdraw ACC-001 12.345", 65, {"invalid amount \"12.345\"", "USD has 2 decimal places"}},
        {"deposit ACC-001 abc", 65, {"invalid amount \"abc\""}},
        {"deposit ACC-001 12abc", 65, {"invalid amount \"12abc\""}},
        {"deposit ACC-001 99999999999999999999", 65,
         {"invalid amount \"99999999999999999999\"", "too large"}},
        {"transfer ACC-001 ACC-002 -1", 65, {"invalid amount \"-1\""}},
        {"deposit JPY-001 500.5", 65, {"invalid amount \"500.5\"", "JPY has 0 decimal places"}},
        {"deposit 'BAD ID' 5", 65, {"invalid account id \"BAD ID\""}},
        {"open 'x/y'", 65, {"invalid account id \"x/y\""}},
        {"open " + long_id, 65, {"invalid account id", "1 to 64 characters"}},
        {"deposit ACC-001 5 --date 2026-13-01", 65, {"--date", "invalid date \"2026-13-01\""}},
        {"deposit ACC-001 5 --date yesterdayish", 65, {"invalid date \"yesterdayish\""}},
        {"deposit ACC-001 5 --date 2099-01-01", 65, {"\"2099-01-01\" is in the future"}},
        {"withdraw ACC-001 5 --date 2099-06-30T12:00:00Z", 65, {"is in the future"}},
        {"open NEW-001 --currency XYZ", 65, {"unknown currency \"XYZ\""}},
        {"open NEW-001 --overdraft-limit -1", 65, {"invalid overdraft limit \"-1\""}},
        {"balance --at garbage", 65, {"--at", "invalid date \"garbage\""}},
        {"balance --known-at 2026-02-30", 65, {"--known-at", "invalid date"}},
        {"statement ACC-001 --from nope", 65, {"--from", "invalid date \"nope\""}},
        // Text is UTF-8, as every output and a database's text columns need (both stores alike).
        {"open NEW-001 --owner \"$(printf 'Ada \\377')\"", 65, {"owner is not valid UTF-8"}},
        {"deposit ACC-001 5 --ref \"$(printf 'r-\\303')\"", 65, {"ref is not valid UTF-8"}},
        {"transfer ACC-001 ACC-002 5 --memo \"$(printf '\\355\\240\\200')\"", 65, {"memo is not valid UTF-8"}},
    });
  }

  TEST_CASE("an imported row whose text is not UTF-8, or holds NUL, is bad data (65)") {
    TestLedger ledger;
    set_up(ledger);
    const auto before = ledger.files();
    const auto jsonl = ledger.file("nul.jsonl",
                                   "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":\"1\","
                                   "\"memo\":\"a\\u0000b\"}\n");
    RunResult r = ledger.run("import " + shell_quote(jsonl.string()));
    CHECK(r.exit_code == 65);
    CHECK(contains(r.err, "nul.jsonl:1: error: memo: memo holds a NUL byte"));
    check_unchanged(before, ledger.files());
    const auto csv = ledger.file("latin1.csv", "op,account,amount,owner,ref\n"
                                               "open,NEW-001,,Jos\xe9,\n"
                                               "deposit,ACC-001,1,,caf\xe9\n");
    r = ledger.run("import " + shell_quote(csv.string()));
    CHECK(r.exit_code == 65);
    CHECK(contains(r.err, "latin1.csv:2:4: error: owner is not valid UTF-8"));
    CHECK(contains(r.err, "latin1.csv:3:5: error: ref is not valid UTF-8"));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("a usage error exits 64, names the culprit and changes no file") {
    check_refusals({
        {"--no-such-option balance", 64, {"--no-such-option"}},
        {"frobnicate", 64, {"frobnicate"}},
        {"deposit ACC-001 5 --bogus", 64, {"--bogus"}},
        {"deposit ACC-001", 64, {"missing AMOUNT"}},
        {"transfer ACC-001 ACC-002", 64, {"missing AMOUNT"}},
        {"import data.csv --format xml", 64, {"xml", "csv", "jsonl"}},
        {"--color rainbow balance", 64, {"rainbow"}},
        {"balance --format xml", 64,
         {"unknown format \"xml\"", "table, csv, tsv, json, jsonl or chart"}},
        {"--format xml accounts", 64, {"unknown format \"xml\""}},
        {"statement ACC-001 --format XML", 64, {"unknown format \"XML\""}},
        {"history --format yaml", 64, {"unknown format \"yaml\""}},
        {"deposit ACC-001 5 --format xml", 64, {"unknown format \"xml\""}},
    });
  }

  TEST_CASE("a series or chart asked for wrongly exits 64 in one line and changes no file") {
    check_refusals({
        {"balance ACC-001 --every fortnight", 64,
         {"--every: unknown period \"fortnight\"", "day, week, month, quarter or year"}},
        {"balance ACC-001 --every month --at 2026-01-31", 64, {"--at", "--to"}},
        {"balance ACC-001 --from 2026-01-01", 64, {"--every", "--at"}},
        // stdout is a file here, not a terminal: a chart is refused with the way out.
        {"balance ACC-001 --every month --format chart", 64,
         {"--format chart draws on a terminal only", "use --format csv"}},
        {"statement ACC-001 --format chart", 64, {"terminal only", "--format csv"}},
        {"accounts --format chart", 64, {"--format chart draws balance --every and statement"}},
        {"deposit ACC-001 5 --format chart", 64, {"--format chart draws balance --every"}},
        {"balance ACC-001 --every day --from 1990-01-01", 64, {"more than 10000 periods"}},
    });
  }

  TEST_CASE("a refused chart or series says so in one line") {
    TestLedger ledger;
    set_up(ledger);
    for (const char* args : {"balance ACC-001 --every month --format chart",
                             "balance ACC-001 --every fortnight", "accounts --format chart"}) {
      INFO("ledger " << args);
      const RunResult r = ledger.run(args);
      CHECK(r.exit_code == 64);
      CHECK(lines_of(r.err).size() == 1);
    }
  }

  TEST_CASE("a missing import file exits 66, names the file and changes no file") {
    check_refusals({
        {"import /nonexistent/bank.csv", 66, {"cannot open /nonexistent/bank.csv"}},
        {"import /nonexistent/rows.jsonl --dry-run", 66, {"/nonexistent/rows.jsonl"}},
    });
  }

  TEST_CASE("a usage error touches no file at all, not even the lock file") {
    TestLedger ledger;
    set_up(ledger);
    const auto before = ledger.files();
    for (const char* args : {"deposit ACC-001 5 --bogus", "frobnicate", "deposit ACC-001",
                             "deposit ACC-001 5 --format xml", "balance --format xml"}) {
      INFO("ledger " << args);
      CHECK(ledger.run(args).exit_code == 64);
      CHECK(ledger.files() == before);
    }
  }
}
