// The shell conventions of the output, through the real binary: colour by --color, NO_COLOR and
// TERM; tables fitted to the terminal's width without cutting ids or amounts; progress bars on
// stderr only when it is a terminal. Terminals are pseudo-terminals made by util-linux's
// `script`.

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "e2e/e2e_support.h"
#include "e2e/pty.h"
#include "cli/text_width.h"

using namespace ledger::e2e;

namespace {

bool has_escape(const std::string& text) { return contains(text, "\x1b"); }

constexpr const char* kLongId = "ACCOUNT-WITH-A-RATHER-LONG-ID-000000001";
constexpr const char* kRedAmount = "\x1b[31m-30.00\x1b[0m";
constexpr const char* kBoldHeader = "\x1b[1mdate";
constexpr const char* kRedError = "ledger: \x1b[1;31merror:\x1b[0m ";

// Two accounts, one with a long id and one with a long owner, and a transfer between them, so
// ACC-1's statement has a negative amount.
void fill(const TestLedger& ledger) {
  ledger.ok("open ACC-1 --owner 'Ada Augusta King, Countess of Lovelace'");
  ledger.ok(std::string("open ") + kLongId + " --owner Bob");
  ledger.ok("deposit ACC-1 100");
  ledger.ok(std::string("transfer ACC-1 ") + kLongId + " 30");
}

// A CSV import of `rows` deposits into ACC-1 (the import reports progress every 4096 rows).
std::filesystem::path deposits_file(const TestLedger& ledger, int rows) {
  std::string csv = "op,account,amount,memo\n";
  for (int i = 0; i < rows; ++i) csv += "deposit,ACC-1,1.00,row " + std::to_string(i) + "\n";
  return ledger.file("deposits.csv", csv);
}

size_t widest_line(const std::string& text) {
  size_t widest = 0;
  for (const std::string& line : lines_of(text)) widest = std::max(widest, line.size());
  return widest;
}

}  // namespace

