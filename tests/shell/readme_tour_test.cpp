// The README's tour runs as shown. The first ```sh block under "## A short tour" is run with
// `bash -e -o pipefail` in a fresh home and working directory (so `~/books` is new), with
// sample-data/bank.csv where the tour names it and the binary under test first in PATH as
// `ledger`: every command must succeed. The outputs that the README quotes must be what the
// tour printed, and the ```text block after the tour (`$ ledger ...` and what it prints on a
// terminal) must be exactly what that command prints as a table on the books the tour left.
//
// The tour hands its journal to hledger. Where hledger is not installed (CI installs it), a stub
// stands in for it and the test says so; ledger-cli is not called by the tour, since our binary is
// the `ledger` on its PATH.

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "shell/run_shell.h"

namespace {

namespace fs = std::filesystem;
using ledger::testing::run_ledger;
using ledger::testing::run_shell;
using ledger::testing::shell_quote;

const std::string kReadme = LEDGER_TEST_DATA "/../README.md";
const std::string kBankCsv = LEDGER_TEST_DATA "/../sample-data/bank.csv";
constexpr const char* kTourHeading = "\n## A short tour\n";

// The body of the first fenced block of `language` after `from` in `text` ("" if none), and
// where it ends.
std::pair<std::string, size_t> fenced_block(const std::string& text, const std::string& language,
                                            size_t from) {
  const std::string open = "\n```" + language + "\n";
  const size_t start = text.find(open, from);
  if (start == std::string::npos) return {"", std::string::npos};
  const size_t body = start + open.size();
  const size_t end = text.find("\n```\n", body - 1);
  if (end == std::string::npos) return {"", std::string::npos};
  return {text.substr(body, end + 1 - body), end + 4};
}

// The tour's shell block and the transcript after it.
struct Tour {
  std::string script;
  std::string command;   // After "$ ledger ".
  std::string expected;  // What it prints, each line ending in LF.
};

Tour tour_in(const std::string& readme) {
  Tour tour;
  const size_t heading = readme.find(kTourHeading);
  if (heading == std::string::npos) return tour;
  auto [script, after] = fenced_block(readme, "sh", heading);
  tour.script = script;
  if (after == std::string::npos) return tour;
  // The transcript must belong to the tour: before the next heading.
  const size_t next_heading = readme.find("\n## ", after);
  auto [transcript, end] = fenced_block(readme, "text", after);
  if (end == std::string::npos || (next_heading != std::string::npos && end > next_heading)) {
    return tour;
  }
  std::istringstream lines(transcript);
  std::string line;
  if (std::getline(lines, line) && line.rfind("$ ledger ", 0) == 0) {
    tour.command = line.substr(9);
    while (std::getline(lines, line)) tour.expected += line + "\n";
  }
  return tour;
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l);)
    if (l == line) return true;
  return false;
}

}  // namespace

