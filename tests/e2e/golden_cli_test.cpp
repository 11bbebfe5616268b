// Golden CLI tests: every case in tests/golden-cli/*.t is a transcript of `ledger` commands run
// in a fresh temporary directory, with each command's exact standard output, standard error and
// exit status. This runner replays every command against the built binary and compares the
// three byte for byte; on a difference it prints a unified diff of the first hunk that differs.
// tests/golden-cli/README.md describes the case format; scripts/regen-golden-cli rewrites the
// expected results from the current binary (GOLDEN_CLI_REGEN=1), on purpose, for review.
//
// Each command runs as `sh -c` in the case's directory (its files, and the data directory
// `data/` in it through LEDGER_DIR), with `ledger` a shell function that calls the built
// binary, stdin from /dev/null (unless the command redirects it) and stdout and stderr into
// files, so neither is a terminal. The environment is only: PATH=/usr/bin:/bin, HOME (the case's
// directory), LEDGER_DIR, TMPDIR (a folder outside the case's directory), TZ=UTC, LC_ALL=C,
// COLUMNS=80, TERM=dumb. A helper `recorded_at N` prints the recorded time of event N (from
// `ledger history --format csv`), so that a case can ask `--known-at` between two writes.
//
// Every write in a case gives an effective date (--date, or an import row's date), so that all
// output is fixed but for what the wall clock and the temporary directory put in it. Exactly
// these are masked, in stdout and stderr, before comparing and before regenerating:
//   1. An instant on the date of the run (UTC; the date when the case started or, should it
//      cross midnight, when it ended), in the two shapes the ledger prints a UTC instant in:
//      RFC 3339 `YYYY-MM-DDTHH:MM:SS[.F]Z` (F 1 to 9 digits) and the table's
//      `YYYY-MM-DD HH:MM:SS UTC`. The date and time become `<now>`; the `Z` or ` UTC` after
//      them stays, so `<now>Z` and `<now>               UTC` (in the table's shape `<now>` is
//      padded with spaces to the 19 columns it replaces, so that tables stay aligned). These
//      are the recorded times of events and the "now" of a question without --at. The cases'
//      own dates all lie in the first half of 2026, before the cases were written, so no
//      effective date is ever masked; an instant of another shape (a zone offset such as
//      +01:00) or of another day is not masked either.
//   2. The case's temporary directory, as an exact string, becomes `<dir>`.
//   3. The root of a digest (`ledger-digest-v1:SIZE:` then 64 hex digits): the hash of events
//      whose recorded times are those of the run. The 64 digits become `<root>`; the size is
//      kept. (tests/e2e/tree_test.cpp checks digests themselves.)
// Nothing else is masked: sizes, counts, sequence numbers and messages are compared as printed.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "e2e/run_ledger.h"
#include "store/log_fixture.h"

