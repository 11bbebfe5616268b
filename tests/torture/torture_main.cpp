// ledger_torture: drives the real `ledger` binary through kills, power cuts, I/O errors and
// concurrent use, and checks it against a model of its own. scripts/torture runs the long
// versions; CTest runs short ones.
//
//   ledger_torture MODE --binary PATH [--seconds S] [--seed N [--one-seed]] [--ops N] [--keep]
//
// Prints one torture-summary line (and a torture-failure line per failure, naming its seed);
// exits 1 when anything failed.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <functional>
#include <map>

#include "torture/modes.h"

int main(int argc, char** argv) {
  using namespace ledger::torture;
  CLI::App app{"Crash, power-loss, I/O-error and concurrency torture of the ledger binary"};
  DriverOptions options;
  std::string mode;
  int64_t seconds = 30;
  app.add_option("mode", mode, "crash, power-loss, io-error or concurrency")
      ->required()
      ->check(CLI::IsMember({"crash", "power-loss", "io-error", "concurrency"}));
  app.add_option("--binary", options.binary, "The ledger binary")->required();
  app.add_option("--work-dir", options.work_dir, "Where the data directories go")
      ->default_val(fs::temp_directory_path() / "ledger-torture");
  app.add_option("--seconds", seconds, "How long to run")->default_val(30);
  app.add_option("--seed", options.seed, "The first seed")->default_val(1);
  app.add_flag("--one-seed", options.one_seed, "Run only --seed (to reproduce a failure)");
  app.add_option("--ops", options.ops_per_run, "Commands per seed")->default_val(150);
  app.add_flag("--keep", options.keep, "Keep the data directory of a failed run");
  app.add_option("--postgres", options.postgres_state,
                 "concurrency: on a new database of the cluster that scripts/pg-cluster started "
                 "with this state folder, restarting its server once mid-run");
  app.add_option("--pg-cluster", options.pg_cluster_script, "The scripts/pg-cluster script");
  app.add_flag("--require-coverage", options.require_coverage,
               "crash: fail unless every (kind, syscall) cell of the kill sweep is complete");
  CLI11_PARSE(app, argc, argv);
  options.seconds = std::chrono::seconds(seconds);
  options.binary = fs::absolute(options.binary);
  fs::create_directories(options.work_dir);
  options.work_dir = fs::canonical(options.work_dir);

  const std::map<std::string, std::function<void(const DriverOptions&, Tally&)>> modes = {
      {"crash", run_crash_mode},
      {"power-loss", run_power_loss_mode},
      {"io-error", run_io_error_mode},
      {"concurrency", run_concurrency_mode}};
  Tally tally{mode};
  const auto start = std::chrono::steady_clock::now();
  modes.at(mode)(options, tally);
  // Every mode must have done its job at least once: a run with no kill, fault, changing cut
  // or checked acknowledged commit proves nothing and fails.
  tally.require("acked", tally.acked, 1);
  tally.require("checks", tally.checks, 1);
  if (mode == "crash") tally.require("crashes", tally.crashes, 1);
  if (mode == "power-loss") tally.require("crashes", tally.crashes, 1);
  if (mode == "power-loss") tally.require("faults", tally.faults, 1);
  if (mode == "io-error") tally.require("faults", tally.faults, 1);
  if (mode == "concurrency") tally.require("crashes", tally.crashes, 1);
  // On PostgreSQL, the server's restart is the fault that must have happened.
  if (mode == "concurrency" && !options.postgres_state.empty()) {
    tally.require("faults", tally.faults, 1);
  }
  tally.print(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                               start));
  return tally.failures.empty() ? 0 : 1;
}
