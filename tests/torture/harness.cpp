#include "torture/harness.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ledger::torture {

namespace {

// Small segments and frequent snapshots, so that a short run rolls segments, seals and indexes
// them, snapshots and compacts many times.
const std::vector<std::string> kGlobalOptions = {"--snapshot-every", "7", "--segment-size",
                                                 "4096", "-q"};

std::string first_line(const std::string& text) {
  const size_t end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

}  // namespace

void Tally::fail(uint64_t seed, const std::string& what) {
  failures.push_back(fmt::format("torture-failure: {} seed={} {}", tool, seed, what));
  std::fprintf(stderr, "%s\n", failures.back().c_str());
}

void Tally::print(std::chrono::seconds elapsed) const {
  for (size_t i = 0; i < failures.size() && i < 20; ++i) fmt::print("{}\n", failures[i]);
  fmt::print(
      "torture-summary: {} seconds={} runs={} ops={} crashes={} faults={} checks={} acked={} "
      "failures={}\n",
      tool, elapsed.count(), runs, ops, crashes, faults, checks, acked, failures.size());
  std::fflush(stdout);
}

void Tally::require(const char* figure, uint64_t value, uint64_t minimum) {
  if (value < minimum) {
    fail(0, fmt::format("did too little: {}={} (at least {} required)", figure, value, minimum));
  }
}

bool have_strace() {
  static const bool present = std::system("strace -V >/dev/null 2>&1") == 0;
  return present;
}

bool time_left(std::chrono::steady_clock::time_point start, std::chrono::seconds seconds) {
  return std::chrono::steady_clock::now() - start < seconds;
}

Harness::Harness(const DriverOptions& options, fs::path dir, uint64_t seed, Tally& tally)
    : options_(options), dir_(std::move(dir)), seed_(seed), tally_(tally) {}

std::vector<std::string> Harness::command(const Op& op, const std::vector<std::string>& wrapper) {
  std::vector<std::string> argv = wrapper;
  argv.push_back(options_.binary.string());
  argv.insert(argv.end(), {"--dir", dir_.string()});
  argv.insert(argv.end(), kGlobalOptions.begin(), kGlobalOptions.end());
  argv.insert(argv.end(), op.args.begin(), op.args.end());
  return argv;
}

ChildOutcome Harness::run(const Op& op, const std::vector<std::string>& wrapper,
                          ChildOptions options) {
  ++tally_.ops;
  std::vector<std::string> argv = command(op, wrapper);
  if (op.kind == OpKind::kImport) {
    options.stdin_path = dir_.parent_path() / "import.csv";
    std::ofstream(options.stdin_path, std::ios::binary | std::ios::trunc) << op.import_csv;
  }
  return run_child(argv, options);
}

ChildOutcome Harness::query(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {options_.binary.string(), "--dir", dir_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_child(argv);
}

void Harness::fail(const std::string& what) {
  failed_ = true;
  tally_.fail(seed_, what);
}

bool Harness::read_state(State& state, const std::string& how) {
  const ChildOutcome b = query({"balance", "--format", "csv"});
  if (b.exit_code != 0) {
    fail(fmt::format("{}: the next command (balance) failed with exit {} signal {}: {}", how,
                     b.exit_code, b.signal, first_line(b.err)));
    return false;
  }
  auto balances = parse_balances_csv(b.out);
  if (!balances) {
    fail(fmt::format("{}: balance printed something else: {}", how, first_line(b.out)));
    return false;
  }
  const ChildOutcome s = query({"stats", "--format", "csv"});
  std::istringstream lines(s.out);
  std::string header, values;
  std::getline(lines, header);
  std::getline(lines, values);
  if (s.exit_code != 0 || header.rfind("events,", 0) != 0) {
    fail(fmt::format("{}: stats failed with exit {}: {}", how, s.exit_code, first_line(s.err)));
    return false;
  }
  state.balances = std::move(*balances);
  state.events = std::strtoull(values.c_str(), nullptr, 10);
  return true;
}

bool Harness::matches(const State& state, const Model& model) const {
  return state.events == model.events() && state.balances == model.balances();
}

bool Harness::settle(const Op& op, Model& model, bool acknowledged, const std::string& how) {
  Model after = model;
  after.apply(op);
  State state;
  if (!read_state(state, how)) return false;
  const bool has_op = matches(state, after);
  if (acknowledged && !has_op) {
    fail(fmt::format("{}: acknowledged `{}` is not whole in the ledger: events {} (expected {}){}",
                     how, op.describe(), state.events, after.events(),
                     describe_difference(after.balances(), state.balances)));
    return false;
  }
  if (!has_op && !matches(state, model)) {
    fail(fmt::format("{}: `{}` is half-present: events {} (before {}, after {});{}", how,
                     op.describe(), state.events, model.events(), after.events(),
                     describe_difference(model.balances(), state.balances)));
    return false;
  }
  ++tally_.checks;
  if (acknowledged && op.events > 0) ++tally_.acked;
  if (!acknowledged) {
    // Retried with the same refs: applied exactly once, whatever the killed run left.
    const ChildOutcome retry = retry_ ? retry_(op) : run(op);
    if (retry.exit_code != 0) {
      fail(fmt::format("{}: the retry of `{}` failed with exit {}: {}", how, op.describe(),
                       retry.exit_code, first_line(retry.err)));
      return false;
    }
    if (!read_state(state, how + ", after the retry")) return false;
    if (!matches(state, after)) {
      fail(fmt::format("{}: after the retry of `{}`: events {} (expected {});{}", how,
                       op.describe(), state.events, after.events(),
                       describe_difference(after.balances(), state.balances)));
      return false;
    }
    ++tally_.checks;
  }
  model = std::move(after);
  return true;
}

bool Harness::check_state(const Model& model, Rng& rng, const std::string& how) {
  const Day day = std::uniform_int_distribution<Day>(0, kLastDatedDay)(rng);
  const ChildOutcome b = query({"balance", "--at", day_text(day), "--format", "csv"});
  auto balances = parse_balances_csv(b.out);
  if (b.exit_code != 0 || !balances) {
    fail(fmt::format("{}: balance --at {} failed with exit {}: {}", how, day_text(day),
                     b.exit_code, first_line(b.err)));
    return false;
  }
  if (*balances != model.balances(day)) {
    fail(fmt::format("{}: balance --at {} is wrong:{}", how, day_text(day),
                     describe_difference(model.balances(day), *balances)));
    return false;
  }
  ++tally_.checks;
  return true;
}

bool Harness::check_verify(const std::string& how) {
  const ChildOutcome v = query({"verify"});
  if (v.exit_code != 0) {
    fail(fmt::format("{}: verify failed with exit {} signal {}: {}", how, v.exit_code, v.signal,
                     first_line(v.err.empty() ? v.out : v.err)));
    return false;
  }
  ++tally_.checks;
  return true;
}

}  // namespace ledger::torture
