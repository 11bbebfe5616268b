// The man page documents the whole command line: every subcommand and every option that the
// real binary's --help lists, its subcommands' included, so a new option (or command) without
// its paragraph in man/ledger.1 fails here.

#include <doctest/doctest.h>

#include <cctype>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "shell/run_shell.h"

namespace {

using ledger::testing::run_ledger;

const std::string kManPage = LEDGER_TEST_DATA "/../man/ledger.1";

// The names listed under "Subcommands:" in CLI11's help.
std::vector<std::string> subcommands_in(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream lines(help);
  std::string line;
  bool listed = false;
  static const std::regex kEntry("^  ([a-z][a-z0-9-]*)( .*)?$");
  while (std::getline(lines, line)) {
    if (line.rfind("Subcommands:", 0) == 0) {
      listed = true;
    } else if (std::smatch m; listed && std::regex_match(line, m, kEntry)) {
      names.push_back(m[1]);
    }
  }
  return names;
}

// Every option name ("--dir", "-q") in the name column of the "Options:" part of the help; the
// descriptions, which mention options of others, are left alone.
std::set<std::string> options_in(const std::string& help) {
  std::set<std::string> names;
  std::istringstream lines(help);
  std::string line;
  bool listed = false;
  static const std::regex kName("^-{1,2}[A-Za-z0-9][A-Za-z0-9-]*$");
  while (std::getline(lines, line)) {
    if (line.rfind("Options:", 0) == 0) listed = true;
    if (line.rfind("Subcommands:", 0) == 0) listed = false;
    const size_t first = line.find_first_not_of(' ');
    if (!listed || first == 0 || first == std::string::npos || line[first] != '-') continue;
    std::istringstream words(line);
    std::string column, name;
    words >> column;
    std::istringstream parts(column);
    while (std::getline(parts, name, ','))
      if (std::regex_match(name, kName)) names.insert(name);
  }
  return names;
}

// `--known-at` as groff writes it: `\-\-known\-at`.
std::string groff(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

// Whether the man page has the option as a whole name: `\-\-at` must not match `\-\-at\-x`.
bool mentions_option(const std::string& page, const std::string& option) {
  const std::string needle = groff(option);
  for (size_t at = page.find(needle); at != std::string::npos; at = page.find(needle, at + 1)) {
    const size_t end = at + needle.size();
    const bool longer = end < page.size() && (std::isalnum(static_cast<unsigned char>(page[end])) ||
                                              page.compare(end, 2, "\\-") == 0);
    const bool inside = at >= 2 && page.compare(at - 2, 2, "\\-") == 0;
    if (!longer && !inside) return true;
  }
  return false;
}

// Whether the command has an item of its own: a .TP whose tag starts with its bold name.
bool documents_command(const std::string& page, const std::string& name) {
  const std::regex tag("\\n\\.TP\\n(\\\\fB" + name + "\\\\fP|\\.BR? " + name + ")( [^\\n]*)?\\n");
  return std::regex_search(page, tag);
}

}  // namespace

TEST_SUITE("man page") {
  TEST_CASE("the parsers find the commands and options of CLI11's help") {
    const std::string help =
        "Usage: ledger [OPTIONS]\n\nOptions:\n  -h,--help  Print this\n"
        "  --dir TEXT  Data (see --other)\n  --color TEXT:{auto,never}\n"
        "                Colour\nSubcommands:\n  open  Open\n  close  Close\n";
    CHECK(subcommands_in(help) == std::vector<std::string>{"open", "close"});
    CHECK(options_in(help) == std::set<std::string>{"-h", "--help", "--dir", "--color"});
    CHECK(mentions_option(".B \\-\\-known\\-at\n", "--known-at"));
    CHECK_FALSE(mentions_option(".B \\-\\-known\\-at\n", "--known"));
    CHECK_FALSE(mentions_option(".B \\-\\-known\\-at\n", "--at"));
    CHECK(documents_command("x\n.TP\n.B snapshot\nSave", "snapshot"));
    CHECK(documents_command("x\n.TP\n\\fBopen\\fP \\fIACC\\fP\nOpen", "open"));
    CHECK_FALSE(documents_command("x\n.PP\n.B snapshot\nSave", "snapshot"));
  }

  TEST_CASE("every command and every option of --help is in man/ledger.1") {
    const std::string page = ledger::testing::slurp(kManPage);
    REQUIRE(page.size() > 1000);
    const auto top = run_ledger("--help");
    REQUIRE(top.exit_code == 0);
    const std::vector<std::string> commands = subcommands_in(top.out);
    REQUIRE(commands.size() >= 10);
    std::set<std::string> options = options_in(top.out);
    REQUIRE(options.count("--dir") == 1);
    for (const std::string& command : commands) {
      CAPTURE(command);
      CHECK_MESSAGE(documents_command(page, command),
                    "man/ledger.1 has no .TP item for the command " << command);
      const auto help = run_ledger(command + " --help");
      REQUIRE(help.exit_code == 0);
      const std::set<std::string> own = options_in(help.out);
      CHECK(own.count("--help") == 1);
      options.insert(own.begin(), own.end());
    }
    for (const std::string& option : options) {
      CHECK_MESSAGE(mentions_option(page, option),
                    "man/ledger.1 never mentions " << option << " (as " << groff(option) << ")");
    }
  }
}
