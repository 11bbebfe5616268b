// Export through the real binary: a journal that ledger-cli and hledger read in their strict
// modes, whose balance assertions they re-verify and whose balances (overall and at a date)
// equal ours; --at and --known-at as balance applies them; csv and jsonl rows that import reads
// back into a fresh ledger with the same balances, statements and --at answers, and that a
// second import adds nothing to.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

constexpr const char* kLedgerCli = "/usr/bin/ledger";
constexpr const char* kHledger = "/usr/bin/hledger";

bool tool_present(const char* path) { return ::access(path, X_OK) == 0; }

// Runs a shell command line, capturing what it prints.
RunResult run_shell(const std::string& command) {
  const fs::path tmp = fs::temp_directory_path();
  const std::string tag = std::to_string(::getpid()) + "-tool-" + std::to_string(std::rand());
  const fs::path out = tmp / ("ledger-out-" + tag), err = tmp / ("ledger-err-" + tag);
  const int status =
      std::system((std::string(kUtc) + " " + command + " >" + shell_quote(out.string()) + " 2>" +
                   shell_quote(err.string()) + " </dev/null")
                      .c_str());
  RunResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
  fs::remove(out);
  fs::remove(err);
  return result;
}

std::string minor_text(int64_t minor, int decimals) {
  if (decimals == 0) return std::to_string(minor);
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  return fmt::format("{}.{:0{}}", minor / scale, minor % scale, decimals);
}

struct TestAccount {
  std::string id;
  std::string currency;
  int decimals;
};

const std::vector<TestAccount> kAccounts = {
    {"EUR-1", "EUR", 2}, {"EUR-2", "EUR", 2}, {"EUR-3", "EUR", 2}, {"USD-1", "USD", 2},
    {"USD-2", "USD", 2}, {"JPY-1", "JPY", 0}, {"JPY-2", "JPY", 0}, {"team:ops", "EUR", 2}};

// A generated ledger: the accounts above opened on 2026-01-01 (overdraft limits wide enough for
// any row), then `rows` deposits, withdrawals and transfers within a currency, dated through
// January to March in no particular order (so many are backdated against the rows before
// them), with memos full of journal syntax; then two commands of the CLI, one backdated, without
// refs; and an account that is opened, emptied and closed.
void generate(const TestLedger& ledger, int rows, uint32_t seed) {
  std::mt19937 random(seed);
  std::string csv = "op,account,amount,to,date,memo,ref,currency,owner,overdraft_limit\n";
  for (const TestAccount& a : kAccounts) {
    csv += fmt::format("open,{},,,2026-01-01,,,{},\"Owner; of {}\",{}\n", a.id, a.currency, a.id,
                       a.decimals == 0 ? "100000000000" : "1000000000");
  }
  const char* memos[] = {
      "salary", "coffee; with milk", "rent | flat (2)", "* cleared? !",
      "",       "tab\there",         "#1 % off, twice", "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC"};
  for (int i = 0; i < rows; ++i) {
    const TestAccount& a = kAccounts[random() % kAccounts.size()];
    const int64_t minor = 1 + static_cast<int64_t>(random() % (a.decimals == 0 ? 50000 : 500000));
    const std::string date = fmt::format("2026-{:02}-{:02}", 1 + random() % 3, 1 + random() % 28);
    const std::string memo = memos[random() % std::size(memos)];
    const int kind = static_cast<int>(random() % 3);
    std::string to;
    if (kind == 2) {
      for (const TestAccount& b : kAccounts) {
        if (b.currency == a.currency && b.id != a.id) to = b.id;
      }
    }
    const char* op = kind == 0 ? "deposit" : kind == 1 ? "withdraw" : "transfer";
    csv += fmt::format("{},{},{},{},{},\"{}\",,,,\n", op, a.id, minor_text(minor, a.decimals), to,
                       date, memo);
  }
  const fs::path file = ledger.file("generated.csv", csv);
  ledger.ok("import " + shell_quote(file.string()));
  ledger.ok("deposit EUR-1 12.34 --memo 'late; bank row' --date 2026-01-15");
  ledger.ok("withdraw JPY-1 500");
  // An account that is opened, emptied and closed (a comment line in the journal).
  ledger.ok("open OLD-1 --date 2026-01-02");
  ledger.ok("deposit OLD-1 5 --date 2026-01-03 --ref old-in");
  ledger.ok("withdraw OLD-1 5 --date 2026-01-04 --ref old-out");
  ledger.ok("close OLD-1");
}

