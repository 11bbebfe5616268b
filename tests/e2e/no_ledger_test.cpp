// A question put to a location that holds no ledger (a mistyped --dir, an empty folder) is
// refused as missing input: "no ledger at DIR; `ledger open` creates one", exit 66 (EX_NOINPUT),
// and nothing is created. An empty answer would let the mistake pass for an empty ledger.
// Writes still create the ledger.
#include <doctest/doctest.h>

#include <string>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

const char* const kQueries[] = {"balance",
                                "balance CHK-001",
                                "balance --at 2026-01-31",
                                "balance --every month --from 2026-01-01 --to 2026-03-31",
                                "accounts",
                                "statement CHK-001",
                                "history",
                                "export",
                                "export --format csv",
                                "stats",
                                "verify"};

void check_no_ledger(const fs::path& dir) {
  for (const char* query : kQueries) {
    INFO("ledger --dir " << dir << " " << query);
    const RunResult r =
        ledger::testing::run_ledger("--dir " + shell_quote(dir.string()) + " " + query, kUtc);
    CHECK(r.exit_code == 66);
    CHECK(r.err == "ledger: error: no ledger at " + dir.string() + "; `ledger open` creates one\n");
    CHECK(r.out.empty());
  }
}

}  // namespace

TEST_SUITE("e2e no ledger") {
  TEST_CASE("a query of a directory that does not exist says there is no ledger, exit 66") {
    TestLedger ledger;
    check_no_ledger(ledger.dir());
    CHECK_FALSE(fs::exists(ledger.dir()));
  }

  TEST_CASE("an empty directory, or one of other files, holds no ledger either") {
    TestLedger ledger;
    fs::create_directories(ledger.dir());
    check_no_ledger(ledger.dir());
    write_file(ledger.dir() / "notes.txt", "not a ledger\n");
    const auto before = ledger.files();
    check_no_ledger(ledger.dir());
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("a refused first write leaves no ledger behind, and queries still say so") {
    TestLedger ledger;
    CHECK(ledger.run("deposit CHK-001 5").exit_code == 1);
    check_no_ledger(ledger.dir());
  }

  TEST_CASE("a write creates the ledger, and from then on queries answer") {
    TestLedger ledger;
    ledger.ok("open CHK-001 --date 2026-01-01");
    CHECK(ledger.ok("balance --format csv").out == "account,balance,currency\nCHK-001,0.00,USD\n");
    CHECK(ledger.ok("history --format csv").out.starts_with("seq,"));
    CHECK(ledger.ok("verify").exit_code == 0);
  }
}