namespace {

namespace fs = std::filesystem;
using ledger::testing::shell_quote;

const fs::path kCasesDir = fs::path(LEDGER_TEST_DATA) / "golden-cli";

// One command of a case with its expected (or, after running, actual) results.
struct Step {
  std::string command;
  std::string out;
  std::string err;
  int exit_code = 0;
};

// A case in order: text kept as it is (comments, blank lines), files to write into the case's
// directory, setups to run, and commands with their results.
struct Item {
  enum class Kind { kText, kFile, kSetup, kStep } kind = Kind::kText;
  std::string text;  // kText: the line; kFile: the file name; kSetup: the setup's name.
  std::string body;  // kFile: the file's content.
  Step step;         // kStep.
};

struct Case {
  std::vector<Item> items;
  std::string parse_error;  // Empty when the file parsed.
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A line "P text" or a bare "P" (an empty line of output) for the prefix P.
bool has_prefix(const std::string& line, std::string_view prefix, std::string* rest) {
  if (line == prefix) {
    *rest = "";
    return true;
  }
  if (line.size() > prefix.size() && line.starts_with(prefix) && line[prefix.size()] == ' ') {
    *rest = line.substr(prefix.size() + 1);
    return true;
  }
  return false;
}

constexpr std::string_view kNoEol = "\\ no newline at end";

// Parses a case: `$ CMD`, then `> ` stdout lines, `! ` stderr lines (each stream optionally
// followed by `\ no newline at end`), `? N` the exit status when it is not 0; `<<< NAME` then
// `< ` lines, a file; `%setup NAME`, tests/golden-cli/NAME.setup; anything else is kept text.
Case parse_case(const std::string& text) {
  Case result;
  const std::vector<std::string> lines = split_lines(text);
  size_t i = 0;
  auto fail = [&](const std::string& why) {
    result.parse_error = fmt::format("line {}: {}", i + 1, why);
    return result;
  };
  // Reads the lines of one stream with `prefix`, or of a file's body with "<".
  auto read_block = [&](std::string_view prefix, std::string* block) {
    std::string rest;
    bool any = false;
    while (i < lines.size() && has_prefix(lines[i], prefix, &rest)) {
      *block += rest + "\n";
      any = true;
      ++i;
    }
    if (any && i < lines.size() && lines[i] == kNoEol) {
      block->pop_back();
      ++i;
    }
  };
  while (i < lines.size()) {
    const std::string& line = lines[i];
    std::string rest;
    Item item;
    if (has_prefix(line, "$", &rest)) {
      item.kind = Item::Kind::kStep;
      item.step.command = rest;
      ++i;
      read_block(">", &item.step.out);
      read_block("!", &item.step.err);
      if (i < lines.size() && has_prefix(lines[i], "?", &rest)) {
        item.step.exit_code = std::atoi(rest.c_str());
        if (rest.empty() || std::to_string(item.step.exit_code) != rest || rest == "0") {
          return fail("`? N` needs a non-zero exit status");
        }
        ++i;
      }
      if (i < lines.size() && (lines[i].starts_with(">") || lines[i].starts_with("!") ||
                               lines[i].starts_with("?") || lines[i].starts_with("\\"))) {
        return fail("results out of order: stdout (>), then stderr (!), then exit status (?)");
      }
    } else if (has_prefix(line, "<<<", &rest)) {
      item.kind = Item::Kind::kFile;
      item.text = rest;
      if (rest.empty() || rest.find('/') != std::string::npos) return fail("a plain file name");
      ++i;
      read_block("<", &item.body);
    } else if (has_prefix(line, "%setup", &rest)) {
      item.kind = Item::Kind::kSetup;
      item.text = rest;
      ++i;
    } else if (line.starts_with(">") || line.starts_with("!") || line.starts_with("?") ||
               line.starts_with("<") || line.starts_with("\\") || line.starts_with("%")) {
      return fail("a result, file line or directive with nothing to belong to");
    } else {
      item.text = line;
      ++i;
    }
    result.items.push_back(std::move(item));
  }
  return result;
}

void render_stream(std::string* text, std::string_view prefix, const std::string& stream) {
  if (stream.empty()) return;
  for (const std::string& line : split_lines(stream)) {
    *text += line.empty() ? std::string(prefix) : fmt::format("{} {}", prefix, line);
    *text += "\n";
  }
  if (stream.back() != '\n') *text += std::string(kNoEol) + "\n";
}

std::string render_case(const Case& c) {
  std::string text;
  for (const Item& item : c.items) {
    switch (item.kind) {
      case Item::Kind::kText:
        text += item.text + "\n";
        break;
      case Item::Kind::kFile:
        text += "<<< " + item.text + "\n";
        render_stream(&text, "<", item.body);
        break;
      case Item::Kind::kSetup:
        text += "%setup " + item.text + "\n";
        break;
      case Item::Kind::kStep:
        text += "$ " + item.step.command + "\n";
        render_stream(&text, ">", item.step.out);
        render_stream(&text, "!", item.step.err);
        if (item.step.exit_code != 0) text += fmt::format("? {}\n", item.step.exit_code);
        break;
    }
  }
  return text;
}

std::string utc_date_now() {
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const std::chrono::year_month_day ymd{days};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

bool digits_at(std::string_view text, size_t at, size_t count) {
  if (at + count > text.size()) return false;
  return std::all_of(text.begin() + at, text.begin() + at + count,
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// The length of the instant's date and time (not its zone) when `text` at `at` is one of the two
// shapes of mask 1 (see the top of this file) for a date in `dates`; 0 otherwise.
size_t now_instant_length(std::string_view text, size_t at, const std::vector<std::string>& dates) {
  const bool on_a_run_date = std::any_of(dates.begin(), dates.end(), [&](const std::string& d) {
    return text.substr(at, d.size()) == d;
  });
  if (!on_a_run_date) return 0;
  size_t end = at + 10;  // After YYYY-MM-DD.
  if (end >= text.size() || (text[end] != 'T' && text[end] != ' ')) return 0;
  const bool rfc3339 = text[end] == 'T';
  ++end;
  if (!digits_at(text, end, 2) || !digits_at(text, end + 3, 2) || !digits_at(text, end + 6, 2) ||
      text.substr(end + 2, 1) != ":" || text.substr(end + 5, 1) != ":") {
    return 0;
  }
  end += 8;
  if (rfc3339) {
    if (end < text.size() && text[end] == '.') {
      size_t fraction = 0;
      while (fraction < 10 && digits_at(text, end + 1 + fraction, 1)) ++fraction;
      if (fraction < 1 || fraction > 9) return 0;
      end += 1 + fraction;
    }
    return text.substr(end, 1) == "Z" ? end - at : 0;
  }
  return text.substr(end, 4) == " UTC" ? end - at : 0;
}

// The length of a digest's root at `at` (64 hex digits after "ledger-digest-v1:SIZE:"), or 0.
size_t digest_root_length(const std::string& text, size_t at) {
  static const std::string kTag = "ledger-digest-v1:";
  if (at < kTag.size() + 2 || text[at - 1] != ':') return 0;
  size_t size_start = at - 1;
  while (size_start > 0 && std::isdigit(static_cast<unsigned char>(text[size_start - 1]))) {
    --size_start;
  }
  if (size_start == at - 1 || size_start < kTag.size() ||
      text.compare(size_start - kTag.size(), kTag.size(), kTag) != 0) {
    return 0;
  }
  size_t n = 0;
  while (at + n < text.size() && std::isxdigit(static_cast<unsigned char>(text[at + n]))) ++n;
  return n == 64 ? n : 0;
}

std::string mask(const std::string& text, const fs::path& dir,
                 const std::vector<std::string>& dates) {
  std::string masked;
  const std::string dir_text = dir.string();
  for (size_t at = 0; at < text.size();) {
    if (const size_t root = digest_root_length(text, at); root != 0) {
      masked += "<root>";
      at += root;
    } else if (text.compare(at, dir_text.size(), dir_text) == 0) {
      masked += "<dir>";
      at += dir_text.size();
    } else if (const size_t length = now_instant_length(text, at, dates); length != 0) {
      // The table's shape keeps its width, so that the table stays aligned.
      const bool table_shape = text[at + 10] == ' ';
      masked += table_shape ? fmt::format("{:<{}}", "<now>", length) : std::string("<now>");
      at += length;
    } else {
      masked += text[at++];
    }
  }
  return masked;
}

// The shell code before every command: `ledger` is the built binary; `recorded_at N` is the
// recorded time of event N.
std::string prelude() {
  return fmt::format(
      "ledger() {{ {} \"$@\"; }}\n"
      "recorded_at() {{ ledger history --format csv | awk -F, -v n=\"$1\" '$1 == n {{ print $2 "
      "}}'; }}\n",
      shell_quote(LEDGER_BINARY));
}

// Under the sanitizers, the hundreds of binaries these cases start skip LeakSanitizer's check at
// exit (a third of each start there, as for the timeline model): every command they run is also
// run, leaks checked, by the other end-to-end tests.
#ifdef LEDGER_SANITIZED
constexpr const char* kSanitizerEnv = " ASAN_OPTIONS=detect_leaks=0";
#else
constexpr const char* kSanitizerEnv = "";
#endif

Step run_command(const std::string& command, const fs::path& dir, const fs::path& io) {
  write_file(io / "command.sh", prelude() + command + "\n");
  const std::string env = fmt::format(
      "env -i PATH=/usr/bin:/bin HOME={0} LEDGER_DIR={1} TMPDIR={2} TZ=UTC LC_ALL=C COLUMNS=80 "
      "TERM=dumb{3}",
      shell_quote(dir.string()), shell_quote((dir / "data").string()), shell_quote(io.string()),
      kSanitizerEnv);
  const std::string line =
      fmt::format("cd {} && {} sh {} >{} 2>{} </dev/null", shell_quote(dir.string()), env,
                  shell_quote((io / "command.sh").string()), shell_quote((io / "out").string()),
                  shell_quote((io / "err").string()));
  const int status = std::system(line.c_str());
  Step step;
  step.command = command;
  step.out = read_file(io / "out");
  step.err = read_file(io / "err");
  step.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return step;
}

// A unified diff of the first stretch of lines that differs, with three lines of context.
std::string first_hunk(const std::string& expected, const std::string& actual) {
  const std::vector<std::string> a = split_lines(expected), b = split_lines(actual);
  size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
    ++tail;
  }
  if (head == a.size() && head == b.size()) {
    return "  (the lines are equal; the difference is the newline at the end)\n";
  }
  const size_t from = head >= 3 ? head - 3 : 0;
  const size_t a_end = std::min(a.size(), a.size() - tail + 3);
  const size_t b_end = std::min(b.size(), b.size() - tail + 3);
  std::string hunk = fmt::format("@@ -{},{} +{},{} @@\n", from + 1, a_end - from, from + 1,
                                 b_end - from);
  for (size_t k = from; k < head; ++k) hunk += " " + a[k] + "\n";
  for (size_t k = head; k < a.size() - tail; ++k) hunk += "-" + a[k] + "\n";
  for (size_t k = head; k < b.size() - tail; ++k) hunk += "+" + b[k] + "\n";
  for (size_t k = a.size() - tail; k < a_end; ++k) hunk += " " + a[k] + "\n";
  return hunk;
}

std::string difference(const Step& expected, const Step& actual) {
  std::string report;
  for (const auto& [name, want, got] : {std::tuple{"stdout", &expected.out, &actual.out},
                                        std::tuple{"stderr", &expected.err, &actual.err}}) {
    if (*want == *got) continue;
    report += fmt::format("--- expected {}\n+++ actual {}\n", name, name) + first_hunk(*want, *got);
  }
  if (expected.exit_code != actual.exit_code) {
    report += fmt::format("exit status: expected {}, actual {}\n", expected.exit_code,
                          actual.exit_code);
  }
  return report;
}

// Runs a setup's commands, each of which must succeed; their output is not compared.
std::string run_setup(const std::string& name, const fs::path& dir, const fs::path& io) {
  const fs::path path = kCasesDir / (name + ".setup");
  if (!fs::exists(path)) return fmt::format("no setup {}", path.string());
  const Case setup = parse_case(read_file(path));
  if (!setup.parse_error.empty()) return fmt::format("{}: {}", path.string(), setup.parse_error);
  for (const Item& item : setup.items) {
    if (item.kind != Item::Kind::kStep) continue;
    const Step step = run_command(item.step.command, dir, io);
    if (step.exit_code != 0) {
      return fmt::format("setup {}: `{}` exited {}: {}", name, item.step.command, step.exit_code,
                         step.err);
    }
  }
  return "";
}

// Runs the case in `path`; returns its failures (empty when it passed). With `regen`, it writes
// the results it got into the case instead of comparing them.
std::string run_case(const fs::path& path, bool regen) {
  Case c = parse_case(read_file(path));
  if (!c.parse_error.empty()) return c.parse_error + "\n";
  const ledger::store::testing::TempDir root;
  const fs::path dir = root.path() / "case", io = root.path() / "io";
  fs::create_directories(dir);
  fs::create_directories(io);
  const std::string date_first = utc_date_now();
  std::vector<Step> actual;
  for (const Item& item : c.items) {
    if (item.kind == Item::Kind::kFile) write_file(dir / item.text, item.body);
    if (item.kind == Item::Kind::kSetup) {
      if (std::string error = run_setup(item.text, dir, io); !error.empty()) return error + "\n";
    }
    if (item.kind == Item::Kind::kStep) actual.push_back(run_command(item.step.command, dir, io));
  }
  const std::vector<std::string> dates = {date_first, utc_date_now()};
  for (Step& step : actual) {
    step.out = mask(step.out, dir, dates);
    step.err = mask(step.err, dir, dates);
  }
  std::string failures;
  size_t next = 0;
  for (Item& item : c.items) {
    if (item.kind != Item::Kind::kStep) continue;
    const Step& got = actual[next++];
    if (regen) {
      item.step = got;
    } else if (const std::string diff = difference(item.step, got); !diff.empty()) {
      failures += fmt::format("$ {}\n{}", item.step.command, diff);
    }
  }
  if (regen) write_file(path, render_case(c));
  return failures;
}

}  // namespace

TEST_SUITE("e2e golden CLI") {
  TEST_CASE("golden CLI cases: each command's stdout, stderr and exit status match byte for byte") {
    const char* regen_env = std::getenv("GOLDEN_CLI_REGEN");
    const char* only_env = std::getenv("GOLDEN_CLI_CASE");
    const bool regen = regen_env != nullptr && std::string(regen_env) == "1";
    const std::string only = only_env != nullptr ? only_env : "";
    std::vector<fs::path> cases;
    for (const auto& entry : fs::directory_iterator(kCasesDir)) {
      if (entry.path().extension() == ".t") cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    REQUIRE(cases.size() > 0);
    size_t ran = 0;
    for (const fs::path& path : cases) {
      if (!only.empty() && path.stem().string().find(only) == std::string::npos) continue;
      ++ran;
      const std::string failures = run_case(path, regen);
      INFO("tests/golden-cli/" << path.filename().string() << "\n" << failures);
      CHECK(failures.empty());
    }
    CHECK(ran > 0);
    if (regen) MESSAGE(ran << " golden cases regenerated");
  }
}
