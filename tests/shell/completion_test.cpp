// The shell completions: both scripts parse, and bash completes subcommands, options, option
// values and the account ids of a real ledger (named by --dir on the line, or by $LEDGER_DIR).

#include <doctest/doctest.h>

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "shell/run_shell.h"

namespace {

using ledger::testing::run_ledger;
using ledger::testing::run_shell;
using ledger::testing::shell_quote;

const std::string kBashScript = LEDGER_TEST_DATA "/../completions/ledger.bash";
const std::string kZshScript = LEDGER_TEST_DATA "/../completions/_ledger";

// What bash's completion function offers for the words of `line` (the last one, possibly
// empty, is the word being completed): COMPREPLY, one a line, as a set.
std::set<std::string> complete(const std::string& line, const std::string& env = "") {
  // The binary under test stands in for `ledger` at the start of the line.
  const std::string script = "source " + shell_quote(kBashScript) + "\n" + "COMP_WORDS=(" +
                             shell_quote(LEDGER_BINARY) + " " + line + ")\n" +
                             "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n" +
                             "_ledger\n"
                             "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  const auto result = run_shell(env + " bash --norc --noprofile -c " + shell_quote(script));
  REQUIRE_MESSAGE(result.exit_code == 0, result.err);
  // Completion is silent, whatever goes wrong.
  CHECK_MESSAGE(result.err.empty(), result.err);
  std::set<std::string> words;
  std::istringstream lines(result.out);
  for (std::string word; std::getline(lines, word);)
    if (!word.empty()) words.insert(word);
  return words;
}

// A ledger with three accounts, in its own directory.
struct Books {
  ledger::testing::TempDir dir{"ledger-completion"};
  Books() {
    for (const char* account : {"ACC-001", "ACC-002", "SAV-1"})
      REQUIRE(
          run_ledger("--dir " + shell_quote(dir.path().string()) + " open " + account).exit_code ==
          0);
  }
  std::string path() const { return dir.path().string(); }
};

}  // namespace

TEST_SUITE("completion") {
  TEST_CASE("the bash script parses (bash -n)") {
    const auto result = run_shell("bash -n " + shell_quote(kBashScript));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
  }

  TEST_CASE("the zsh script parses (zsh -n), where zsh is installed") {
    if (run_shell("command -v zsh").exit_code != 0) {
      MESSAGE("skipped: zsh is not installed (apt-get install zsh)");
      return;
    }
    const auto result = run_shell("zsh -n " + shell_quote(kZshScript));
    CHECK_MESSAGE(result.exit_code == 0, result.err);
  }

  TEST_CASE("a subcommand prefix completes to the subcommands it starts") {
    CHECK(complete("st") == std::set<std::string>{"statement", "stats"});
    CHECK(complete("dep") == std::set<std::string>{"deposit"});
    // Global options before the subcommand are stepped over, with their values.
    CHECK(complete("--format csv --dir /nowhere tr") == std::set<std::string>{"transfer"});
  }

  TEST_CASE("every subcommand of --help is offered on an empty word") {
    const auto offered = complete("''");
    for (const char* command : {"open", "deposit", "balance", "import", "verify", "stats"})
      CHECK(offered.count(command) == 1);
    CHECK(offered.count("--dir") == 0);
  }

  TEST_CASE("options: global and the subcommand's own, and their values") {
    CHECK(complete("--").count("--snapshot-every") == 1);
    const auto deposit = complete("deposit --");
    CHECK(deposit.count("--memo") == 1);
    CHECK(deposit.count("--dir") == 1);
    CHECK(deposit.count("--owner") == 0);
    CHECK(complete("compact --p") == std::set<std::string>{"--purge"});
    CHECK(complete("--format j") == std::set<std::string>{"json", "jsonl"});
    CHECK(complete("balance --format ''") ==
          std::set<std::string>{"table", "csv", "tsv", "json", "jsonl", "chart"});
    CHECK(complete("accounts --format ''") ==
          std::set<std::string>{"table", "csv", "tsv", "json", "jsonl"});
    CHECK(complete("balance --e") == std::set<std::string>{"--every"});
    CHECK(complete("balance ACC --every ''") ==
          std::set<std::string>{"day", "week", "month", "quarter", "year"});
    CHECK(complete("statement ACC --format c") == std::set<std::string>{"csv", "chart"});
    CHECK(complete("import x.csv --format ''") == std::set<std::string>{"csv", "jsonl"});
    CHECK(complete("--color ''") == std::set<std::string>{"auto", "always", "never"});
  }

  TEST_CASE("an account id completes from the ledger named by --dir") {
    Books books;
    const std::string dir = shell_quote(books.path());
    CHECK(complete("--dir " + dir + " deposit AC") == std::set<std::string>{"ACC-001", "ACC-002"});
    CHECK(complete("deposit --dir " + dir + " S") == std::set<std::string>{"SAV-1"});
    CHECK(complete("--dir=" + dir + " balance ACC-001 ''") ==
          std::set<std::string>{"ACC-001", "ACC-002", "SAV-1"});
    // transfer FROM TO AMOUNT: accounts twice, then an amount.
    CHECK(complete("--dir " + dir + " transfer ACC-001 A").size() == 2);
    CHECK(complete("--dir " + dir + " transfer ACC-001 ACC-002 ''").empty());
    // A new account's id is not one of the old ones.
    CHECK(complete("--dir " + dir + " open A").empty());
  }

  TEST_CASE("an account id completes from $LEDGER_DIR, and errors complete nothing") {
    Books books;
    CHECK(complete("statement A", "LEDGER_DIR=" + shell_quote(books.path())) ==
          std::set<std::string>{"ACC-001", "ACC-002"});
    // No ledger there: nothing offered, nothing printed (complete() checks that stderr is empty).
    CHECK(complete("--dir /nonexistent/ledger deposit A").empty());
  }
}