TEST_SUITE("terminal_output") {
  TEST_CASE("on a terminal a table is coloured: bold header, negative amounts red") {
    TestLedger ledger;
    fill(ledger);
    const Shown shown = on_terminal(ledger, "statement ACC-1");
    CHECK(shown.exit_code == 0);
    CHECK(contains(shown.text, kBoldHeader));
    CHECK(contains(shown.text, kRedAmount));
    // Nothing else: the positive amounts and the heading lines are plain.
    CHECK(contains(shown.text, "\nopening balance 0.00 USD\n"));
    CHECK(contains(shown.text, "100.00   100.00  USD"));
  }

  TEST_CASE("NO_COLOR with any non-empty value turns colour off on a terminal, empty does not") {
    TestLedger ledger;
    fill(ledger);
    for (const char* value : {"1", "0", "yes"}) {
      INFO("NO_COLOR=" << value);
      const Shown shown = on_terminal(ledger, "statement ACC-1", std::string("NO_COLOR=") + value);
      CHECK(shown.exit_code == 0);
      CHECK(contains(shown.text, "-30.00"));
      CHECK_FALSE(has_escape(shown.text));
    }
    CHECK(contains(on_terminal(ledger, "statement ACC-1", "NO_COLOR=").text, kRedAmount));
  }

  TEST_CASE("TERM=dumb turns colour off on a terminal") {
    TestLedger ledger;
    fill(ledger);
    const Shown shown = on_terminal(ledger, "statement ACC-1", "TERM=dumb");
    CHECK(contains(shown.text, "-30.00"));
    CHECK_FALSE(has_escape(shown.text));
  }

  TEST_CASE("--color=never does not colour a terminal") {
    TestLedger ledger;
    fill(ledger);
    const Shown shown = on_terminal(ledger, "statement ACC-1 --color=never");
    CHECK(contains(shown.text, "-30.00"));
    CHECK_FALSE(has_escape(shown.text));
  }

  TEST_CASE("auto never colours a pipe, even a table") {
    TestLedger ledger;
    fill(ledger);
    const RunResult r = ledger.run("statement ACC-1 --format table", clean_env());
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "-30.00"));
    CHECK_FALSE(has_escape(r.out));
  }

  TEST_CASE("--color=always colours a table into a pipe, NO_COLOR and TERM=dumb regardless") {
    TestLedger ledger;
    fill(ledger);
    const RunResult r = ledger.run("statement ACC-1 --format table --color=always",
                                   clean_env("NO_COLOR=1 TERM=dumb"));
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, kBoldHeader));
    CHECK(contains(r.out, kRedAmount));
  }

  TEST_CASE("csv, tsv, json and jsonl are never coloured, not even with --color=always") {
    TestLedger ledger;
    fill(ledger);
    for (const char* format : {"csv", "tsv", "json", "jsonl"}) {
      INFO("format " << format);
      const std::string args = std::string("statement ACC-1 --color=always --format ") + format;
      const RunResult piped = ledger.run(args, clean_env());
      CHECK(piped.exit_code == 0);
      CHECK(contains(piped.out, "-30.00"));
      CHECK_FALSE(has_escape(piped.out));
      const Shown shown = on_terminal(ledger, args);
      CHECK(contains(shown.text, "-30.00"));
      CHECK_FALSE(has_escape(shown.text));
    }
  }

  TEST_CASE("errors say error in red on a terminal's stderr, plainly into a pipe") {
    TestLedger ledger;
    fill(ledger);
    const Shown shown = on_terminal(ledger, "balance NO-SUCH-ACCOUNT", "", ">/dev/null");
    CHECK(shown.exit_code != 0);
    CHECK(shown.text.starts_with(kRedError));
    const Shown usage = on_terminal(ledger, "balance --no-such-option", "", ">/dev/null");
    CHECK(usage.exit_code == 64);
    CHECK(usage.text.starts_with(kRedError));

    const Shown no_color = on_terminal(ledger, "balance NO-SUCH-ACCOUNT", "NO_COLOR=1");
    CHECK(no_color.text.starts_with("ledger: error: "));
    const Shown never = on_terminal(ledger, "--color=never balance NO-SUCH-ACCOUNT");
    CHECK(never.text.starts_with("ledger: error: "));

    const RunResult piped = ledger.run("balance NO-SUCH-ACCOUNT", clean_env());
    CHECK(piped.err.starts_with("ledger: error: "));
    CHECK_FALSE(has_escape(piped.err));
    const RunResult always = ledger.run("--color=always balance NO-SUCH-ACCOUNT", clean_env());
    CHECK(always.err.starts_with(kRedError));
  }

  TEST_CASE("a piped table is never fitted, whatever COLUMNS says") {
    TestLedger ledger;
    fill(ledger);
    for (const char* env : {"", "COLUMNS=40"}) {
      INFO("env " << env);
      const RunResult r = ledger.run("accounts --format table", clean_env(env));
      REQUIRE(r.exit_code == 0);
      // The cutoff, the header, one line per account and the digest.
      CHECK(lines_of(r.out).size() == 5);
      CHECK(contains(r.out, "Ada Augusta King, Countess of Lovelace"));
    }
  }

  TEST_CASE("a table on a terminal of COLUMNS fits it by wrapping owners, ids and amounts whole") {
    TestLedger ledger;
    fill(ledger);
    const Shown wide = on_terminal(ledger, "accounts --color=never");
    REQUIRE(wide.exit_code == 0);
    // A terminal of unknown width and no COLUMNS: nothing wraps, one line per account.
    CHECK(lines_of(wide.text).size() == 5);
    CHECK(widest_line(wide.text) > 130);

    const Shown narrow = on_terminal(ledger, "accounts --color=never", "COLUMNS=130");
    REQUIRE(narrow.exit_code == 0);
    CHECK(widest_line(narrow.text) <= 130);
    CHECK(lines_of(narrow.text).size() > 4);
    // Every account id whole at the start of its line, its balance whole beside it.
    CHECK(contains(narrow.text, std::string("\n") + kLongId + "    30.00  USD"));
    CHECK(contains(narrow.text, "\nACC-1      "));
    CHECK(contains(narrow.text, "70.00  USD"));
    // The owner wrapped at spaces onto continuation lines, every word of it shown.
    for (const char* word : {"Ada", "Augusta", "King,", "Countess", "of", "Lovelace"}) {
      CHECK(contains(narrow.text, word));
    }
    CHECK_FALSE(contains(narrow.text, "Ada Augusta King, Countess of Lovelace"));
  }

  TEST_CASE("a table narrower than its ids overflows rather than cut one") {
    TestLedger ledger;
    fill(ledger);
    const Shown shown = on_terminal(ledger, "accounts --color=never", "COLUMNS=30");
    REQUIRE(shown.exit_code == 0);
    CHECK(contains(shown.text, std::string("\n") + kLongId + "    30.00  USD"));
    CHECK(widest_line(shown.text) > 30);
  }

  TEST_CASE("on a terminal the table fits the terminal's own width, whatever COLUMNS says") {
    TestLedger ledger;
    fill(ledger);
    const Shown shown = on_terminal(ledger, "accounts --color=never", "COLUMNS=300", "",
                                    "stty cols 130 rows 40 </dev/tty");
    CHECK(shown.exit_code == 0);
    CHECK(widest_line(shown.text) <= 130);
    CHECK(contains(shown.text, kLongId));
    CHECK_FALSE(contains(shown.text, "Ada Augusta King, Countess of Lovelace"));
  }

  TEST_CASE("double-width characters take two columns: CJK or emoji owners keep columns aligned") {
    TestLedger ledger;
    ledger.ok("open ACC-1 --owner '山田太郎' --date 2026-01-01");
    ledger.ok("open ACC-2 --owner 'Bob 🎉' --date 2026-01-01");
    ledger.ok("open ACC-3 --owner 'Zoë' --date 2026-01-01");
    const Shown shown =
        on_terminal(ledger, "accounts --color=never", "", "", "stty cols 100 rows 40 </dev/tty");
    REQUIRE(shown.exit_code == 0);
    const auto lines = lines_of(shown.text);
    REQUIRE(lines.size() == 6);  // The cutoff, the header, three accounts and the digest.
    // Every row ends with its opening date, so the rows are all as wide as each other when the
    // owners are measured as a terminal draws them (counted in code points, 山田太郎 would push
    // its row four columns right).
    for (size_t i = 3; i + 1 < lines.size(); ++i) {
      INFO(lines[i]);
      CHECK(ledger::cli::display_width(lines[i]) == ledger::cli::display_width(lines[2]));
    }
    CHECK(contains(shown.text, "山田太郎"));
    CHECK(contains(shown.text, "Bob 🎉"));
  }

  TEST_CASE("history on an 80-column terminal fits it: events in words, memos wrapped whole") {
    TestLedger ledger;
    fill(ledger);
    ledger.ok("deposit ACC-1 12.50 --memo 'refund of the deposit for the flat on the corner, "
              "with interest' --ref bank-2026-000123");
    const Shown shown =
        on_terminal(ledger, "history --color=never", "", "", "stty cols 80 rows 40 </dev/tty");
    REQUIRE(shown.exit_code == 0);
    for (const std::string& line : lines_of(shown.text)) {
      INFO(line);
      CHECK(ledger::cli::display_width(line) <= 80);
    }
    const auto lines = lines_of(shown.text);
    REQUIRE(lines.size() > 2);
    CHECK(lines[1].starts_with("seq  recorded"));
    CHECK(contains(lines[1], "event"));
    CHECK(contains(shown.text, "transfer ACC-1 to"));
    CHECK(contains(shown.text, "bank-2026-000123"));  // A ref is a word: never cut.
    CHECK(contains(shown.text, "12.50"));
    for (const char* word : {"refund", "corner,", "interest"}) CHECK(contains(shown.text, word));
    // A pipe gets every column, the memo whole, whatever the terminal.
    const RunResult piped = ledger.ok("history --format csv");
    CHECK(lines_of(piped.out)[0] ==
          "seq,recorded,date,type,op,account,to,amount,currency,owner,overdraft_limit,memo,ref");
    CHECK(contains(piped.out,
                   "\"refund of the deposit for the flat on the corner, with interest\""));
  }

  TEST_CASE("history on a terminal wide enough for every column shows every column") {
    TestLedger ledger;
    ledger.ok("open A --date 2026-01-01");
    const Shown shown =
        on_terminal(ledger, "history --color=never", "", "", "stty cols 250 rows 40 </dev/tty");
    REQUIRE(shown.exit_code == 0);
    CHECK(contains(shown.text, "overdraft_limit"));
    CHECK_FALSE(contains(shown.text, "event"));
  }

  TEST_CASE("import draws a progress bar on a terminal's stderr, not in a pipe nor with -q") {
    TestLedger ledger;
    fill(ledger);
    const auto file = deposits_file(ledger, 5000);
    const std::string args = "import " + shell_quote(file.string());

    const RunResult piped = ledger.run(args + " --dry-run", clean_env());
    CHECK(piped.exit_code == 0);
    CHECK(piped.err.empty());

    const Shown quiet = on_terminal(ledger, "-q " + args + " --dry-run");
    CHECK(quiet.exit_code == 0);
    CHECK_FALSE(contains(quiet.text, "import "));

    // stdout goes to a file, so what the terminal shows came from stderr.
    const auto out = ledger.scratch() / "import.out";
    const Shown shown = on_terminal(ledger, args, "", ">" + shell_quote(out.string()));
    CHECK(shown.exit_code == 0);
    CHECK(contains(shown.text, "\rimport 4096 "));
    CHECK(shown.text.ends_with("\r"));  // The bar is blanked when done.
    CHECK(contains(read_file(out), "5000 new"));
    CHECK_FALSE(contains(read_file(out), "\r"));
  }

  TEST_CASE("verify draws a progress bar on a terminal's stderr, not in a pipe nor with -q") {
    TestLedger ledger;
    fill(ledger);
    const RunResult piped = ledger.run("verify", clean_env());
    CHECK(piped.exit_code == 0);
    CHECK(piped.err.empty());
    CHECK(on_terminal(ledger, "-q verify", "", ">/dev/null").text.empty());
    const Shown shown = on_terminal(ledger, "verify", "", ">/dev/null");
    CHECK(shown.exit_code == 0);
    CHECK(contains(shown.text, "\rverify ["));
  }

  TEST_CASE("compact draws a progress bar on a terminal's stderr, not in a pipe nor with -q" * doctest::test_suite("files")) {
    // A ledger of many small segments for each case, so each has sealed segments to archive.
    for (const char* how : {"pipe", "quiet", "terminal"}) {
      INFO(how);
      TestLedger ledger;
      fill(ledger);
      const auto file = deposits_file(ledger, 1000);
      ledger.ok("--segment-size 4096 import " + shell_quote(file.string()));
      const std::string mode = how;
      if (mode == "pipe") {
        const RunResult piped = ledger.run("compact", clean_env());
        CHECK(piped.exit_code == 0);
        CHECK(contains(piped.out, "archived"));
        CHECK(piped.err.empty());
      } else if (mode == "quiet") {
        const Shown quiet = on_terminal(ledger, "-q compact", "", ">/dev/null");
        CHECK(quiet.exit_code == 0);
        CHECK(quiet.text.empty());
      } else {
        const Shown shown = on_terminal(ledger, "compact", "", ">/dev/null");
        CHECK(shown.exit_code == 0);
        CHECK(contains(shown.text, "\rcompact ["));
      }
    }
  }
}
