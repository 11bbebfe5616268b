#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "cli/exit_codes.h"
#include "ledger/version.h"

namespace ledger::cli {

namespace {

constexpr const char* kDescription =
    "ledger: an event-sourced ledger of accounts of money, kept in a checksummed, append-only\n"
    "log. Every change is an immutable event; balances are rebuilt from the log.\n\n"
    "Example:\n  ledger --dir ./books --help\n";

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{kDescription, "ledger"};
  app.set_version_flag("-V,--version", fmt::format("ledger {}", kVersion), "Print the version and exit");
  std::string dir;
  app.add_option("--dir", dir, "Data directory (default: $LEDGER_DIR, else $XDG_DATA_HOME/ledger)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // CLI11 uses its own codes (100 and up) for parse errors; users get sysexits' EX_USAGE.
    app.exit(e);
    return kExitUsage;
  }
  fmt::print(stderr, "ledger: no command given (try `ledger --help`)\n");
  return kExitUsage;
}

}  // namespace ledger::cli
