#pragma once
// What every torture mode shares: one ledger data directory driven through the real binary, the
// model it must agree with, the checks made after each command, and the tally printed at the end.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "torture/child.h"
#include "torture/model.h"

namespace ledger::torture {

namespace fs = std::filesystem;

struct Tally {
  std::string tool;
  uint64_t runs = 0;
  uint64_t ops = 0;
  uint64_t crashes = 0;   // Processes killed (SIGKILL) or power cuts simulated.
  uint64_t faults = 0;    // I/O errors injected, or power cuts that lost written data.
  uint64_t checks = 0;    // Invariant checks passed.
  uint64_t acked = 0;     // Acknowledged commits found whole afterwards.
  // Commands run by kind (retries included), and those made to be refused: "close" -> (n, r).
  std::map<std::string, std::pair<uint64_t, uint64_t>> kinds;
  // After a purge, `balance --at` a past day: refused ("was purged"; of these, refusals the
  // model required) or answered (and right).
  uint64_t purged_refused = 0, purged_refused_required = 0, purged_answered = 0;
  std::vector<std::string> failures;

  void fail(uint64_t seed, const std::string& what);
  // The torture-summary line and one torture-failure line per failure (at most 20 printed).
  void print(std::chrono::seconds elapsed) const;
  // A run that did nothing fails: each figure named must have reached its minimum.
  void require(const char* figure, uint64_t value, uint64_t minimum);
};

struct DriverOptions {
  fs::path binary;
  fs::path work_dir;
  uint64_t seed = 1;
  bool one_seed = false;       // Run only `seed` (to reproduce a failure).
  std::chrono::seconds seconds{30};
  uint64_t ops_per_run = 150;
  bool keep = false;           // Keep the data directory of a failed run.
  bool require_coverage = false;  // Crash: fail unless every kill-sweep cell is complete.
  // Concurrency on PostgreSQL: the state folder of a cluster scripts/pg-cluster started (its
  // location is in `uri` there), and that script, which restarts the server mid-run.
  fs::path postgres_state;
  fs::path pg_cluster_script;
};

bool have_strace();

// One ledger under test, and the checks that tell whether it still holds the model's state.
class Harness {
 public:
  Harness(const DriverOptions& options, fs::path dir, uint64_t seed, Tally& tally);

  const fs::path& dir() const { return dir_; }
  uint64_t seed() const { return seed_; }
  bool failed() const { return failed_; }

  // The command line of `op`, prefixed by `wrapper` (strace and its options) if given.
  std::vector<std::string> command(const Op& op, const std::vector<std::string>& wrapper = {});
  ChildOutcome run(const Op& op, const std::vector<std::string>& wrapper = {},
                   ChildOptions options = {});
  ChildOutcome query(const std::vector<std::string>& args);

  // After `op` ran: if `acknowledged` (exit 0), the ledger must show the model with `op`
  // applied; otherwise with it or without it, never anything in between, and a retry of `op`
  // must then succeed and leave it applied. The model moves on to include `op`. False after a
  // failure (already recorded in the tally).
  bool settle(const Op& op, Model& model, bool acknowledged, const std::string& how);
  // The ledger agrees with the model at a random past day (balances, and statuses once an
  // account was closed). After a purge a day before the oldest snapshot kept may be refused
  // ("history before T was purged", exit 1) and must be when it is before what the log now
  // begins with; the books as of today still answer; the purge ended where a commit ends.
  bool check_state(const Model& model, Rng& rng, const std::string& how);
  // `outcome` is the refusal `op` was made to meet: exit 1 and its message.
  bool refused_as_expected(const Op& op, const ChildOutcome& outcome, const std::string& how);
  // `ledger verify` passes.
  bool check_verify(const std::string& how);

  void fail(const std::string& what);

  // How settle() runs the retry of an unacknowledged command: plainly unless a mode says
  // otherwise (power-loss traces the retry and cuts the power after it too).
  void set_retry(std::function<ChildOutcome(const Op&)> retry) { retry_ = std::move(retry); }

 private:
  struct State {
    Balances balances;
    std::optional<Statuses> statuses;  // Read once the model has a closed account or close.
    uint64_t events = 0;               // Events in the log (after a purge, not those purged).
    uint64_t seq_first = 0, seq_last = 0, purged_before = 0;  // 0: empty.
  };
  bool read_state(State& state, const std::string& how, bool with_statuses);
  bool read_stats(State& state, const std::string& how);
  bool matches(const State& state, const Model& model) const;
  std::string difference(const State& state, const Model& model) const;

  const DriverOptions& options_;
  fs::path dir_;
  uint64_t seed_;
  Tally& tally_;
  bool failed_ = false;
  std::function<ChildOutcome(const Op&)> retry_;
};

// Time left in a run of `seconds` begun at `start`.
bool time_left(std::chrono::steady_clock::time_point start, std::chrono::seconds seconds);

}  // namespace ledger::torture
