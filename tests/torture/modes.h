#pragma once
// The torture modes. Each runs seeded runs back to back until its time is up (or one seed when
// asked), and counts what it did in the tally.

#include "torture/harness.h"

namespace ledger::torture {

// Runs seeded runs back to back, from options.seed, until the time is up (or only that seed):
// each makes a `Run(options, seed, tally)` and calls step() up to ops_per_run times while they
// pass, then finish(). A run that failed keeps its folder (root()) with --keep.
template <typename Run>
void run_seeds(const DriverOptions& options, Tally& tally) {
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t seed = options.seed;; ++seed) {
    Run run(options, seed, tally);
    bool ok = true;
    for (uint64_t i = 0; ok && i < options.ops_per_run && time_left(start, options.seconds); ++i) {
      ok = run.step();
    }
    ok = ok && run.finish();
    ++tally.runs;
    if (ok || !options.keep) fs::remove_all(run.root());
    if (options.one_seed || !time_left(start, options.seconds)) return;
  }
}

// Random commands killed with SIGKILL at random instants, and by strace exactly at the k-th
// call of a syscall, for every k of each kind of command.
void run_crash_mode(const DriverOptions& options, Tally& tally);
// Commands traced by strace; then the power is cut: every file loses what was written after
// its last sync (with a garbage tail), and names not made durable by a directory sync vanish.
void run_power_loss_mode(const DriverOptions& options, Tally& tally);
// The n-th write, sync or rename fails (ENOSPC, EIO, EFBIG), once or from then on, for every n.
void run_io_error_mode(const DriverOptions& options, Tally& tally);
// Eight writers and two readers on one ledger at once.
void run_concurrency_mode(const DriverOptions& options, Tally& tally);

}  // namespace ledger::torture
