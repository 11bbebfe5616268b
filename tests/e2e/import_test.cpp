// Import through the real binary: CSV with columns in any order and JSON lines, re-runs that
// write nothing, rows without a ref keyed by content and occurrence, --dry-run, standard input,
// every bad row reported as FILE:LINE:COL with nothing written, the history round trip, and a
// generated workload of 100,000 rows checked against balances computed here.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

// Columns in an order no one would choose; owner, currency and overdraft_limit only for opens.
constexpr const char* kBankCsv =
    "date,memo,amount,to,op,ref,account,currency,owner,overdraft_limit\n"
    "2026-01-01,,,,open,,ACC-001,USD,Ada Lovelace,\n"
    "2026-01-01,,,,open,,ACC-002,,Bob,100\n"
    "2026-01-01,,,,open,,JPY-001,JPY,,\n"
    "2026-02-01,salary,1000.00,,deposit,pay-feb,ACC-001,,,\n"
    "2026-02-02,coffee,3.50,,withdraw,,ACC-001,,,\n"
    "2026-02-02,coffee,3.50,,withdraw,,ACC-001,,,\n"
    "2026-02-03,rent,500,ACC-002,transfer,,ACC-001,,,\n"
    "2026-02-04,\"cash, at the desk\",5000,,deposit,,JPY-001,,,\n";

constexpr const char* kBankBalances =
    "account,balance,currency\nACC-001,493.00,USD\nACC-002,500.00,USD\nJPY-001,5000,JPY\n";

std::string balances(const TestLedger& ledger, const std::string& args = "") {
  return ledger.ok("balance --format csv " + args).out;
}

// Two accounts opened on 2026-01-01 through the command line, ACC-001 with 100.00.
void set_up_two_accounts(const TestLedger& ledger) {
  ledger.ok("open ACC-001 --date 2026-01-01");
  ledger.ok("open ACC-002 --date 2026-01-01");
  ledger.ok("deposit ACC-001 100 --date 2026-01-02");
}

std::string cents_text(int64_t cents) {
  const std::string sign = cents < 0 ? "-" : "";
  const int64_t magnitude = cents < 0 ? -cents : cents;
  return fmt::format("{}{}.{:02}", sign, magnitude / 100, magnitude % 100);
}

// Amount text as a person or a bank would write it: "12", "12.5" or "12.34".
std::string amount_text(int64_t cents) {
  if (cents % 100 == 0) return std::to_string(cents / 100);
  if (cents % 10 == 0) return fmt::format("{}.{}", cents / 100, cents % 100 / 10);
  return cents_text(cents);
}

struct Workload {
  std::string csv;
  std::string expected_balances;  // `balance --format csv`
  size_t rows = 0;
};

// `rows` rows over `accounts` accounts: the opens, then deposits, withdrawals and transfers
// that never overdraw, from a seeded PRNG. Balances are tracked here, independently of ledger.
Workload generate_workload(size_t rows, int accounts, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto below = [&rng](uint64_t n) { return static_cast<int64_t>(rng() % n); };
  Workload w;
  w.csv.reserve(rows * 48);
  w.csv += "ref,account,op,amount,memo,to,owner\n";
  std::map<std::string, int64_t> balance;
  std::vector<std::string> ids;
  for (int i = 0; i < accounts; ++i) {
    ids.push_back(fmt::format("ACC-{:03}", i));
    balance[ids.back()] = 0;
    w.csv += fmt::format(",{},open,,,,Owner {}\n", ids.back(), i);
  }
  static const char* const kMemos[] = {"", "coffee", "rent", "salary", "\"pay, \"\"bonus\"\"\""};
  for (size_t n = static_cast<size_t>(accounts); n < rows; ++n) {
    // One row in ten has its own ref; the others are keyed by content and occurrence, and many
    // of them repeat an earlier row's content exactly.
    const std::string ref = n % 10 == 0 ? fmt::format("w-{}", n) : "";
    const std::string& a = ids[below(ids.size())];
    const char* memo = kMemos[below(5)];
    const int64_t kind = below(10);
    if (kind < 4 || balance[a] == 0) {
      const int64_t cents = kind < 2 ? (1 + below(500)) * 100 : 1 + below(100000);
      balance[a] += cents;
      w.csv += fmt::format("{},{},deposit,{},{},,\n", ref, a, amount_text(cents), memo);
    } else if (kind < 7) {
      const int64_t cents = 1 + below(static_cast<uint64_t>(balance[a]));
      balance[a] -= cents;
      w.csv += fmt::format("{},{},withdraw,{},{},,\n", ref, a, amount_text(cents), memo);
    } else {
      std::string b = a;
      while (b == a) b = ids[below(ids.size())];
      const int64_t cents = 1 + below(static_cast<uint64_t>(balance[a]));
      balance[a] -= cents;
      balance[b] += cents;
      w.csv += fmt::format("{},{},transfer,{},{},{},\n", ref, a, amount_text(cents), memo, b);
    }
  }
  w.rows = rows;
  w.expected_balances = "account,balance,currency\n";
  for (const auto& [id, cents] : balance) {
    w.expected_balances += fmt::format("{},{},USD\n", id, cents_text(cents));
  }
  return w;
}

}  // namespace

