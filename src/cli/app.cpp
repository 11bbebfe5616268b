#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <span>
#include <system_error>

#include "cli/command_groups.h"
#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/output_format.h"
#include "cli/postgres_helper.h"
#include "cli/reader_gone.h"
#include "cli/terminal.h"
#include "cli/usage_error.h"
#include "ledger/version.h"

namespace ledger::cli {

namespace {

constexpr const char* kDescription =
    "ledger: an event-sourced ledger of accounts of money, kept in a checksummed, append-only\n"
    "log. Every change is an immutable event; balances are rebuilt from the log.\n\n"
    "Example:\n"
    "  ledger open ACC-001 --owner 'Ada Lovelace'\n"
    "  ledger deposit ACC-001 500 --memo salary\n"
    "  ledger balance ACC-001 --at 2026-06-30\n"
    "  ledger statement ACC-001 --format csv | ...\n";

constexpr std::string_view kWriteNames[] = {"open", "deposit", "withdraw", "transfer", "close"};
constexpr std::string_view kQueryNames[] = {"balance", "accounts", "statement", "history"};
constexpr std::string_view kImportNames[] = {"import"};
constexpr std::string_view kExportNames[] = {"export"};
constexpr std::string_view kCompactionNames[] = {"compact", "snapshot"};
constexpr std::string_view kMaintenanceNames[] = {"verify", "stats", "copy"};
constexpr std::string_view kTreeNames[] = {"digest", "prove", "check-proof"};

// In the order of `ledger --help`.
constexpr CommandGroup kCommandGroups[] = {
    {kWriteNames, setup_write_commands},  {kQueryNames, setup_query_commands},
    {kImportNames, setup_import},         {kExportNames, setup_export},
    {kCompactionNames, setup_compaction}, {kMaintenanceNames, setup_maintenance_commands},
    {kTreeNames, setup_tree_commands},
};

std::string usage_error_prefix(const GlobalOptions& options) {
  const bool color = color_enabled(parse_color_mode(options.color), stderr_is_terminal());
  return diagnostic_prefix(Severity::kError, color);
}

// `lazy`: build only the subcommands that a line plainly naming one needs (command_groups.h).
int run_command(int argc, char** argv, bool lazy) {
  CLI::App app{kDescription, "ledger"};
  app.set_version_flag("-V,--version", fmt::format("ledger {}", kVersion),
                       "Print the version and exit");
  app.require_subcommand(0, 1);
  // Global options may also follow the subcommand: `ledger balance --format csv`.
  app.fallthrough();
  GlobalOptions options;
  app.add_option("--dir", options.dir,
                 "Data directory, or a postgresql:// URI (default: $LEDGER_DIR, else "
                 "$XDG_DATA_HOME/ledger, else ~/.local/share/ledger)");
  app.add_option("--format", options.format,
                 "Output: table, csv, tsv, json or jsonl (default: a table on a terminal, csv "
                 "otherwise); chart draws balance --every or a statement on a terminal")
      ->check(CLI::Validator(
          [](std::string& name) {
            auto format = parse_output_format(name);
            return format ? std::string() : format.status().message();
          },
          "FORMAT"));
  app.add_option("--timezone", options.timezone,
                 "A new ledger's time zone, in which every date is read and shown (default: $TZ, "
                 "else UTC); fixed once the ledger exists");
  app.add_option("--color", options.color, "Colour: auto, always or never")
      ->check(one_of({"auto", "always", "never"}));
  app.add_flag("-q,--quiet", options.quiet, "No confirmations or progress, only data and errors");
  app.add_option("--snapshot-every", options.snapshot_every_events,
                 "A write takes a snapshot when the newest is this many events behind (0: never)")
      ->check(CLI::Validator(
          [](std::string& text) {
            // CLI11 would read "-1" as 2^64 - 1 events, that is never.
            const bool digits =
                !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
            return digits ? std::string() : "expected a count of events, 0 or more, not " + text;
          },
          "N"))
      ->capture_default_str();
  app.add_option("--segment-size", options.segment_size_bytes,
                 "A write rolls to a new segment file once the newest holds this many bytes")
      ->check(whole_number_between(4096, uint64_t{1} << 31))
      ->capture_default_str();

  Context context(options);
  int exit_code = 0;
  const std::span<const char* const> args(argv + std::min(argc, 1), argv + argc);
  const CommandGroup* needed = lazy ? group_needed(args, app, kCommandGroups) : nullptr;
  for (const CommandGroup& group : kCommandGroups) {
    if (needed == nullptr || &group == needed) group.setup(app, context, exit_code);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A refusal is worded from every command ("did you mean" looks through all their names):
    // the line is parsed again with all built. Nothing has run yet: CLI11 runs a command only
    // once the whole line has parsed.
    if (needed != nullptr) return run_command(argc, argv, false);
    // CLI11 uses its own codes (100 and up) for parse errors; users get sysexits' EX_USAGE, and
    // the one-line error every other refusal gets, in the ledger's words (usage_error.h).
    // --color counts if it was read before the error; otherwise auto.
    fmt::print(stderr, "{}{}\n", usage_error_prefix(options), usage_message(app, e));
    return kExitUsage;
  }
  if (app.get_subcommands().empty()) {
    fmt::print(stderr, "{}no command given (see `ledger --help`)\n", usage_error_prefix(options));
    return kExitUsage;
  }
  context.warn_from_ledger();
  return exit_code;
}

// The last words when output itself fails; plain stdio, which does not throw.
int output_failed(const char* what) {
  std::fprintf(stderr, "ledger: error: %s\n", what);
  return kExitIoErr;
}

}  // namespace

int run(int argc, char** argv) {
  remember_arguments(argc, argv);
  // A reader that goes away is seen as EPIPE on a write, not as a fatal signal (reader_gone.h).
  std::signal(SIGPIPE, SIG_IGN);
  int exit_code = kExitOk;
  try {
    exit_code = run_command(argc, argv, true);
  } catch (const ReaderGone&) {
    return kExitOk;
  } catch (const std::system_error& e) {
    // fmt throws when standard output or error cannot be written (a full disk, a closed pipe,
    // a file size limit); a closed pipe only means the reader has what it wanted.
    if (e.code() == std::errc::broken_pipe) return kExitOk;
    return output_failed(e.what());
  }
  // Buffered output that cannot reach its file is an error however well the command went:
  // `ledger statement ... > file` on a full disk must not exit 0 with the file cut short.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const int err = errno;
    if (err == EPIPE) return kExitOk;
    return output_failed(fmt::format("write standard output: {}", std::strerror(err)).c_str());
  }
  return exit_code;
}

}  // namespace ledger::cli
