// A reader that goes away early (`ledger history | head -1`) is not an error (ledger(1), EXIT
// STATUS): every command ends quietly with exit 0, so that a pipeline under `set -o pipefail`
// succeeds. Each command here prints far more than a pipe holds (64 KiB), so its writes do meet
// the closed pipe.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

struct PipeResult {
  int pipeline_status = -1;  // $? of the whole pipeline under pipefail.
  std::string err;           // The ledger's standard error.
};

// Runs `ledger --dir DIR ARGS | READER` in bash under `set -o pipefail`. The reader exits 0, so
// the pipeline's status is the ledger's own (141 if SIGPIPE killed it).
PipeResult run_into_pipe(const TestLedger& ledger, const std::string& args,
                         const std::string& reader) {
  const fs::path err = ledger.scratch() / "pipe-err", status = ledger.scratch() / "pipe-status";
  const std::string pipeline = std::string(kUtc) + " " + shell_quote(LEDGER_BINARY) + " --dir " +
                               shell_quote(ledger.location()) + " " + args + " 2>" +
                               shell_quote(err.string()) + " | " + reader + " >/dev/null";
  const std::string script =
      "set -o pipefail; " + pipeline + "; echo $? >" + shell_quote(status.string());
  REQUIRE(std::system(("bash -c " + shell_quote(script)).c_str()) == 0);
  return {std::atoi(read_file(status).c_str()), read_file(err)};
}

// 3,000 accounts with long ids, and 3,000 movements with long memos on one of them.
void set_up(const TestLedger& ledger) {
  std::string rows = "op,account,amount,date,memo\n";
  for (int i = 0; i < 3000; ++i) {
    rows += "open,ACCOUNT-WITH-A-RATHER-LONG-NAME-" + std::to_string(i) + ",,2026-01-01,\n";
  }
  const std::string memo(60, 'm');
  for (int i = 0; i < 3000; ++i) {
    rows += "deposit,ACCOUNT-WITH-A-RATHER-LONG-NAME-0,1.00,2026-01-02," + memo +
            std::to_string(i) + "\n";
  }
  ledger.ok("import " + shell_quote(ledger.file("rows.csv", rows).string()));
}

}  // namespace

TEST_SUITE("e2e closed pipe") {
  TEST_CASE("every command whose reader goes away ends quietly with exit 0") {
    TestLedger ledger;
    set_up(ledger);
    const auto before = ledger.files();
    for (const std::string args : {"history", "history --format jsonl", "--format table history",
                                   "export", "export --format csv", "export --format jsonl",
                                   "statement ACCOUNT-WITH-A-RATHER-LONG-NAME-0", "balance",
                                   "accounts --format json", "--help"}) {
      for (const std::string reader : {"head -1", "true"}) {
        INFO("ledger " << args << " | " << reader);
        const PipeResult r = run_into_pipe(ledger, args, reader);
        CHECK(r.pipeline_status == 0);
        CHECK(r.err.empty());
      }
    }
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("a write whose reader goes away has still written, and exits 0") {
    TestLedger ledger;
    ledger.ok("open A-1 --date 2026-01-01");
    const PipeResult r = run_into_pipe(ledger, "deposit A-1 5 --date 2026-01-02", "true");
    CHECK(r.pipeline_status == 0);
    CHECK(r.err.empty());
    CHECK(ledger.ok("balance A-1 --format csv").out == "account,balance,currency\nA-1,5.00,USD\n");
  }
}