TEST_SUITE("e2e import") {
  TEST_CASE("a CSV with columns in any order imports every row and says how many are new") {
    TestLedger ledger;
    const auto file = ledger.file("bank.csv", kBankCsv);
    const auto r = ledger.run("import " + shell_quote(file.string()));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "8 new, 0 already recorded\n");
    CHECK(r.err.empty());
    CHECK(balances(ledger) == kBankBalances);
    const auto accounts = lines_of(ledger.ok("accounts --format csv").out);
    REQUIRE(accounts.size() == 4);
    CHECK(accounts[1] == "ACC-001,493.00,USD,open,Ada Lovelace,0.00,2026-01-01");
    CHECK(accounts[2] == "ACC-002,500.00,USD,open,Bob,100.00,2026-01-01");
    CHECK(contains(ledger.ok("statement JPY-001 --format csv").out, ",cash, at the desk,") == false);
    CHECK(contains(ledger.ok("statement JPY-001 --format csv").out, "\"cash, at the desk\""));
  }

  TEST_CASE("re-running an import is a no-op: 0 new, all already recorded, files identical") {
    TestLedger ledger;
    const auto file = ledger.file("bank.csv", kBankCsv);
    ledger.ok("import " + shell_quote(file.string()));
    const auto before = ledger.files();
    const auto r = ledger.run("import " + shell_quote(file.string()));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "0 new, 8 already recorded\n");
    CHECK(r.err.empty());
    check_unchanged(before, ledger.files());
    CHECK(balances(ledger) == kBankBalances);
    CHECK(lines_of(ledger.ok("history --format csv").out).size() == 9);
  }

  TEST_CASE("refs in the ledger's ref index: repeats already recorded, a changed row refused" * doctest::test_suite("files")) {
    TestLedger ledger;
    const auto first = ledger.file("first.csv",
                                   "op,account,amount,date,ref\n"
                                   "open,A,,2026-01-01,r-open\n"
                                   "deposit,A,10,2026-01-02,r1\n"
                                   "deposit,A,20,2026-01-03,r2\n");
    ledger.ok("import " + shell_quote(first.string()));
    // `snapshot` brings the ref index up to the head: the refs above are then read from it.
    ledger.ok("snapshot");
    REQUIRE(!fs::is_empty(ledger.dir() / "refs"));
    const auto overlap = ledger.file("overlap.csv",
                                     "op,account,amount,date,ref\n"
                                     "deposit,A,20,2026-01-03,r2\n"
                                     "deposit,A,5,2026-01-04,r3\n"
                                     "deposit,A,5,2026-01-04,r3\n"
                                     "deposit,A,10,2026-01-02,r1\n");
    RunResult r = ledger.run("import " + shell_quote(overlap.string()));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "1 new, 3 already recorded\n");
    CHECK(balances(ledger, "A") == "account,balance,currency\nA,35.00,USD\n");
    const auto before = ledger.files();
    const auto changed = ledger.file("changed.csv",
                                     "op,account,amount,date,ref\n"
                                     "deposit,A,7,2026-01-05,r4\n"
                                     "deposit,A,11,2026-01-02,r1\n");
    r = ledger.run("import " + shell_quote(changed.string()));
    CHECK(r.exit_code == 65);
    CHECK(contains(r.err, ":3:5: error: ref \"r1\" was already used for different content (event 2)"));
    CHECK(contains(r.err, "1 bad row in"));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("identical rows without a ref stay distinct, an overlapping file adds only new rows") {
    TestLedger ledger;
    set_up_two_accounts(ledger);
    const auto january = ledger.file("january.csv",
                                     "op,account,amount,date,memo\n"
                                     "withdraw,ACC-001,3.50,2026-01-10,coffee\n"
                                     "withdraw,ACC-001,3.50,2026-01-10,coffee\n"
                                     "deposit,ACC-001,20,2026-01-11,refund\n");
    auto r = ledger.run("import " + shell_quote(january.string()));
    CHECK(r.out == "3 new, 0 already recorded\n");
    CHECK(balances(ledger, "ACC-001") == "account,balance,currency\nACC-001,113.00,USD\n");

    // The bank's next export overlaps: both coffees of the 10th again, a third one, and more.
    const auto overlap = ledger.file("overlap.csv",
                                     "memo,date,amount,account,op\n"
                                     "coffee,2026-01-10,3.50,ACC-001,withdraw\n"
                                     "coffee,2026-01-10,3.50,ACC-001,withdraw\n"
                                     "coffee,2026-01-10,3.50,ACC-001,withdraw\n"
                                     "refund,2026-01-11,20,ACC-001,deposit\n"
                                     "coffee,2026-01-12,3.50,ACC-001,withdraw\n");
    r = ledger.run("import " + shell_quote(overlap.string()));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "2 new, 3 already recorded\n");
    CHECK(balances(ledger, "ACC-001") == "account,balance,currency\nACC-001,106.00,USD\n");
    const auto statement = lines_of(ledger.ok("statement ACC-001 --format csv").out);
    CHECK(statement.size() == 1 + 1 + 5);  // Header, the first deposit, 5 imported movements.
  }

  TEST_CASE("--dry-run checks and reports but writes nothing") {
    TestLedger ledger;
    set_up_two_accounts(ledger);
    const auto file = ledger.file("more.csv",
                                  "op,account,amount,to\n"
                                  "deposit,ACC-002,5,\n"
                                  "transfer,ACC-001,,ACC-002\n");
    const auto good = ledger.file("good.csv",
                                  "op,account,amount,to\n"
                                  "deposit,ACC-002,5,\n"
                                  "transfer,ACC-001,60,ACC-002\n");
    const auto before = ledger.files();
    auto r = ledger.run("import --dry-run " + shell_quote(good.string()));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "dry run: 2 new, 0 already recorded; nothing written\n");
    CHECK(r.err.empty());
    check_unchanged(before, ledger.files());
    CHECK(balances(ledger) == "account,balance,currency\nACC-001,100.00,USD\nACC-002,0.00,USD\n");

    // A dry run reports bad rows like a real one.
    r = ledger.run("import --dry-run " + shell_quote(file.string()));
    CHECK(r.exit_code == 65);
    CHECK(contains(r.err, ":3:"));
    CHECK(r.out.empty());
    check_unchanged(before, ledger.files());

    r = ledger.run("import " + shell_quote(good.string()));
    CHECK(r.out == "2 new, 0 already recorded\n");
    CHECK(balances(ledger) == "account,balance,currency\nACC-001,40.00,USD\nACC-002,65.00,USD\n");
  }

  // A dry run checks and reports without writing; the directory is created on the first write.
  TEST_CASE("--dry-run on a new data directory creates nothing") {
    TestLedger ledger;
    const auto file = ledger.file("bank.csv", kBankCsv);
    const auto r = ledger.run("import --dry-run " + shell_quote(file.string()));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "dry run: 8 new, 0 already recorded; nothing written\n");
    CHECK_FALSE(fs::exists(ledger.dir()));
  }

  TEST_CASE("import - reads standard input") {
    TestLedger ledger;
    const auto file = ledger.file("bank.csv", kBankCsv);
    auto r = ledger.run_with_stdin("import -", file);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "8 new, 0 already recorded\n");
    CHECK(balances(ledger) == kBankBalances);
    r = ledger.run_with_stdin("--quiet import -", file);
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());

    const auto bad = ledger.file("bad.csv", "op,account,amount\ndeposit,ACC-001,12.345\n");
    const auto before = ledger.files();
    r = ledger.run_with_stdin("import -", bad);
    CHECK(r.exit_code == 65);
    CHECK(contains(r.err, "<stdin>:2:3: error: invalid amount \"12.345\""));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("every bad row is reported as FILE:LINE:COL, exit 65, and nothing is written") {
    TestLedger ledger;
    set_up_two_accounts(ledger);
    const auto file = ledger.file("bad.csv",
                                  "op,account,amount,date,memo\n"       // 1
                                  "deposit,ACC-001,1x0,,\n"             // 2: amount
                                  "deposit,ACC-001,10,,fine\n"          // 3
                                  "withdraw,ACC-002,1000,,\n"           // 4: funds
                                  "deposit,NOPE,5,,\n"                  // 5: account
                                  "deposit,ACC-001,5,2026-02-30,\n"     // 6: date
                                  "teleport,ACC-001,5,,\n"              // 7: op
                                  "deposit,ACC-001,,,\n"                // 8: no amount
                                  "deposit,ACC-001,5,,\"two\nlines\"\n" // 9-10: fine
                                  "deposit,ACC-001,-5,,\n"              // 11: amount
                                  "deposit,ACC-001,5,2099-01-01,\n"     // 12: future
                                  "deposit,ACC-001,5,,\n");             // 13: fine
    const auto before = ledger.files();
    const auto r = ledger.run("import " + shell_quote(file.string()));
    CHECK(r.exit_code == 65);
    CHECK(r.out.empty());
    const std::string name = file.string();
    const auto err = lines_of(r.err);
    INFO("stderr: " << r.err);
    REQUIRE(err.size() == 9);
    CHECK(err[0] == name + ":2:3: error: invalid amount \"1x0\" (expected a decimal like 12.34)");
    CHECK(err[1].starts_with(name + ":4:3: error: insufficient funds in \"ACC-002\""));
    CHECK(err[2].starts_with(name + ":5:2: error: unknown account \"NOPE\""));
    CHECK(err[3].starts_with(name + ":6:4: error: invalid date \"2026-02-30\""));
    CHECK(err[4].starts_with(name + ":7:1: error: invalid op \"teleport\""));
    CHECK(err[5].starts_with(name + ":8:3: error: "));
    CHECK(contains(err[5], "amount"));
    CHECK(err[6].starts_with(name + ":11:3: error: invalid amount \"-5\""));
    CHECK(err[7].starts_with(name + ":12:4: error: "));
    CHECK(contains(err[7], "in the future"));
    CHECK(err[8] == "ledger: error: 8 bad rows in " + name + "; nothing was imported");
    check_unchanged(before, ledger.files());
    CHECK(balances(ledger) == "account,balance,currency\nACC-001,100.00,USD\nACC-002,0.00,USD\n");
  }

  TEST_CASE("a row is checked against the state the earlier rows of the timeline left") {
    TestLedger ledger;
    // Newest first, as banks list them: rows are applied in date order all the same.
    const auto file = ledger.file("evolving.csv",
                                  "op,account,amount,date\n"
                                  "deposit,ACC-001,1,2026-01-05\n"  // After the close.
                                  "close,ACC-001,,2026-01-04\n"
                                  "withdraw,ACC-001,10,2026-01-03\n"
                                  "deposit,ACC-001,10,2026-01-02\n"
                                  "open,ACC-001,,2026-01-01\n");
    const auto r = ledger.run("import " + shell_quote(file.string()));
    CHECK(r.exit_code == 65);
    CHECK(contains(r.err, file.string() + ":2:2: error: account \"ACC-001\" is closed (since "
                                          "2026-01-04)"));
    CHECK(contains(r.err, "1 bad row in"));
    CHECK(r.out.empty());
    // Nothing was written: there is still no ledger to question.
    CHECK(ledger.run("balance --format csv").exit_code == 66);
  }

  TEST_CASE("rows at one position that balance only together pass the import and verify") {
    TestLedger ledger;
    // The withdrawal alone would overdraw on 2026-01-02; with the deposit there it does not.
    const auto file = ledger.file("together.csv",
                                  "op,account,amount,date\n"
                                  "open,ACC-001,,2026-01-01\n"
                                  "withdraw,ACC-001,5,2026-01-02\n"
                                  "deposit,ACC-001,10,2026-01-02\n");
    CHECK(ledger.ok("import " + shell_quote(file.string())).out == "3 new, 0 already recorded\n");
    // A backdated entry the rules allow, with entries after it.
    ledger.ok("withdraw ACC-001 4 --date 2026-01-10");
    ledger.ok("deposit ACC-001 2 --date 2026-01-05");
    const RunResult r = ledger.run("verify");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
  }

  TEST_CASE("after an overdraft, later rows are checked against the books it leaves: a deposit too") {
    TestLedger ledger;
    ledger.ok("open ACC-001 --date 2025-01-01");
    ledger.ok("deposit ACC-001 100 --date 2025-01-02");
    // Row 2 overdraws ACC-001 from 2025-02-01 on. It stays applied while the file is checked,
    // so row 3's deposit leaves the account at -40.00: bad as well. Row 4, on another
    // account, is fine; row 5 brings ACC-001 back to 0.00 and passes.
    const auto file = ledger.file("later.csv",
                                  "op,account,amount,date\n"
                                  "withdraw,ACC-001,150,2025-02-01\n"
                                  "deposit,ACC-001,10,2025-03-01\n"
                                  "open,ACC-002,,2025-03-01\n"
                                  "deposit,ACC-001,40,2025-04-01\n");
    const auto before = ledger.files();
    const auto r = ledger.run("import " + shell_quote(file.string()));
    CHECK(r.exit_code == 65);
    CHECK(r.out.empty());
    const std::string name = file.string();
    INFO("stderr: " << r.err);
    const auto err = lines_of(r.err);
    REQUIRE(err.size() == 3);
    CHECK(err[0] == name + ":2:3: error: insufficient funds in \"ACC-001\": on 2025-02-01 it would "
                           "be at -50.00 USD (overdraft limit 0.00 USD)");
    CHECK(err[1] == name + ":3:3: error: insufficient funds in \"ACC-001\": on 2025-03-01 it would "
                           "be at -40.00 USD (overdraft limit 0.00 USD)");
    CHECK(err[2] == "ledger: error: 2 bad rows in " + name + "; nothing was imported");
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("an unknown column is refused with its position, exit 65") {
    TestLedger ledger;
    set_up_two_accounts(ledger);
    const auto file = ledger.file("colour.csv", "op,account,amount,colour\ndeposit,ACC-001,5,red\n");
    const auto before = ledger.files();
    const auto r = ledger.run("import " + shell_quote(file.string()));
    CHECK(r.exit_code == 65);
    CHECK(r.out.empty());
    CHECK(contains(r.err, file.string() + ":1:4: error: unknown column \"colour\""));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("a missing import file exits 66 and names it") {
    TestLedger ledger;
    set_up_two_accounts(ledger);
    const auto before = ledger.files();
    const std::string missing = (ledger.scratch() / "no-such.csv").string();
    const auto r = ledger.run("import " + shell_quote(missing));
    CHECK(r.exit_code == 66);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "cannot open " + missing));
    CHECK(contains(r.err, "No such file"));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("JSON lines import with the same keys, by file name or --format jsonl") {
    TestLedger ledger;
    const std::string rows =
        R"({"op":"open","account":"ACC-001","owner":"Ada","date":"2026-01-01"})" "\n"
        R"({"op":"open","account":"EUR-001","currency":"EUR","overdraft_limit":"50"})" "\n"
        "\n"
        R"({"account":"ACC-001","op":"deposit","amount":"250.75","memo":"salary, june","ref":"j-1"})" "\n"
        R"({"op":"withdraw","account":"EUR-001","amount":"20"})" "\n";
    const auto file = ledger.file("rows.jsonl", rows);
    auto r = ledger.run("import " + shell_quote(file.string()));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "4 new, 0 already recorded\n");
    CHECK(balances(ledger) == "account,balance,currency\nACC-001,250.75,USD\nEUR-001,-20.00,EUR\n");

    const auto same = ledger.file("rows.txt", rows);
    r = ledger.run("import --format jsonl " + shell_quote(same.string()));
    CHECK(r.out == "0 new, 4 already recorded\n");

    const auto bad = ledger.file("bad.jsonl",
                                 R"({"op":"deposit","account":"ACC-001","amount":"1"})" "\n"
                                 R"({"op":"deposit","account":"ACC-001","amount":"5x"})" "\n"
                                 "not json\n"
                                 R"({"op":"deposit","account":"ACC-001","colour":"red"})" "\n");
    const auto before = ledger.files();
    r = ledger.run("import " + shell_quote(bad.string()));
    CHECK(r.exit_code == 65);
    CHECK(r.out.empty());
    CHECK(contains(r.err, bad.string() + ":2: error: amount: invalid amount \"5x\""));
    CHECK(contains(r.err, bad.string() + ":3: error: invalid JSON"));
    CHECK(contains(r.err, bad.string() + ":4: error: colour: unknown column \"colour\""));
    CHECK(contains(r.err, "3 bad rows"));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("history --format jsonl imported into a fresh ledger gives the same books") {
    TestLedger original;
    original.ok("open ACC-001 --owner 'Ada Lovelace' --date 2026-01-01");
    original.ok("open ACC-002 --owner Bob --overdraft-limit 25 --date 2026-01-01");
    original.ok("open JPY-001 --currency JPY --date 2026-01-01");
    original.ok("open OLD-001 --date 2026-01-01");
    original.ok("deposit ACC-001 400 --date 2026-03-01 --memo 'salary, march' --ref pay-1");
    original.ok("withdraw ACC-001 3.50 --memo coffee");
    original.ok("withdraw ACC-001 3.50 --memo coffee");
    original.ok("transfer ACC-001 ACC-002 100 --date 2026-03-10 --memo rent");
    original.ok("withdraw ACC-002 120");
    original.ok("deposit JPY-001 1500 --date 2026-02-01");
    original.ok("deposit ACC-001 100 --date 2026-02-10 --memo 'late cheque'");
    original.ok("close OLD-001");
    const auto history = original.file("history.jsonl", original.ok("history --format jsonl").out);

    TestLedger copy;
    auto r = copy.run("import " + shell_quote(history.string()));
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "12 new, 0 already recorded\n");
    CHECK(copy.ok("balance --format csv").out ==
          "account,balance,currency\nACC-001,393.00,USD\nACC-002,-20.00,USD\nJPY-001,1500,JPY\n"
          "OLD-001,0.00,USD\n");
    CHECK(copy.ok("balance --format csv").out == original.ok("balance --format csv").out);
    CHECK(copy.ok("accounts --format csv").out == original.ok("accounts --format csv").out);
    for (const char* at : {"2026-02-15", "2026-03-05", "2026-03-31"}) {
      INFO("--at " << at);
      CHECK(copy.ok(std::string("balance --format csv --at ") + at).out ==
            original.ok(std::string("balance --format csv --at ") + at).out);
    }
    // The same movements and running balances; the ref column differs where the original had
    // none, as the copy keeps the key each row was imported under, and so does the sequence
    // column, as the copy records rows in timeline order.
    CHECK(without_seq_and_ref(copy.ok("statement ACC-001 --format csv").out) ==
          without_seq_and_ref(original.ok("statement ACC-001 --format csv").out));
    CHECK(without_seq_and_ref(copy.ok("statement ACC-002 --format csv").out) ==
          without_seq_and_ref(original.ok("statement ACC-002 --format csv").out));

    // Through a pipe-like standard input, and again: the copy already has every row.
    r = copy.run_with_stdin("import - --format jsonl", history);
    CHECK(r.out == "0 new, 12 already recorded\n");
  }

  TEST_CASE("a generated workload of 100,000 rows gives exactly the balances computed here") {
    const Workload w = generate_workload(100'000, 50, 20260301);
    TestLedger ledger;
    const auto file = ledger.file("workload.csv", w.csv);
    const auto start = std::chrono::steady_clock::now();
    const auto r = ledger.run("import " + shell_quote(file.string()));
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    MESSAGE(fmt::format("import of {} rows: {:.2f} s", w.rows, elapsed.count()));
    INFO("stderr: " << r.err.substr(0, 2000));
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == fmt::format("{} new, 0 already recorded\n", w.rows));
    CHECK(r.err.empty());
    CHECK(ledger.ok("balance --format csv").out == w.expected_balances);
    CHECK(lines_of(ledger.ok("accounts --format csv").out).size() == 51);
  }

  TEST_CASE("rows beyond the import's memory wait in an unnamed file in $TMPDIR, none there, exit 74") {
    // 100,000 rows are about 8 MB in the order's records: more than it keeps in memory.
    const Workload w = generate_workload(100'000, 50, 20261206);
    TestLedger ledger;
    const auto file = ledger.file("workload.csv", w.csv);
    ledger.ok("open SEED-1");
    const auto before = ledger.files();
    const std::string missing = (ledger.scratch() / "no-such-dir").string();
    auto r = ledger.run("import " + shell_quote(file.string()), "TZ=UTC TMPDIR=" + shell_quote(missing));
    CHECK(r.exit_code == 74);
    CHECK(lines_of(r.err).size() == 1);
    CHECK(contains(r.err, "cannot create a scratch file in " + missing + " (from TMPDIR): No such file"));
    CHECK(r.out.empty());
    check_unchanged(before, ledger.files());

    const fs::path tmp = ledger.scratch() / "tmp";
    fs::create_directory(tmp);
    r = ledger.run("import " + shell_quote(file.string()), "TZ=UTC TMPDIR=" + shell_quote(tmp.string()));
    INFO("stderr: " << r.err.substr(0, 2000));
    REQUIRE(r.exit_code == 0);
    CHECK(r.out == fmt::format("{} new, 0 already recorded\n", w.rows));
    CHECK(fs::is_empty(tmp));
    // The workload's accounts and the one opened before it.
    CHECK(lines_of(ledger.ok("accounts --format csv").out).size() == 52);
  }

  TEST_CASE("an import leaves its events indexed: the segment sealed, a snapshot of its head" * doctest::test_suite("files")) {
    TestLedger ledger;
    ledger.ok("open A --date 2026-01-01 --segment-size 8192");
    std::string rows = "op,account,amount,date,memo\n";
    for (int i = 0; i < 1100; ++i) rows += fmt::format("deposit,A,1.00,2026-02-{:02},m{}\n", i % 28 + 1, i);
    const fs::path file = ledger.file("rows.csv", rows);
    // A small import into a segment of less than an eighth of 8192 bytes seals nothing.
    ledger.ok("--segment-size 8192 import " + shell_quote(ledger.file("one.csv", "op,account,amount\ndeposit,A,1\n").string()));
    CHECK(!fs::exists(ledger.dir() / "00000000000000000003.seg"));
    ledger.ok("--segment-size 8192 import " + shell_quote(file.string()));
    std::vector<fs::path> segments;
    for (const auto& entry : fs::directory_iterator(ledger.dir())) {
      if (entry.path().extension() == ".seg") segments.push_back(entry.path());
    }
    std::sort(segments.begin(), segments.end());
    REQUIRE(segments.size() >= 2);
    // The newest segment holds only its 128-byte header; the one before has its indexes.
    CHECK(fs::file_size(segments.back()) == 128);
    const fs::path sealed = segments[segments.size() - 2];
    for (const char* ext : {".idx", ".acx", ".eff"}) {
      CHECK(fs::exists(ledger.dir() / "index" / fs::path(sealed.filename()).replace_extension(ext)));
    }
    CHECK(segments.back().filename() == "00000000000000001103.seg");
    CHECK(fs::exists(ledger.dir() / "snapshots" / "00000000000000001102.snap"));
    // A refused write after it changes no byte (recovery keeps the begun segment), and the
    // answers are those of the rows.
    const auto before = ledger.files();
    const RunResult refused = ledger.run("close A --date 2026-01-15");
    CHECK(refused.exit_code == 1);
    CHECK(contains(refused.err, "it has entries after that"));
    check_unchanged(before, ledger.files());
    CHECK(ledger.ok("balance A --format csv").out == "account,balance,currency\nA,1101.00,USD\n");
    CHECK(ledger.ok("balance A --at 2026-02-14 --format csv").out ==
          "account,balance,currency\nA,554.00,USD\n");  // Days 1-8: 40 rows each, 9-14: 39.
    ledger.ok("deposit A 2");
    CHECK(fs::file_size(segments.back()) > 128);
    ledger.ok("verify");
    // A purge keeps the segment holding the last event, however the newest one was begun.
    std::string more = "op,account,amount,date,memo\n";
    for (int i = 0; i < 1100; ++i) more += fmt::format("deposit,A,1.00,2026-03-{:02},n{}\n", i % 28 + 1, i);
    ledger.ok("--segment-size 8192 import " + shell_quote(ledger.file("more.csv", more).string()));
    ledger.ok("compact --purge --yes");
    ledger.ok("verify");
    CHECK(ledger.ok("balance A --format csv").out == "account,balance,currency\nA,2203.00,USD\n");
    CHECK(contains(ledger.ok("stats --format csv").out, ",2203,"));
  }
}
