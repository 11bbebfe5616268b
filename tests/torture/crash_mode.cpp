// Crash loop: every command may be killed, at a random instant or exactly at the k-th call of a
// syscall (strace's fault injection). After each kill the next command must work, the ledger
// must hold the model with or without the killed command (never part of it), a retry must apply
// it exactly once, and verify must pass.

#include <fmt/format.h>

#include <map>

#include "torture/kill_sweep.h"
#include "torture/modes.h"

namespace ledger::torture {

namespace {

using std::chrono::microseconds;

// One sweep for the whole run, shared by its seeds (run_seeds makes a CrashRun per seed).
KillSweep* g_sweep = nullptr;

enum class Kill { kNone, kRandomInstant, kAtSyscall };

class CrashRun {
 public:
  CrashRun(const DriverOptions& options, uint64_t seed, Tally& tally)
      : tally_(tally),
        harness_(options, options.work_dir / fmt::format("crash-{}", seed) / "data", seed, tally),
        rng_(seed),
        generator_(fmt::format("s{}", seed)) {
    fs::remove_all(harness_.dir().parent_path());
    fs::create_directories(harness_.dir().parent_path());
  }

  bool step() {
    Kill kill = draw_kill();
    const OpKind kind = kill == Kill::kAtSyscall ? sweep_.op_kind()
                                                 : generator_.random_kind(rng_, model_);
    // A sweep step needs a command that goes through: a refused one makes fewer calls, and
    // would end its cell early.
    const Op op = generator_.make(kind, rng_, model_, kill == Kill::kAtSyscall);
    // The model could not make that kind here (a withdrawal with nothing to take, a close with
    // no account at zero, say): run what it made, unkilled, and try the same cell next time.
    if (kill == Kill::kAtSyscall && (op.kind != kind || op.refused)) kill = Kill::kNone;
    ChildOptions child;
    std::vector<std::string> wrapper;
    std::string how = fmt::format("op {} `{}`", step_, op.describe());
    if (kill == Kill::kRandomInstant) {
      const auto typical = typical_.count(op.kind) ? typical_[op.kind] : microseconds(20000);
      const auto delay = microseconds(std::uniform_int_distribution<int64_t>(
          0, typical.count() * 3 / 2)(rng_));
      child.kill_after = delay;
      how += fmt::format(" killed after {} us", delay.count());
    } else if (kill == Kill::kAtSyscall) {
      wrapper = sweep_.wrapper();
      how += fmt::format(" killed at {} #{}", sweep_.syscall(), sweep_.k());
    }
    ++step_;
    const ChildOutcome outcome = harness_.run(op, wrapper, child);
    if (kill == Kill::kAtSyscall) {
      outcome.killed() ? sweep_.landed() : sweep_.missed();
    }
    if (outcome.killed()) {
      ++tally_.crashes;
      if (!harness_.settle(op, model_, false, how)) return false;
      return harness_.check_verify(how) && harness_.check_state(model_, rng_, how);
    }
    if (op.refused) {
      // Refused, as the model says it must be, and nothing written.
      if (!harness_.refused_as_expected(op, outcome, how) ||
          !harness_.settle(op, model_, true, how)) {
        return false;
      }
      return std::bernoulli_distribution(0.2)(rng_) ? harness_.check_state(model_, rng_, how)
                                                    : true;
    }
    if (outcome.exit_code != 0) {
      harness_.fail(fmt::format("{}: exit {} signal {}: {}", how, outcome.exit_code,
                                outcome.signal, outcome.err));
      return false;
    }
    if (kill == Kill::kNone) remember_duration(op.kind, outcome.elapsed);
    if (!harness_.settle(op, model_, true, how)) return false;
    return std::bernoulli_distribution(0.2)(rng_) ? harness_.check_state(model_, rng_, how)
                                                  : true;
  }

  bool finish() { return harness_.check_verify("end of run") &&
                         harness_.check_state(model_, rng_, "end of run"); }
  fs::path root() const { return harness_.dir().parent_path(); }

 private:
  Kill draw_kill() {
    const double p = std::uniform_real_distribution<double>(0, 1)(rng_);
    // Sweep steps most often: the table has 9 x 8 cells, some of them 70 kills deep, to fill
    // within the crash mode's share of scripts/torture.
    if (p < 0.65 && have_strace()) return Kill::kAtSyscall;
    if (p < 0.85) return Kill::kRandomInstant;
    return Kill::kNone;
  }
  // What an uninterrupted command of this kind takes, so random kills land inside it.
  void remember_duration(OpKind kind, microseconds elapsed) {
    auto [it, fresh] = typical_.try_emplace(kind, elapsed);
    if (!fresh) it->second = (it->second * 3 + elapsed) / 4;
  }

  Tally& tally_;
  Harness harness_;
  Rng rng_;
  OpGenerator generator_;
  Model model_;
  KillSweep& sweep_ = *g_sweep;
  std::map<OpKind, microseconds> typical_;
  uint64_t step_ = 0;
};

}  // namespace

void run_crash_mode(const DriverOptions& options, Tally& tally) {
  KillSweep sweep;
  g_sweep = &sweep;
  run_seeds<CrashRun>(options, tally);
  g_sweep = nullptr;
  std::fputs(sweep.table().c_str(), stdout);
  fmt::print("torture-coverage: {} of {} cells complete{}\n", sweep.cells_complete(),
             sweep.cells_total(),
             sweep.completed_after()
                 ? fmt::format(" (the last after {} s)", sweep.completed_after()->count())
                 : std::string());
  if (options.require_coverage && !sweep.complete()) {
    tally.fail(options.seed, "--require-coverage: some (kind, syscall) cells of the kill sweep "
                             "are not complete (see the torture-coverage table)");
  } else if (sweep.cells_complete() == 0) {
    tally.fail(options.seed, "the kill sweep completed no cell: it did nothing useful");
  }
}

}  // namespace ledger::torture
