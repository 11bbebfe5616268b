// import FILE|-: read rows, check them all against the evolving state, write all or nothing.
#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/context.h"
#include "cli/usage_error.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/terminal.h"
#include "ledger/import_reader.h"

namespace ledger::cli {

namespace {

constexpr size_t kIssuesMax = 20;

struct ImportOptions {
  std::string file;
  std::string format;  // Empty: from the file name (.jsonl, .ndjson), else from its content.
  bool dry_run = false;
};

app::ImportFormat format_of(const ImportOptions& o) {
  if (o.format == "jsonl") return app::ImportFormat::kJsonl;
  if (o.format == "csv") return app::ImportFormat::kCsv;
  if (o.file.ends_with(".jsonl") || o.file.ends_with(".ndjson")) return app::ImportFormat::kJsonl;
  return app::ImportFormat::kAuto;
}

// "bank.csv:42:3: error: ..." with the column's position in the header, when known.
void print_issues(const std::string& name, const std::vector<std::string>& header,
                  const std::vector<ImportIssue>& issues, size_t total) {
  for (const ImportIssue& issue : issues) {
    auto column = std::find(header.begin(), header.end(), issue.column);
    if (column != header.end()) {
      fmt::print(stderr, "{}:{}:{}: error: {}\n", name, issue.line, column - header.begin() + 1,
                 issue.message);
    } else if (!issue.column.empty() && header.empty()) {
      fmt::print(stderr, "{}:{}: error: {}: {}\n", name, issue.line, issue.column, issue.message);
    } else {
      fmt::print(stderr, "{}:{}: error: {}\n", name, issue.line, issue.message);
    }
  }
  if (total > issues.size()) {
    fmt::print(stderr, "{}: ... and {} more errors\n", name, total - issues.size());
  }
}

int run_import(Context& context, const ImportOptions& o) {
  if (Status s = context.prepare(); !s) return context.fail(s);
  const std::string name = o.file == "-" ? "<stdin>" : o.file;
  std::ifstream file;
  if (o.file != "-") {
    // A directory opens as a stream on Linux and fails only on the first read.
    std::error_code ec;
    if (std::filesystem::is_directory(o.file, ec)) {
      context.error(fmt::format("cannot open {}: {}", o.file, std::strerror(EISDIR)));
      return kExitNoInput;
    }
    file.open(o.file, std::ios::binary);
    if (!file) {
      context.error(fmt::format("cannot open {}: {}", o.file, std::strerror(errno)));
      return kExitNoInput;
    }
  }
  std::istream& in = o.file == "-" ? std::cin : file;
  // Rows stream from the file into the commit. A bad row, of syntax or of the ledger's rules,
  // stops the writing (the commit is abandoned) but not the checking, so one run reports
  // every bad row.
  app::ImportReader reader(in, format_of(o), context.now_ns(), kIssuesMax);
  // A file in another form (JSON lines as CSV, semicolons for commas) has one thing wrong with
  // it, said once: not as a bad header and a count of bad rows.
  if (!reader.start() && reader.format_refused()) {
    const ImportIssue& issue = reader.issues().front();
    fmt::print(stderr, "{}:{}: error: {}; nothing was imported\n", name, issue.line, issue.message);
    return kExitDataErr;
  }
  Progress progress("import", 0, stderr_is_terminal() && !context.quiet());
  auto result = context.ledger().import(reader, o.dry_run, kIssuesMax,
                                        [&progress](size_t done) { progress.update(done); });
  progress.finish();
  if (!result) return context.fail(result.status());
  context.note(result->recovery);
  const size_t bad = reader.issues_total() + result->issues_total;
  if (bad > 0) {
    std::vector<ImportIssue> issues = reader.issues();
    issues.insert(issues.end(), result->issues.begin(), result->issues.end());
    std::stable_sort(issues.begin(), issues.end(),
                     [](const ImportIssue& a, const ImportIssue& b) { return a.line < b.line; });
    if (issues.size() > kIssuesMax) issues.resize(kIssuesMax);
    print_issues(name, reader.header(), issues, bad);
    context.error(fmt::format("{} bad row{} in {}; nothing was imported", bad,
                              bad == 1 ? "" : "s", name));
    return kExitDataErr;
  }
  context.say(fmt::format("{}{} new, {} already recorded{}", o.dry_run ? "dry run: " : "",
                          result->recorded, result->already_recorded,
                          o.dry_run ? "; nothing written" : ""));
  return 0;
}

}  // namespace

void setup_import(CLI::App& app, Context& context, int& exit_code) {
  static ImportOptions o;
  auto* import = app.add_subcommand("import", "Import rows from a CSV or JSON-lines file, all or none");
  import->add_option("FILE", o.file, "The file, or - for standard input")->required();
  import->add_option("--format", o.format,
                     "csv or jsonl (default: from the file name, else from the first byte: { is "
                     "jsonl)")
      ->check(one_of({"csv", "jsonl"}));
  import->add_flag("--dry-run", o.dry_run, "Check every row and report, without writing");
  import->footer(
      "Columns: op,account,amount,to,date,memo,ref (any order); currency,owner,overdraft_limit "
      "for open rows.\nExample:\n  ledger import bank.csv\n  ledger history --format jsonl | "
      "ledger --dir copy import - --format jsonl");
  import->callback([&] { exit_code = run_import(context, o); });
}

}  // namespace ledger::cli
