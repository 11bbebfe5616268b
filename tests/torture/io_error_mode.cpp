// I/O errors: strace fails the n-th call of a syscall with an errno (once, or from then on),
// for n = 1, 2, ... until the command no longer gets that far; and a file size limit makes
// writes past it fail with EFBIG. A command that meets an error must either succeed anyway
// (the error was in something it can do without) or stop with exit 74 and a one-line message;
// the ledger then holds the command all or nothing, the next command on a healthy disk works,
// a retry applies it exactly once, and verify passes. Every injected fdatasync or fsync error is
// followed by a power cut (PowerCut): a command that still exits 0 must have a durable commit.

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

#include "torture/modes.h"
#include "torture/power_cut.h"

namespace ledger::torture {

namespace {

struct Fault {
  const char* syscall;
  const char* errno_name;
  int err;
};
constexpr Fault kFaults[] = {{"pwrite64", "ENOSPC", ENOSPC}, {"pwrite64", "EIO", EIO},
                             {"fdatasync", "EIO", EIO},      {"fsync", "EIO", EIO},
                             {"rename", "EIO", EIO},         {"ftruncate", "EIO", EIO},
                             {"unlink", "EIO", EIO}};
constexpr OpKind kSweepKinds[] = {OpKind::kDeposit,  OpKind::kImport,  OpKind::kTransfer,
                                  OpKind::kSnapshot, OpKind::kCompact, OpKind::kOpen,
                                  OpKind::kClose,    OpKind::kPurge};

// Walks every (kind of command, fault, once or persistent, n). A run of 150 commands gets
// through a few kinds, so each seed starts at another one.
struct FaultSweep {
  size_t kind = 0;
  size_t fault = 0;
  bool persistent = false;
  uint64_t n = 1;

  OpKind op_kind() const { return kSweepKinds[kind]; }
  const Fault& current() const { return kFaults[fault]; }
  // A failed sync is followed by a power cut, so the trace records what PowerCut needs.
  bool cuts_power() const { return std::string_view(current().syscall).find("sync") != std::string_view::npos; }
  std::vector<std::string> wrapper(const fs::path& log) const {
    std::vector<std::string> w = {"strace", "-f", "-qq", "-o", log.string(), "-e",
                                  fmt::format("trace={}", current().syscall)};
    if (cuts_power()) {
      w = power_cut_trace_options();
      w.insert(w.end(), {"-o", log.string()});
    }
    w.insert(w.end(), {"-e", fmt::format("inject={}:error={}:when={}{}", current().syscall,
                                         current().errno_name, n, persistent ? "+" : "")});
    return w;
  }
  std::string describe() const {
    return fmt::format("{} fails with {} at call #{}{}", current().syscall, current().errno_name,
                       n, persistent ? " and after" : " only");
  }
  void hit() { ++n; }
  void missed() {
    n = 1;
    if (!(persistent = !persistent)) {
      if (++fault == std::size(kFaults)) {
        fault = 0;
        kind = (kind + 1) % std::size(kSweepKinds);
      }
    }
  }
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

uint64_t largest_file_bytes(const fs::path& dir) {
  uint64_t largest = 0;
  std::error_code ec;
  if (!fs::exists(dir)) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) largest = std::max<uint64_t>(largest, entry.file_size());
  }
  return largest;
}

class IoErrorRun {
 public:
  IoErrorRun(const DriverOptions& options, uint64_t seed, Tally& tally)
      : tally_(tally),
        root_(options.work_dir / fmt::format("io-{}", seed)),
        harness_(options, root_ / "data", seed, tally),
        rng_(seed),
        generator_(fmt::format("e{}", seed)) {
    fs::remove_all(root_);
    fs::create_directories(root_);
    sweep_.kind = seed % std::size(kSweepKinds);
  }

  bool step() {
    return std::bernoulli_distribution(0.2)(rng_) ? file_size_step() : sweep_step();
  }

  bool finish() {
    return harness_.check_verify("end of run") &&
           harness_.check_state(model_, rng_, "end of run");
  }
  const fs::path& root() const { return root_; }

