// The write commands through the real binary: open, deposit, withdraw, transfer and close each
// confirm on stdout and change the books; --quiet silences them; a retried --ref writes nothing;
// the data directory is private to its owner.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <algorithm>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

std::string balances_csv(const TestLedger& ledger) {
  return ledger.ok("balance --format csv").out;
}

}  // namespace

TEST_SUITE("e2e write commands") {
  TEST_CASE("open confirms on stdout and records owner, currency and overdraft limit") {
    TestLedger ledger;
    auto r = ledger.run("open ACC-001 --owner 'Ada Lovelace'");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "recorded event 1: opened ACC-001 (USD)\n");
    CHECK(r.err.empty());

    r = ledger.run("open EUR-001 --owner Bob --currency EUR --overdraft-limit 250.5");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "recorded event 2: opened EUR-001 (EUR)\n");

    r = ledger.run("open JPY-001 --currency JPY --overdraft-limit 1000");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "recorded event 3: opened JPY-001 (JPY)\n");

    const auto lines = lines_of(ledger.ok("accounts --format csv").out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "account,balance,currency,status,owner,overdraft_limit,opened");
    CHECK(lines[1].starts_with("ACC-001,0.00,USD,open,Ada Lovelace,0.00,"));
    CHECK(lines[2].starts_with("EUR-001,0.00,EUR,open,Bob,250.50,"));
    CHECK(lines[3].starts_with("JPY-001,0,JPY,open,,1000,"));
  }

  TEST_CASE("deposit, withdraw and transfer each confirm and move the balances") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    ledger.ok("open ACC-002");

    auto r = ledger.run("deposit ACC-001 500 --memo salary");
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("recorded event 3: "));
    CHECK(contains(r.out, "deposit"));
    CHECK(contains(r.out, "ACC-001"));
    CHECK(r.err.empty());
    CHECK(balances_csv(ledger) == "account,balance,currency\nACC-001,500.00,USD\nACC-002,0.00,USD\n");

    r = ledger.run("withdraw ACC-001 42.5 --memo groceries");
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("recorded event 4: "));
    CHECK(contains(r.out, "withdrawal"));
    CHECK(r.err.empty());
    CHECK(balances_csv(ledger) == "account,balance,currency\nACC-001,457.50,USD\nACC-002,0.00,USD\n");

    r = ledger.run("transfer ACC-001 ACC-002 100.25 --memo rent");
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("recorded event 5: "));
    CHECK(contains(r.out, "transfer"));
    CHECK(contains(r.out, "ACC-002"));
    CHECK(r.err.empty());
    CHECK(balances_csv(ledger) ==
          "account,balance,currency\nACC-001,357.25,USD\nACC-002,100.25,USD\n");
  }

  TEST_CASE("a confirmation echoes the amount as the ledger read it, with its currency") {
    TestLedger ledger;
    ledger.ok("open A-1 --date 2026-01-01");
    ledger.ok("open EUR-001 --currency EUR --date 2026-01-01");
    ledger.ok("open JPY-001 --currency JPY --date 2026-01-01");
    ledger.ok("open BHD-001 --currency BHD --date 2026-01-01");
    CHECK(ledger.ok("deposit A-1 0005 --date 2026-01-02").out ==
          "recorded event 5: deposit 5.00 USD to A-1\n");
    CHECK(ledger.ok("deposit EUR-001 100 --date 2026-01-02").out ==
          "recorded event 6: deposit 100.00 EUR to EUR-001\n");
    CHECK(ledger.ok("deposit JPY-001 0500 --date 2026-01-02").out ==
          "recorded event 7: deposit 500 JPY to JPY-001\n");
    CHECK(ledger.ok("deposit BHD-001 1.5 --date 2026-01-02").out ==
          "recorded event 8: deposit 1.500 BHD to BHD-001\n");
    CHECK(ledger.ok("withdraw A-1 1.5 --date 2026-01-03").out ==
          "recorded event 9: withdrawal 1.50 USD from A-1\n");
    ledger.ok("open A-2 --date 2026-01-01");
    CHECK(ledger.ok("transfer A-1 A-2 0.5 --date 2026-01-03 --ref t-1").out ==
          "recorded event 11: transfer 0.50 USD from A-1 to A-2\n");
    // A retry names the amount the same way.
    CHECK(ledger.ok("transfer A-1 A-2 0.5 --date 2026-01-03 --ref t-1").out ==
          "already recorded as event 11: transfer 0.50 USD from A-1 to A-2 (nothing written)\n");
  }

  TEST_CASE("a withdrawal may go below zero down to the overdraft limit") {
    TestLedger ledger;
    ledger.ok("open EUR-001 --currency EUR --overdraft-limit 50");
    ledger.ok("deposit EUR-001 20");
    auto r = ledger.run("withdraw EUR-001 70");
    CHECK(r.exit_code == 0);
    CHECK(balances_csv(ledger) == "account,balance,currency\nEUR-001,-50.00,EUR\n");
    r = ledger.run("withdraw EUR-001 0.01");
    CHECK(r.exit_code == 1);
    CHECK(balances_csv(ledger) == "account,balance,currency\nEUR-001,-50.00,EUR\n");
  }

  TEST_CASE("JPY amounts have no decimals") {
    TestLedger ledger;
    ledger.ok("open JPY-001 --currency JPY");
    ledger.ok("deposit JPY-001 1500");
    ledger.ok("withdraw JPY-001 499");
    CHECK(balances_csv(ledger) == "account,balance,currency\nJPY-001,1001,JPY\n");
  }

  TEST_CASE("close confirms and leaves the account closed with its history") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    ledger.ok("deposit ACC-001 10");
    ledger.ok("withdraw ACC-001 10");
    auto r = ledger.run("close ACC-001");
    CHECK(r.exit_code == 0);
    CHECK(r.out == "recorded event 4: closed ACC-001\n");
    CHECK(r.err.empty());
    const auto lines = lines_of(ledger.ok("accounts --format csv").out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].starts_with("ACC-001,0.00,USD,closed,"));
    CHECK(lines_of(ledger.ok("history ACC-001 --format csv").out).size() == 5);
  }

  TEST_CASE("--quiet and -q silence the confirmations of every write command") {
    TestLedger ledger;
    for (const char* args : {"--quiet open ACC-001", "-q open ACC-002", "deposit ACC-001 5 --quiet",
                             "--quiet withdraw ACC-001 1", "--quiet transfer ACC-001 ACC-002 4",
                             "-q withdraw ACC-002 4", "--quiet close ACC-002"}) {
      INFO("ledger " << args);
      const auto r = ledger.run(args);
      CHECK(r.exit_code == 0);
      CHECK(r.out.empty());
      CHECK(r.err.empty());
    }
    const auto lines = lines_of(ledger.ok("accounts --format csv").out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].starts_with("ACC-001,0.00,USD,open,"));
    CHECK(lines[2].starts_with("ACC-002,0.00,USD,closed,"));
  }

  TEST_CASE("a retry with the same --ref says already recorded and leaves the files identical") {
    TestLedger ledger;
    ledger.ok("open ACC-001 --ref open-1 --date 2026-01-01");
    ledger.ok("open ACC-002");
    ledger.ok("deposit ACC-001 500 --memo salary --ref pay-1 --date 2026-01-15");
    ledger.ok("withdraw ACC-001 20 --ref atm-1 --date 2026-02-01");
    ledger.ok("transfer ACC-001 ACC-002 30 --ref rent-1");
    const auto before = ledger.files();
    REQUIRE(before.size() >= 2);  // A segment and the lock file.

    for (const char* retry : {"open ACC-001 --ref open-1 --date 2026-01-01",
                              "deposit ACC-001 500 --memo salary --ref pay-1 --date 2026-01-15",
                              "withdraw ACC-001 20 --ref atm-1 --date 2026-02-01",
                              "transfer ACC-001 ACC-002 30 --ref rent-1"}) {
      INFO("ledger " << retry);
      const auto r = ledger.run(retry);
      CHECK(r.exit_code == 0);
      CHECK(contains(r.out, "already recorded"));
      CHECK(r.err.empty());
      check_unchanged(before, ledger.files());
    }
    // The segments are byte-identical; the lock file only names the last writer's pid.
    CHECK(balances_csv(ledger) == "account,balance,currency\nACC-001,450.00,USD\nACC-002,30.00,USD\n");
  }

  TEST_CASE("a ref is found wherever its event lies: in another account's frame, after the "
            "newest snapshot, or before it" * doctest::test_suite("files")) {
    // A write reads only the frames that name its accounts or its ref; with a snapshot every 4
    // events, these refs lie in the ref index, between it and the snapshot, and after both.
    TestLedger ledger;
    ledger.ok("--snapshot-every 4 open ACC-001");
    ledger.ok("--snapshot-every 4 open ACC-002");
    ledger.ok("--snapshot-every 4 open ACC-003");
    for (int i = 1; i <= 11; ++i) {
      ledger.ok(fmt::format("--snapshot-every 4 deposit ACC-001 {} --ref pay-{}", i, i));
    }
    const auto before = ledger.files();
    REQUIRE(std::any_of(before.begin(), before.end(),
                        [](const auto& f) { return f.first.starts_with("snapshots/"); }));
    for (int i = 1; i <= 11; ++i) {
      INFO("pay-" << i << " (event " << i + 3 << ")");
      auto r = ledger.run(fmt::format("deposit ACC-002 {} --ref pay-{}", i, i));
      CHECK(r.exit_code == 1);
      CHECK(r.err == fmt::format("ledger: error: ref \"pay-{}\" was already used for different "
                                 "content (event {})\n", i, i + 3));
      r = ledger.run(fmt::format("transfer ACC-003 ACC-002 {} --ref pay-{}", i, i));
      CHECK(r.exit_code == 1);
      CHECK(contains(r.err, fmt::format("ref \"pay-{}\" was already used", i)));
      r = ledger.run(fmt::format("deposit ACC-001 {} --ref pay-{}", i, i));
      CHECK(r.exit_code == 0);
      CHECK(r.out.starts_with(fmt::format("already recorded as event {}: deposit ", i + 3)));
      CHECK(contains(r.out, "(nothing written)"));
      check_unchanged(before, ledger.files());
    }
    CHECK(ledger.ok("balance ACC-001 --format csv").out == "account,balance,currency\nACC-001,66.00,USD\n");
  }

  TEST_CASE("a retry under --quiet prints nothing and still writes nothing") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    ledger.ok("deposit ACC-001 5 --ref r-1");
    const auto before = ledger.files();
    const auto r = ledger.run("--quiet deposit ACC-001 5 --ref r-1");
    CHECK(r.exit_code == 0);
    CHECK(r.out.empty());
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("the data directory is created 0700 and its files 0600, whatever the umask" * doctest::test_suite("files")) {
    TestLedger ledger;
    REQUIRE_FALSE(fs::exists(ledger.dir()));
    ledger.ok("open ACC-001", std::string("umask 000; ") + kUtc);
    ledger.ok("deposit ACC-001 1", std::string("umask 000; ") + kUtc);
    struct stat st {};
    REQUIRE(::stat(ledger.dir().c_str(), &st) == 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK((st.st_mode & 07777) == 0700);
    int files = 0;
    for (const auto& entry : fs::directory_iterator(ledger.dir())) {
      INFO("file " << entry.path().filename().string());
      REQUIRE(::stat(entry.path().c_str(), &st) == 0);
      if (S_ISDIR(st.st_mode)) {
        CHECK((st.st_mode & 07777) == 0700);
      } else {
        CHECK((st.st_mode & 07777) == 0600);
        ++files;
      }
    }
    CHECK(files >= 2);  // At least a segment and the lock file.
  }

  TEST_CASE("a query on a directory that does not exist creates nothing" * doctest::test_suite("files")) {
    TestLedger ledger;
    const auto r = ledger.run("balance --format csv");
    CHECK(r.exit_code == 66);  // No ledger there (tests/e2e/no_ledger_test.cpp).
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(ledger.dir()));
  }
}