// The journal's name of our account `id`: each ':' written '~' (ledger(1), export).
std::string journal_account(std::string id) {
  std::replace(id.begin(), id.end(), ':', '~');
  return "Assets:" + id;
}

// Account -> "amount COMMODITY" from `balance --format csv`, as the journal names accounts;
// zero balances are left out, as the tools leave them out.
std::map<std::string, std::string> our_balances(const TestLedger& ledger, const std::string& args) {
  std::map<std::string, std::string> out;
  const auto lines = lines_of(ledger.ok("balance --format csv " + args).out);
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = csv_fields(lines[i]);
    REQUIRE(f.size() == 3);
    if (f[1].find_first_not_of("0.") == std::string::npos) continue;
    out[journal_account(f[0])] = f[1] + " " + f[2];
  }
  return out;
}

// "   1200.00 EUR  Assets:EUR-1" lines of a flat balance report, Assets only.
std::map<std::string, std::string> tool_balances(const std::string& report) {
  std::map<std::string, std::string> out;
  for (const std::string& line : lines_of(report)) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    const size_t gap = line.find("  ", start);
    if (gap == std::string::npos) continue;
    const std::string account = line.substr(line.find_first_not_of(' ', gap));
    if (!account.starts_with("Assets:")) continue;
    out[account] = line.substr(start, gap - start);
  }
  return out;
}