 private:
  bool sweep_step() {
    const Op op = generator_.make(sweep_.op_kind(), rng_, model_, true);
    if (op.kind != sweep_.op_kind()) {
      // The model could not make that kind here (a close with no account at zero opens one):
      // run what it made without a fault, and sweep the kind next time.
      const std::string how = fmt::format("op {} `{}`", step_++, op.describe());
      const ChildOutcome outcome = harness_.run(op);
      return outcome.exit_code == 0 ? harness_.settle(op, model_, true, how)
                                    : unexpected(outcome, how);
    }
    const fs::path log = root_ / "strace.log";
    const std::string how =
        fmt::format("op {} `{}` where {}", step_++, op.describe(), sweep_.describe());
    const fs::path before = root_ / "before";
    const bool cut_power = sweep_.cuts_power();
    if (cut_power) {
      fs::remove_all(before);
      if (fs::exists(harness_.dir())) fs::copy(harness_.dir(), before, fs::copy_options::recursive);
    }
    const ChildOutcome outcome = harness_.run(op, sweep_.wrapper(log));
    const bool injected = slurp(log).find("(INJECTED)") != std::string::npos;
    const Fault fault = sweep_.current();
    injected ? sweep_.hit() : sweep_.missed();
    std::string cut_how = how;
    if (injected && cut_power) {
      // The power fails right after a failed sync: whatever the command answered, an exit 0
      // is only right if its commit is durable without that sync.
      const PowerCutReport cut = PowerCut(harness_.dir(), before).apply(log, rng_);
      if (cut.calls_parsed == 0) {
        harness_.fail(how + ": the strace output of the command did not parse");
        return false;
      }
      ++tally_.crashes;
      cut_how += fmt::format(", then a power cut: {} bytes lost, {} names reverted",
                             cut.bytes_dropped, cut.names_reverted);
    }
    if (!injected) {
      return outcome.exit_code == 0 ? harness_.settle(op, model_, true, cut_how)
                                    : unexpected(outcome, cut_how);
    }
    ++tally_.faults;
    return judge(op, outcome, std::strerror(fault.err), cut_how);
  }

  // RLIMIT_FSIZE somewhere between nothing and a little past the largest file: writes past it
  // fail with EFBIG.
  bool file_size_step() {
    const Op op = generator_.make(generator_.random_kind(rng_, model_), rng_, model_);
    const uint64_t limit = std::uniform_int_distribution<uint64_t>(
        0, largest_file_bytes(harness_.dir()) + 8192)(rng_);
    const std::string how =
        fmt::format("op {} `{}` with a file size limit of {} bytes", step_++, op.describe(), limit);
    ChildOptions child;
    child.file_size_limit_bytes = limit;
    const ChildOutcome outcome = harness_.run(op, {}, child);
    if (op.refused) return judge(op, outcome, std::strerror(EFBIG), how);
    if (outcome.exit_code == 0) return harness_.settle(op, model_, true, how);
    ++tally_.faults;
    return judge(op, outcome, std::strerror(EFBIG), how);
  }

  // A command that met an I/O error.
  bool judge(const Op& op, const ChildOutcome& outcome, const char* error_text,
             const std::string& how) {
    // A command made to be refused is refused (nothing written), unless the error came first.
    if (op.refused && outcome.exit_code != 74) {
      return harness_.refused_as_expected(op, outcome, how) &&
             harness_.settle(op, model_, true, how);
    }
    if (outcome.exit_code == 0) return harness_.settle(op, model_, true, how);
    if (outcome.exit_code != 74) return unexpected(outcome, how);
    const bool one_line = outcome.err.rfind("ledger: error: ", 0) == 0 &&
                          outcome.err.find('\n') == outcome.err.size() - 1;
    if (!one_line || outcome.err.find(error_text) == std::string::npos) {
      harness_.fail(fmt::format("{}: exit 74 without a one-line message naming \"{}\": {}", how,
                                error_text, outcome.err));
      return false;
    }
    ++tally_.checks;
    return harness_.settle(op, model_, false, how) && harness_.check_verify(how);
  }

  bool unexpected(const ChildOutcome& outcome, const std::string& how) {
    harness_.fail(fmt::format("{}: exit {} signal {} (expected 0 or 74): {}", how,
                              outcome.exit_code, outcome.signal, outcome.err));
    return false;
  }

  Tally& tally_;
  fs::path root_;
  Harness harness_;
  Rng rng_;
  OpGenerator generator_;
  Model model_;
  FaultSweep sweep_;
  uint64_t step_ = 0;
};

}  // namespace

void run_io_error_mode(const DriverOptions& options, Tally& tally) {
  if (!have_strace()) {
    tally.fail(options.seed, "strace is not installed (apt-get install -y strace)");
    return;
  }
  run_seeds<IoErrorRun>(options, tally);
}

}  // namespace ledger::torture
