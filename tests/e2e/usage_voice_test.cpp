// Usage errors in the ledger's voice, through the real binary: one line on stderr that names the
// word at fault and suggests the nearest command or option, exit 64 (EX_USAGE), nothing on
// stdout, and a data directory that is byte-for-byte what it was. Also: "did you mean" for an
// account id ignores case.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

// One refusal: exactly `message` (one line) on stderr, `exit_code`, no output, no file changed.
void check_refused(const TestLedger& ledger, const std::string& args, int exit_code,
                   const std::string& message) {
  const auto before = ledger.files();
  const RunResult r = ledger.run(args);
  INFO("ledger " << args << "\nstderr: " << r.err);
  CHECK(r.exit_code == exit_code);
  CHECK(r.err == "ledger: error: " + message + "\n");
  CHECK(r.out.empty());
  check_unchanged(before, ledger.files());
}

void set_up(const TestLedger& ledger) {
  ledger.ok("open CHK-001 --date 2026-01-01");
  ledger.ok("deposit CHK-001 10 --date 2026-01-02");
}

}  // namespace

TEST_SUITE("e2e usage errors") {
  TEST_CASE("a mistyped command is named and the nearest command suggested") {
    TestLedger ledger;
    set_up(ledger);
    check_refused(ledger, "opne CHK-001", 64, "unknown command \"opne\"; did you mean \"open\"?");
    check_refused(ledger, "BALANCE", 64, "unknown command \"BALANCE\"; did you mean \"balance\"?");
    check_refused(ledger, "frobnicate", 64, "unknown command \"frobnicate\" (see `ledger --help`)");
  }

  TEST_CASE("each command named alone is built and reached, and refuses in its own words") {
    // A command line that names one command builds only that command's group (command_groups.h):
    // each command must still be found, with its options, and not someone else's.
    TestLedger ledger;
    set_up(ledger);
    for (const char* command : {"open", "deposit", "withdraw", "transfer", "close", "balance",
                                "accounts", "statement", "history", "import", "export", "compact",
                                "snapshot", "verify", "stats"}) {
      // Each refuses in its own words (a missing argument, or the unknown option), naming itself.
      const auto before = ledger.files();
      const RunResult r = ledger.run(fmt::format("{} --zzz-no-such-option", command));
      INFO("ledger " << command << "\nstderr: " << r.err);
      CHECK(r.exit_code == 64);
      CHECK(r.err.find(fmt::format("ledger {} ", command)) != std::string::npos);
      CHECK(r.err.find("unknown command") == std::string::npos);
      CHECK(r.out.empty());
      check_unchanged(before, ledger.files());
    }
    check_refused(ledger, "--dir", 64, "--dir needs a value (see `ledger --help`)");
  }

  TEST_CASE("an option given twice is named, not counted in CLI11's words") {
    TestLedger ledger;
    set_up(ledger);
    check_refused(ledger, "deposit CHK-001 5 --memo a --memo b", 64,
                  "--memo given twice (it takes one value)");
    check_refused(ledger, "--format csv --format json balance", 64,
                  "--format given twice (it takes one value)");
  }

  TEST_CASE("a mistyped option gets the nearest option of its command or of the ledger") {
    TestLedger ledger;
    set_up(ledger);
    check_refused(ledger, "deposit CHK-001 5 --memmo x", 64,
                  "unknown option \"--memmo\"; did you mean \"--memo\"?");
    check_refused(ledger, "balance --formt csv", 64,
                  "unknown option \"--formt\"; did you mean \"--format\"?");
    check_refused(ledger, "statement CHK-001 --form=2026-01-01", 64,
                  "unknown option \"--form\"; did you mean \"--from\"?");
    check_refused(ledger, "balance --no-such-option", 64,
                  "unknown option \"--no-such-option\" for balance (see `ledger balance --help`)");
    // Every mistyped letter is one edit from each one-letter option: none is suggested.
    check_refused(ledger, "balance -x", 64,
                  "unknown option \"-x\" for balance (see `ledger balance --help`)");
  }

  TEST_CASE("a missing or extra argument names it and shows the command's words") {
    TestLedger ledger;
    set_up(ledger);
    check_refused(ledger, "deposit CHK-001", 64,
                  "missing AMOUNT (usage: ledger deposit ACC AMOUNT [options])");
    check_refused(ledger, "deposit CHK-001 10 20", 64,
                  "unexpected argument \"20\" (usage: ledger deposit ACC AMOUNT [options])");
    check_refused(ledger, "balance --at", 64, "--at needs a value (see `ledger balance --help`)");
  }

  TEST_CASE("a value out of its choices or range says what is allowed") {
    TestLedger ledger;
    set_up(ledger);
    // The ledger's own options are listed by `ledger --help`, a command's by its own help.
    check_refused(ledger, "--color sometimes balance", 64,
                  "--color: \"sometimes\" is not one of auto, always, never (see `ledger "
                  "--help`)");
    check_refused(ledger, "--segment-size 100 balance", 64,
                  "--segment-size: expected a whole number from 4096 to 2147483648, not 100 "
                  "(see `ledger --help`)");
    check_refused(ledger, "export --format yaml", 64,
                  "--format: \"yaml\" is not one of ledger, csv, jsonl (see `ledger export "
                  "--help`)");
  }

  TEST_CASE("an account id in the wrong case gets \"did you mean\" with the right one") {
    TestLedger ledger;
    set_up(ledger);
    check_refused(ledger, "deposit chk-001 5", 1,
                  "unknown account \"chk-001\" (did you mean \"CHK-001\"?); open it first with: "
                  "ledger open chk-001");
    check_refused(ledger, "balance chk-001", 1,
                  "unknown account \"chk-001\" (did you mean \"CHK-001\"?)");
    check_refused(ledger, "statement Chk-001", 1,
                  "unknown account \"Chk-001\" (did you mean \"CHK-001\"?)");
  }

  TEST_CASE("of two ids that differ from the typed one only in case, the closer case wins") {
    TestLedger ledger;
    ledger.ok("open abc-1 --date 2026-01-01");
    ledger.ok("open ABC-1 --date 2026-01-01");
    check_refused(ledger, "balance abc-2", 1,
                  "unknown account \"abc-2\" (did you mean \"abc-1\"?)");
    check_refused(ledger, "balance ABC-2", 1,
                  "unknown account \"ABC-2\" (did you mean \"ABC-1\"?)");
  }
}
