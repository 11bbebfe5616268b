// Power loss: every command runs under strace, which records its writes, syncs and changes of
// name (and now and then kills it at the k-th of them); then the power is cut (PowerCut, with
// mixed outcomes per file and per name). The ledger that is left must hold every acknowledged
// commit, all or nothing of the last one, answer the next command and pass verify; the retry
// of an unacknowledged command is traced and cut the same way.

#include <fmt/format.h>

#include "torture/modes.h"
#include "torture/power_cut.h"

namespace ledger::torture {

namespace {

constexpr const char* kKillSyscalls[] = {"pwrite64", "fdatasync", "fsync", "rename", "unlink"};

class PowerLossRun {
 public:
  PowerLossRun(const DriverOptions& options, uint64_t seed, Tally& tally)
      : tally_(tally),
        root_(options.work_dir / fmt::format("power-{}", seed)),
        harness_(options, root_ / "data", seed, tally),
        rng_(seed),
        generator_(fmt::format("p{}", seed)) {
    fs::remove_all(root_);
    fs::create_directories(root_);
    // The retry of an unacknowledged command is traced and cut too: an acknowledged retry must
    // survive its own power cut.
    harness_.set_retry([this](const Op& retry) {
      std::string text;
      return run_and_cut(retry, {}, text);
    });
  }

  bool step() {
    const Op op = generator_.make(generator_.random_kind(rng_, model_), rng_, model_);
    std::vector<std::string> kill;
    std::string how = fmt::format("op {} `{}`", step_++, op.describe());
    if (std::bernoulli_distribution(0.4)(rng_)) {
      const char* call = kKillSyscalls[std::uniform_int_distribution<size_t>(
          0, std::size(kKillSyscalls) - 1)(rng_)];
      const int k = std::uniform_int_distribution<int>(1, 12)(rng_);
      kill = {"-e", fmt::format("inject={}:signal=KILL:when={}", call, k)};
      how += fmt::format(" (killed at {} #{} if it gets there)", call, k);
    }
    std::string cut_text;
    const ChildOutcome outcome = run_and_cut(op, kill, cut_text);
    how += cut_text;
    bool acknowledged = outcome.exit_code == 0;
    if (op.refused && !outcome.killed()) {
      // Refused as the model says: nothing to retry, the books must be as they were.
      if (!harness_.refused_as_expected(op, outcome, how)) return false;
      acknowledged = true;
    } else if (!outcome.killed() && outcome.exit_code != 0) {
      harness_.fail(fmt::format("{}: exit {}: {}", how, outcome.exit_code, outcome.err));
      return false;
    }
    return harness_.settle(op, model_, acknowledged, how) && harness_.check_verify(how) &&
           (std::bernoulli_distribution(0.7)(rng_) || harness_.check_state(model_, rng_, how));
  }

  bool finish() {
    return harness_.check_verify("end of run") &&
           harness_.check_state(model_, rng_, "end of run");
  }
  const fs::path& root() const { return root_; }

 private:
  // Runs `op` under strace (with `extra` strace options), then cuts the power. A trace that did
  // not parse fails the run: the cut would have tested nothing.
  ChildOutcome run_and_cut(const Op& op, const std::vector<std::string>& extra,
                           std::string& cut_text) {
    const fs::path before = root_ / "before", trace = root_ / "trace";
    fs::remove_all(before);
    if (fs::exists(harness_.dir())) fs::copy(harness_.dir(), before, fs::copy_options::recursive);
    std::vector<std::string> wrapper = power_cut_trace_options();
    wrapper.insert(wrapper.end(), {"-o", trace.string()});
    wrapper.insert(wrapper.end(), extra.begin(), extra.end());
    ChildOutcome outcome = harness_.run(op, wrapper);
    const PowerCutReport cut = PowerCut(harness_.dir(), before).apply(trace, rng_);
    cut_text = fmt::format(", then a power cut: {} bytes lost, {} garbage, {} names reverted, {} kept",
                           cut.bytes_dropped, cut.garbage_bytes, cut.names_reverted,
                           cut.names_kept);
    if (cut.calls_parsed == 0) {
      harness_.fail(fmt::format("`{}`: the strace output of the command did not parse",
                                op.describe()));
      outcome.exit_code = -1;
      outcome.signal = 0;
      return outcome;
    }
    ++tally_.crashes;
    if (cut.changed()) ++tally_.faults;
    return outcome;
  }

  Tally& tally_;
  fs::path root_;
  Harness harness_;
  Rng rng_;
  OpGenerator generator_;
  Model model_;
  uint64_t step_ = 0;
};

}  // namespace

void run_power_loss_mode(const DriverOptions& options, Tally& tally) {
  if (!have_strace()) {
    tally.fail(options.seed, "strace is not installed (apt-get install -y strace)");
    return;
  }
  run_seeds<PowerLossRun>(options, tally);
}

}  // namespace ledger::torture
