#pragma once
// What every subcommand shares: the global options, the Ledger service, and the one way to
// print data (stdout) and errors (stderr).

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "cli/chart.h"
#include "cli/output_format.h"
#include "cli/table.h"
#include "ledger/ledger.h"

namespace ledger::cli {

struct GlobalOptions {
  std::optional<std::string> dir;
  std::string format;  // Empty: a table on a terminal, CSV otherwise.
  std::string color = "auto";
  bool quiet = false;
  uint64_t snapshot_every_events = 25'000;
  uint64_t segment_size_bytes = 8u << 20;
  std::optional<std::string> timezone;  // --timezone: a new ledger's zone.
};

class Context {
 public:
  // Keeps a reference: the options are filled in by parsing, after construction.
  explicit Context(const GlobalOptions& options) : options_(options) {}

  // Resolves the options that can fail (the format); call once after parsing. `--format
  // chart` is refused (kUsage) unless the command allowed it, and when stdout is no terminal.
  Status prepare();
  // Before prepare(): this command can draw --format chart.
  void allow_chart() { chart_allowed_ = true; }
  Ledger& ledger() { return ledger_; }
  int64_t now_ns() const { return ledger_.now_ns(); }
  bool quiet() const { return options_.quiet; }
  OutputFormat format() const { return format_; }
  // The terminal's columns that stdout's tables and charts fit in; 0 when not a terminal.
  size_t terminal_width() const { return style_.terminal_width; }
  // Whether --format was given (rather than the default for stdout).
  bool format_given() const { return !options_.format.empty(); }

  // Writes a table to stdout in the chosen format.
  void emit(const Table& table);
  // Draws a chart on stdout, fitted to the terminal's width.
  void emit(const Chart& chart);
  // A line on stdout for people (confirmations, report headers); silent with --quiet.
  void say(const std::string& line);
  // A line on stderr (warnings, notes such as a recovery); always printed.
  void note(const std::string& line);
  // Prints "ledger: error: ..." on stderr and returns the exit status for the error.
  int fail(const Status& status);
  // Prints "ledger: error: <message>" on stderr, for errors that choose their own exit status.
  void error(std::string_view message);
  // Prints what the service had to warn about ("ledger: warning: ...") on stderr.
  void warn_from_ledger();

  // Parses a --at/--known-at/--from/--to value; errors name the option.
  Result<std::optional<int64_t>> cutoff(const std::optional<std::string>& text,
                                        const char* option) const;
  // The same for the start of a range: a date means the start of that day.
  Result<std::optional<int64_t>> range_start(const std::optional<std::string>& text,
                                             const char* option) const;
  // A time cell: seconds and the zone in a table, exact ISO 8601 in machine formats.
  std::string time_cell(int64_t ns) const;
  // An effective time: "2026-06-30" for a date; an instant as ISO 8601 with its offset (to the
  // second in a table).
  std::string effective_cell(int64_t ns, bool closing = false) const;
  // A report's heading line (its cutoff): tables and charts only, and not with --quiet.
  void heading(const std::string& line);

 private:
  const GlobalOptions& options_;
  Ledger ledger_{LedgerOptions{}};
  // Whether the "error:" and "warning:" of diagnostics are coloured; asked each time, since
  // errors can come before prepare() (or from it).
  bool stderr_color() const;
  // The ledger's zone: the one it recorded, else --timezone, else $TZ, else UTC.
  Result<std::string> time_zone();
  void warn(const std::string& line);

  // Whether the output is for people: a table or a chart (times shown to the second).
  bool for_people() const;

  OutputFormat format_ = OutputFormat::kCsv;
  RenderStyle style_;
  bool chart_allowed_ = false;
};

// The subcommands: each declares its options on the app and runs through the context.
void setup_write_commands(CLI::App& app, Context& context, int& exit_code);
void setup_query_commands(CLI::App& app, Context& context, int& exit_code);
void setup_import(CLI::App& app, Context& context, int& exit_code);
void setup_export(CLI::App& app, Context& context, int& exit_code);
void setup_compaction(CLI::App& app, Context& context, int& exit_code);
void setup_maintenance_commands(CLI::App& app, Context& context, int& exit_code);
void setup_tree_commands(CLI::App& app, Context& context, int& exit_code);

}  // namespace ledger::cli
