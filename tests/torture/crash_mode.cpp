// Crash loop: every command may be killed, at a random instant or exactly at the k-th call of a
// syscall (strace's fault injection). After each kill the next command must work, the ledger
// must hold the model with or without the killed command (never part of it), a retry must apply
// it exactly once, and verify must pass.

#include <fmt/format.h>

#include <map>

#include "torture/modes.h"

namespace ledger::torture {

namespace {

using std::chrono::microseconds;

// The syscalls a kill can land on: every call that changes a file or a name.
constexpr const char* kKillSyscalls[] = {"pwrite64", "fdatasync", "fsync",  "rename",
                                         "unlink",   "mkdir",     "ftruncate", "openat"};
constexpr OpKind kSweepKinds[] = {OpKind::kDeposit, OpKind::kTransfer, OpKind::kImport,
                                  OpKind::kSnapshot, OpKind::kCompact, OpKind::kOpen};

// Walks every (kind of command, syscall, k): k goes up while the kill lands; once a command
// completes before its k-th call, the next syscall (then the next kind) starts again at 1.
struct KillSweep {
  size_t kind = 0;
  size_t syscall = 0;
  uint64_t k = 1;

  OpKind op_kind() const { return kSweepKinds[kind]; }
  std::vector<std::string> wrapper() const {
    return {"strace", "-f", "-qq", "-o", "/dev/null", "-e",
            fmt::format("inject={}:signal=KILL:when={}", kKillSyscalls[syscall], k)};
  }
  void landed() { ++k; }
  void missed() {
    k = 1;
    if (++syscall == std::size(kKillSyscalls)) {
      syscall = 0;
      kind = (kind + 1) % std::size(kSweepKinds);
    }
  }
};

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
    const Kill kill = draw_kill();
    const OpKind kind = kill == Kill::kAtSyscall ? sweep_.op_kind()
                                                 : generator_.random_kind(rng_, model_);
    const Op op = generator_.make(kind, rng_, model_);
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
      how += fmt::format(" killed at {} #{}", kKillSyscalls[sweep_.syscall], sweep_.k);
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
    if (p < 0.35 && have_strace()) return Kill::kAtSyscall;
    if (p < 0.7) return Kill::kRandomInstant;
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
  KillSweep sweep_;
  std::map<OpKind, microseconds> typical_;
  uint64_t step_ = 0;
};

}  // namespace

void run_crash_mode(const DriverOptions& options, Tally& tally) {
  run_seeds<CrashRun>(options, tally);
}

}  // namespace ledger::torture
