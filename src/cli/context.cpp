#include "cli/context.h"

#include <cerrno>
#include <cstdio>
#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/postgres_helper.h"
#include "cli/reader_gone.h"
#include "cli/terminal.h"
#include "util/time.h"

namespace ledger::cli {

Status Context::prepare() {
  LedgerOptions ledger_options;
  ledger_options.dir = resolve_data_dir(options_.dir);
  if (is_database_location(ledger_options.dir) && !database_books_available()) {
    return exec_postgres_helper();
  }
  ledger_options.snapshot_every_events = options_.snapshot_every_events;
  ledger_options.segment_size_bytes_max = options_.segment_size_bytes;
  ledger_ = Ledger(ledger_options);
  auto zone = time_zone();
  if (!zone) return zone.status();
  // Every date typed or shown from here on is a date in the ledger's zone, whatever TZ says.
  util::use_time_zone(*zone);
  ledger_.use_time_zone(*zone);
  const bool terminal = stdout_is_terminal();
  if (options_.format.empty()) {
    format_ = default_output_format(terminal);
  } else {
    auto format = parse_output_format(options_.format);
    if (!format) return format.status();
    format_ = *format;
  }
  if (format_ == OutputFormat::kChart && !chart_allowed_) {
    return Status(ErrorCode::kUsage,
                  "--format chart draws balance --every and statement only (use table, csv, tsv, "
                  "json or jsonl here)");
  }
  if (format_ == OutputFormat::kChart && !terminal) {
    return Status(ErrorCode::kUsage,
                  "--format chart draws on a terminal only; into a pipe or a file, use --format "
                  "csv");
  }
  // Only a terminal sizes a table: one piped or saved (`--format table > file`) is laid out
  // the same whatever the environment, as scripts and tests expect.
  style_ = {color_enabled(parse_color_mode(options_.color), terminal),
            terminal ? terminal_columns() : 0};
  return Status::ok();
}

Result<std::string> Context::time_zone() {
  // A location that cannot be read is the command's to report, in its own words.
  auto recorded = ledger_.recorded_time_zone();
  if (!recorded) recorded = std::optional<std::string>();
  std::optional<std::string> asked;
  if (options_.timezone) {
    auto checked = util::check_time_zone(*options_.timezone);
    if (!checked) {
      return Status(ErrorCode::kUsage, fmt::format("--timezone: {}", checked.status().message()));
    }
    asked = *checked;
  }
  if (*recorded) {
    if (asked && *asked != **recorded) {
      return Status(ErrorCode::kUsage,
                    fmt::format("--timezone {}: this ledger's time zone is {}, fixed when it was "
                                "created",
                                *asked, **recorded));
    }
    return **recorded;
  }
  if (asked) return *asked;
  std::string note;
  std::string zone = util::default_time_zone(&note);
  if (!note.empty()) warn(note);
  return zone;
}

void Context::emit(const Table& table) {
  std::string out;
  render(table, format_, out, style_);
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
    stop_if_reader_gone(stdout, errno);
  }
}

void Context::emit(const Chart& chart) {
  std::string out;
  render_chart(chart, style_.terminal_width, out);
  std::fwrite(out.data(), 1, out.size(), stdout);
}

void Context::say(const std::string& line) {
  if (!options_.quiet) fmt::print("{}\n", line);
}

void Context::note(const std::string& line) {
  if (!line.empty()) fmt::print(stderr, "ledger: {}\n", line);
}

bool Context::stderr_color() const {
  return color_enabled(parse_color_mode(options_.color), stderr_is_terminal());
}

void Context::warn(const std::string& line) {
  fmt::print(stderr, "{}{}\n", diagnostic_prefix(Severity::kWarning, stderr_color()), line);
}

void Context::warn_from_ledger() {
  for (const std::string& warning : ledger_.warnings()) warn(warning);
}

void Context::error(std::string_view message) {
  fmt::print(stderr, "{}{}\n", diagnostic_prefix(Severity::kError, stderr_color()), message);
}

int Context::fail(const Status& status) {
  error(status.message());
  return exit_code_for(status.code());
}

Result<std::optional<int64_t>> Context::range_start(const std::optional<std::string>& text,
                                                    const char* option) const {
  if (!text) return std::optional<int64_t>();
  auto ns = util::parse_range_start(*text, now_ns());
  if (!ns) {
    return Status(ns.status().code(), fmt::format("{}: {}", option, ns.status().message()));
  }
  return std::optional<int64_t>(*ns);
}

bool Context::for_people() const {
  return format_ == OutputFormat::kTable || format_ == OutputFormat::kChart;
}

std::string Context::time_cell(int64_t ns) const {
  return for_people() ? util::format_time_human(ns) : util::format_time_iso(ns);
}

std::string Context::effective_cell(int64_t ns, bool closing) const {
  return util::format_effective(ns, for_people(), closing);
}

void Context::heading(const std::string& line) {
  if (for_people()) say(line);
}

Result<std::optional<int64_t>> Context::cutoff(const std::optional<std::string>& text,
                                               const char* option) const {
  if (!text) return std::optional<int64_t>();
  auto ns = util::parse_cutoff(*text, now_ns());
  if (!ns) {
    return Status(ns.status().code(), fmt::format("{}: {}", option, ns.status().message()));
  }
  return std::optional<int64_t>(*ns);
}

}  // namespace ledger::cli