// The balance reports of both tools on `journal`, which must also pass their strict checks
// without a word on stderr. `end` is an exclusive end date, or empty.
void check_tools_agree(const fs::path& journal, const std::map<std::string, std::string>& ours,
                       const std::string& end) {
  const std::string j = shell_quote(journal.string());
  if (tool_present(kLedgerCli)) {
    const RunResult r = run_shell(
        fmt::format("{} --pedantic -f {} balance --flat --no-total{} ^Assets:", kLedgerCli, j,
                    end.empty() ? "" : " -e " + end));
    INFO("ledger-cli stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(tool_balances(r.out) == ours);
  } else {
    MESSAGE("skipped: ledger-cli is not installed at " << kLedgerCli);
  }
  if (tool_present(kHledger)) {
    const RunResult r =
        run_shell(fmt::format("{} -s -f {} balance --flat --no-total{} ^Assets:", kHledger, j,
                              end.empty() ? "" : " -e " + end));
    INFO("hledger stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(tool_balances(r.out) == ours);
  } else {
    MESSAGE("skipped: hledger is not installed at " << kHledger);
  }
}

// A statement without its seq column (a copy numbers its events in its own order); a ref that
// the original lacks is the copy's `seq:<n>`.
std::vector<std::vector<std::string>> statement_rows(const TestLedger& ledger,
                                                     const std::string& id) {
  std::vector<std::vector<std::string>> rows;
  for (const std::string& line :
       lines_of(ledger.ok("statement --format csv " + shell_quote(id)).out)) {
    auto f = csv_fields(line);
    if (f.size() > 1) f.erase(f.begin() + 1);
    if (!f.empty() && f.back().starts_with("seq:")) f.back().clear();
    rows.push_back(f);
  }
  return rows;
}

}  // namespace

TEST_SUITE("export") {
  TEST_CASE("ledger-cli and hledger read the journal strictly and agree with our balances") {
    TestLedger ledger;
    generate(ledger, 3000, 7);
    const fs::path journal = ledger.scratch() / "all.journal";
    const RunResult r = ledger.ok("export " + shell_quote(journal.string()));
    CHECK(r.out.empty());
    CHECK(r.err.empty());  // Not a terminal: no progress bar.
    const std::string text = read_file(journal);
    CHECK(contains(text, "commodity EUR\n    format 1000.00 EUR\n"));
    CHECK(contains(text, "commodity JPY\n"));
    CHECK(contains(text, "account Assets:team~ops\n"));
    CHECK(contains(text, "account Equity:External:JPY\n"));
    CHECK(contains(
        text,
        "\n; 2026-01-02 open Assets:OLD-1 (USD, owner none, overdraft limit 0.00 USD) seq 3011 "));
    CHECK(contains(text, " close Assets:OLD-1 seq 3014 "));
    CHECK(contains(text, "\n2026-01-15 * late bank row\n    ; seq: 3009\n"));
    CHECK_FALSE(contains(text, "coffee;"));
    // Every posting carries its assertion.
    size_t postings = 0, asserted = 0;
    for (const std::string& line : lines_of(text)) {
      if (!line.starts_with("    ") || line.starts_with("    ;") ||
          line.starts_with("    format")) {
        continue;
      }
      ++postings;
      asserted += contains(line, " = ") ? 1 : 0;
    }
    CHECK(postings >= 6000);
    CHECK(asserted == postings);
    check_tools_agree(journal, our_balances(ledger, ""), "");
    // The assertions are checked: one wrong number and both tools refuse the journal.
    std::string wrong = text;
    const size_t posting_at = wrong.find("    Assets:EUR-1  ");
    REQUIRE(posting_at != std::string::npos);
    const size_t assertion = wrong.find(" = ", posting_at) + 3;
    wrong.replace(assertion, wrong.find('\n', assertion) - assertion, "999999.99 EUR");
    const fs::path bad = ledger.file("wrong.journal", wrong);
    for (const char* tool : {kLedgerCli, kHledger}) {
      if (!tool_present(tool)) continue;
      const std::string strict = tool == kHledger ? " -s" : " --pedantic";
      CHECK(run_shell(tool + strict + " -f " + shell_quote(bad.string()) + " balance").exit_code !=
            0);
    }
    // At a date, the whole journal against --at: the tools' end dates are exclusive.
    check_tools_agree(journal, our_balances(ledger, "--at 2026-02-14"), "2026-02-15");
  }

  TEST_CASE("an id with ':' is no sub-account: the tools' tree views show our balances") {
    TestLedger ledger;
    ledger.ok("open B");
    ledger.ok("open B:2");
    ledger.ok("deposit B 7");
    ledger.ok("deposit B:2 50");
    const fs::path journal = ledger.scratch() / "tree.journal";
    ledger.ok("export " + shell_quote(journal.string()));
    const std::string text = read_file(journal);
    CHECK(contains(text, "account Assets:B\n"));
    CHECK(contains(text, "account Assets:B~2\n"));
    CHECK_FALSE(contains(text, "Assets:B:2"));
    // Tree reports (no --flat): B's line is B's own balance, not B's and B:2's together.
    const std::string j = shell_quote(journal.string());
    const std::map<std::string, std::string> tree = {{"B", "7.00 USD"}, {"B~2", "50.00 USD"}};
    for (const char* tool : {kLedgerCli, kHledger}) {
      if (!tool_present(tool)) {
        MESSAGE("skipped: not installed: " << tool);
        continue;
      }
      // ledger-cli draws a tree by default; hledger lists flat unless told --tree.
      const bool cli = tool == kLedgerCli;
      const RunResult r = run_shell(fmt::format("{} {} -f {} balance {} --no-total ^Assets", tool,
                                                cli ? "--pedantic" : "-s", j, cli ? "" : "--tree"));
      INFO(tool << " said: " << r.out << r.err);
      REQUIRE(r.exit_code == 0);
      std::map<std::string, std::string> shown;  // Indented children of Assets, by name.
      for (const std::string& line : lines_of(r.out)) {
        const size_t amount = line.find_first_not_of(' ');
        const size_t gap = line.find("  ", amount);
        if (amount == std::string::npos || gap == std::string::npos) continue;
        const size_t name = line.find_first_not_of(' ', gap);
        if (line.compare(name, 6, "Assets") == 0) continue;
        shown[line.substr(name)] = line.substr(amount, gap - amount);
      }
      CHECK(shown == tree);
    }
  }

  TEST_CASE("export --at holds what balance --at counts, and the tools agree on it") {
    TestLedger ledger;
    generate(ledger, 800, 11);
    const fs::path journal = ledger.scratch() / "at.journal";
    ledger.ok("export --at 2026-01-31 " + shell_quote(journal.string()));
    const std::string text = read_file(journal);
    CHECK_FALSE(contains(text, "\n2026-02-"));
    CHECK_FALSE(contains(text, "\n2026-03-"));
    check_tools_agree(journal, our_balances(ledger, "--at 2026-01-31"), "");
  }

  TEST_CASE("export --known-at leaves out what was recorded later") {
    TestLedger ledger;
    generate(ledger, 200, 3);
    // The import's recorded time: the later commands (recorded after it) are left out.
    const auto history = lines_of(ledger.ok("history --format csv").out);
    REQUIRE(history.size() > 2);
    const std::string recorded = csv_fields(history[1])[1];
    const std::string known = "--known-at " + shell_quote(recorded);
    const RunResult rows = ledger.ok("export --format csv " + known);
    CHECK_FALSE(contains(rows.out, "late; bank row"));
    const fs::path journal = ledger.file("known.journal", ledger.ok("export " + known).out);
    check_tools_agree(journal, our_balances(ledger, known), "");
    TestLedger copy;
    const fs::path file = copy.file("rows.csv", rows.out);
    copy.ok("import " + shell_quote(file.string()));
    CHECK(our_balances(copy, "") == our_balances(ledger, known));
  }

  TEST_CASE("csv and jsonl exports import into a fresh ledger with the same answers") {
    TestLedger ledger;
    generate(ledger, 1000, 5);
    for (const char* format : {"csv", "jsonl"}) {
      INFO("format " << format);
      const RunResult rows = ledger.ok(fmt::format("export --format {}", format));
      TestLedger copy;
      const fs::path file = copy.file(fmt::format("rows.{}", format), rows.out);
      const RunResult first =
          copy.ok(fmt::format("import --format {} {}", format, shell_quote(file.string())));
      CHECK(contains(first.out, "1014 new, 0 already recorded"));
      for (const char* at : {"", "--at 2026-01-01", "--at 2026-01-20", "--at 2026-02-28"}) {
        CHECK(our_balances(copy, at) == our_balances(ledger, at));
      }
      CHECK(copy.ok("accounts --format csv").out == ledger.ok("accounts --format csv").out);
      for (const TestAccount& a : kAccounts)
        CHECK(statement_rows(copy, a.id) == statement_rows(ledger, a.id));
      const RunResult again =
          copy.ok(fmt::format("import --format {} {}", format, shell_quote(file.string())));
      CHECK(contains(again.out, "0 new, 1014 already recorded"));
      // Exporting the copy gives the same rows: the refs, the dates and the order survive.
      CHECK(copy.ok(fmt::format("export --format {}", format)).out == rows.out);
    }
  }

  TEST_CASE(
      "a row whose event has no ref gets seq:N, and a format export cannot write is refused") {
    TestLedger ledger;
    ledger.ok("open ACC-001 --currency JPY --date 2026-01-01");
    ledger.ok("deposit ACC-001 500 --ref bank-1 --date 2026-01-02");
    ledger.ok("deposit ACC-001 7 --date 2026-01-02");
    const auto lines = lines_of(ledger.ok("export --format csv").out);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] == "op,account,amount,to,date,memo,ref,currency,owner,overdraft_limit");
    CHECK(lines[1] == "open,ACC-001,,,2026-01-01,,seq:1,JPY,,0");
    CHECK(lines[2] == "deposit,ACC-001,500,,2026-01-02,,bank-1,JPY,,");
    CHECK(lines[3] == "deposit,ACC-001,7,,2026-01-02,,seq:3,JPY,,");
    // A global --format before the command is taken when export has none of its own.
    CHECK(ledger.ok("--format jsonl export").out.starts_with("{\"op\":\"open\""));
    CHECK(ledger.ok("--format csv export --format ledger").out.starts_with("; Exported by"));
    CHECK(ledger.run("--format tsv export").exit_code == 64);
    CHECK(ledger.run("export --format xml").exit_code == 64);
    CHECK(ledger.run("export --at 2026-13-01").exit_code == 65);
  }

  TEST_CASE("progress bar on a terminal's stderr only, and not with -q") {
    if (::access("/usr/bin/script", X_OK) != 0) {
      MESSAGE("skipped: script(1) is not installed");
      return;
    }
    TestLedger ledger;
    generate(ledger, 20000, 2);
    auto export_cmd = [&ledger](const char* flags) {
      return std::string(LEDGER_BINARY) + " --dir " + shell_quote(ledger.location()) + " " + flags +
             "export /dev/null";
    };
    // script(1) gives the command a pseudo-terminal; its output is what the terminal showed.
    const RunResult shown = run_shell("script -qec " + shell_quote(export_cmd("")) + " /dev/null");
    CHECK(shown.exit_code == 0);
    CHECK(contains(shown.out, "export"));
    const RunResult quiet =
        run_shell("script -qec " + shell_quote(export_cmd("-q ")) + " /dev/null");
    CHECK(quiet.exit_code == 0);
    CHECK_FALSE(contains(quiet.out, "export"));
  }
}