TEST_SUITE("README tour") {
  TEST_CASE("the tour and its transcript are found in a README") {
    const std::string readme =
        "# x\n\n```sh\nnot this\n```\n\n## A short tour\n\nText.\n\n```sh\nledger open A\n"
        "ledger balance\n```\n\nOn a terminal:\n\n```text\n$ ledger balance --at 2026-06-30\n"
        "as of 2026-06-30\naccount  balance\n```\n\n## Next\n\n```text\n$ ledger no\n```\n";
    const Tour tour = tour_in(readme);
    CHECK(tour.script == "ledger open A\nledger balance\n");
    CHECK(tour.command == "balance --at 2026-06-30");
    CHECK(tour.expected == "as of 2026-06-30\naccount  balance\n");
    // A transcript under the next heading is not the tour's.
    const Tour other =
        tour_in("#\n## A short tour\n\n```sh\nls\n```\n\n## Next\n\n```text\n$ ledger x\n```\n");
    CHECK(other.script == "ls\n");
    CHECK(other.command.empty());
  }

  TEST_CASE("every command of the README's tour runs as shown, and prints what the README says") {
    const std::string readme = ledger::testing::slurp(kReadme);
    const Tour tour = tour_in(readme);
    REQUIRE_MESSAGE(!tour.script.empty(), "README.md has no ```sh block under \"## A short tour\"");
    REQUIRE_MESSAGE(!tour.command.empty(),
                    "README.md has no ```text block starting with \"$ ledger \" after the tour");

    ledger::testing::TempDir home("ledger-readme-tour");
    const fs::path bin = home.path() / "bin";
    fs::create_directories(bin);
    fs::create_symlink(LEDGER_BINARY, bin / "ledger");
    fs::create_directories(home.path() / "sample-data");
    fs::copy_file(kBankCsv, home.path() / "sample-data" / "bank.csv");
    if (run_shell("command -v hledger").exit_code != 0) {
      MESSAGE("hledger is not installed: a stub stands in for it in the tour");
      std::ofstream stub(bin / "hledger");
      stub << "#!/bin/sh\necho \"(hledger is not installed: $*)\"\n";
      stub.close();
      fs::permissions(bin / "hledger", fs::perms::owner_all);
    }
    {
      std::ofstream script(home.path() / "tour.sh", std::ios::binary);
      script << tour.script;
    }

    const std::string dir = shell_quote(home.path().string());
    const auto result = run_shell("cd " + dir + " && env -u LEDGER_DIR HOME=" + dir +
                                  " PATH=" + shell_quote(bin.string()) + ":\"$PATH\"" +
                                  " TZ=UTC LC_ALL=C NO_COLOR=1 bash -e -o pipefail tour.sh");
    INFO("stdout:\n" << result.out);
    INFO("stderr:\n" << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find("error") == std::string::npos);
    CHECK(fs::exists(home.path() / "books"));

    // What the README says a command printed (its comments and prose), and the line it is in
    // the tour's output (CSV: standard output is a pipe here).
    const std::vector<std::pair<std::string, std::string>> quoted = {
        {"The retry prints `already recorded as event 3: deposit 2500.00 USD to ACC-001 (nothing "
         "written)`",
         "already recorded as event 3: deposit 2500.00 USD to ACC-001 (nothing written)"},
        {"# June as we know it now: 2150.00", "ACC-001,2150.00,USD"},
        {"# as we knew it then: 2100.00", "ACC-001,2100.00,USD"},
        {"END { print out }'  # 400", "400"},
        {"# again: 0 new, 53 already recorded", "0 new, 53 already recorded"},
        // A memo with a comma, lined up by `column` from TSV.
        {"--format tsv | cut -f1,5,8 | column -t -s $'\\t'  # lined up",
         "2026-01-03  -1450.00  Rent, January"},
    };
    for (const auto& [said, printed] : quoted) {
      CAPTURE(said);
      CHECK_MESSAGE(readme.find(said) != std::string::npos, "the README no longer says this");
      CHECK_MESSAGE(has_line(result.out, printed), "the tour did not print: " << printed);
    }

    // The transcript: the same command as a table, on the books the tour left.
    CAPTURE(tour.command);
    const auto shown = run_ledger("--dir " + shell_quote((home.path() / "books").string()) +
                                  " --format table " + tour.command);
    REQUIRE_MESSAGE(shown.exit_code == 0, shown.err);
    // The digest's root depends on the recorded times of the run: the README elides it.
    std::string out = shown.out;
    const std::string tag = "\ndigest ledger-digest-v1:";
    const size_t digest = out.find(tag);
    REQUIRE(digest != std::string::npos);
    const size_t root = out.find(':', digest + tag.size()) + 1;
    REQUIRE(out.size() >= root + 65);
    CHECK(out.substr(root + 64) == "\n");
    out.replace(root, 64, "…");
    CHECK(out == tour.expected);
  }
}
