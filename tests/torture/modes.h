#pragma once
// The torture modes. Each runs seeded runs back to back until its time is up (or one seed when
// asked), and counts what it did in the tally.

#include "torture/harness.h"

namespace ledger::torture {

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
