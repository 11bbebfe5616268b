#include "torture/harness.h"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <map>
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
  if (!kinds.empty()) {
    std::string line = fmt::format("torture-kinds: {}", tool);
    for (const auto& [kind, n] : kinds) {
      line += fmt::format(" {}={}", kind, n.first);
      if (n.second > 0) line += fmt::format(" ({} refused)", n.second);
    }
    fmt::print("{}\n", line);
  }
  if (purged_refused + purged_answered > 0) {
    fmt::print("torture-purged: {} balance --at after a purge: {} refused ({} of them required), "
               "{} answered\n",
               tool, purged_refused, purged_refused_required, purged_answered);
  }
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
  auto& kind = tally_.kinds[op_kind_name(op.kind)];
  ++kind.first;
  kind.second += op.refused ? 1 : 0;
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

namespace {

// The row of `stats --format csv` as column -> value.
std::map<std::string, std::string> csv_record(const std::string& text) {
  std::istringstream lines(text);
  std::string header, values;
  std::getline(lines, header);
  std::getline(lines, values);
  std::istringstream h(header), v(values);
  std::map<std::string, std::string> out;
  for (std::string name, value; std::getline(h, name, ',');) {
    if (!std::getline(v, value, ',')) value.clear();
    out[name] = value;
  }
  return out;
}

uint64_t number(const std::map<std::string, std::string>& record, const char* column) {
  auto it = record.find(column);
  return it == record.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A ledger whose first commit never reached the disk (killed, cut by a power loss, an I/O
// error) holds no segment file; a question of it is refused with "no ledger at" (exit 66).
// Those are empty books: no acknowledged event may be missing, which the model checks.
bool no_ledger(const ChildOutcome& outcome) {
  return outcome.exit_code == 66 && contains(outcome.err, "no ledger at");
}

}  // namespace

bool Harness::read_stats(State& state, const std::string& how) {
  const ChildOutcome s = query({"stats", "--format", "csv"});
  if (no_ledger(s)) {
    state.events = state.seq_first = state.seq_last = state.purged_before = 0;
    return true;
  }
  if (s.exit_code != 0 || s.out.rfind("events,", 0) != 0) {
    fail(fmt::format("{}: stats failed with exit {}: {}", how, s.exit_code, first_line(s.err)));
    return false;
  }
  const auto record = csv_record(s.out);
  state.events = number(record, "events");
  state.seq_first = number(record, "seq_first");
  state.seq_last = number(record, "seq_last");
  state.purged_before = number(record, "purged_before");
  return true;
}

bool Harness::read_state(State& state, const std::string& how, bool with_statuses) {
  const ChildOutcome b = query({"balance", "--format", "csv"});
  if (b.exit_code != 0 && !no_ledger(b)) {
    fail(fmt::format("{}: the next command (balance) failed with exit {} signal {}: {}", how,
                     b.exit_code, b.signal, first_line(b.err)));
    return false;
  }
  auto balances = no_ledger(b) ? Balances{} : parse_balances_csv(b.out);
  if (!balances) {
    fail(fmt::format("{}: balance printed something else: {}", how, first_line(b.out)));
    return false;
  }
  state.statuses.reset();
  if (with_statuses) {
    const ChildOutcome a = query({"accounts", "--format", "csv"});
    state.statuses = no_ledger(a) ? Statuses{} : parse_statuses_csv(a.out);
    if ((a.exit_code != 0 && !no_ledger(a)) || !state.statuses) {
      fail(fmt::format("{}: accounts failed with exit {}: {}", how, a.exit_code,
                       first_line(a.err.empty() ? a.out : a.err)));
      return false;
    }
  }
  state.balances = std::move(*balances);
  return read_stats(state, how);
}

bool Harness::matches(const State& state, const Model& model) const {
  if (state.balances != model.balances() || state.seq_last != model.events()) return false;
  if (state.statuses && *state.statuses != model.statuses()) return false;
  // Without a purge the log holds every event; after one it begins where the purge left it.
  if (!model.purged()) {
    return state.events == model.events() && state.seq_first <= 1 && state.purged_before == 0;
  }
  return state.events == (state.seq_last == 0 ? 0 : state.seq_last - state.seq_first + 1);
}

std::string Harness::difference(const State& state, const Model& model) const {
  std::string text = fmt::format(" events {} (seq {}..{}, purged before {}), model {}{}",
                                 state.events, state.seq_first, state.seq_last,
                                 state.purged_before, model.events(),
                                 model.purged() ? " (purged)" : "");
  text += describe_difference(model.balances(), state.balances);
  if (state.statuses) text += describe_difference(model.statuses(), *state.statuses);
  return text;
}

bool Harness::refused_as_expected(const Op& op, const ChildOutcome& outcome,
                                  const std::string& how) {
  if (outcome.exit_code != 1 || !contains(outcome.err, op.refusal)) {
    fail(fmt::format("{}: `{}` must be refused (exit 1, \"{}\"), got exit {} signal {}: {}", how,
                     op.describe(), op.refusal, outcome.exit_code, outcome.signal,
                     first_line(outcome.err)));
    return false;
  }
  ++tally_.checks;
  return true;
}

bool Harness::settle(const Op& op, Model& model, bool acknowledged, const std::string& how) {
  Model after = model;
  after.apply(op);
  const bool statuses = after.any_closed();
  State state;
  if (!read_state(state, how, statuses)) return false;
  const bool has_op = matches(state, after);
  if (acknowledged && !has_op) {
    fail(fmt::format("{}: acknowledged `{}` is not whole in the ledger:{}", how, op.describe(),
                     difference(state, after)));
    return false;
  }
  if (!has_op && !matches(state, model)) {
    fail(fmt::format("{}: `{}` is half-present (compared with the books before it):{}", how,
                     op.describe(), difference(state, model)));
    return false;
  }
  ++tally_.checks;
  if (acknowledged && op.events > 0) ++tally_.acked;
  if (!acknowledged) {
    // Retried with the same refs: applied exactly once, whatever the killed run left (and a
    // command made to be refused is refused again).
    const ChildOutcome retry = retry_ ? retry_(op) : run(op);
    if (op.refused) {
      if (!refused_as_expected(op, retry, how + ", on the retry")) return false;
    } else if (retry.exit_code != 0) {
      fail(fmt::format("{}: the retry of `{}` failed with exit {}: {}", how, op.describe(),
                       retry.exit_code, first_line(retry.err)));
      return false;
    }
    if (!read_state(state, how + ", after the retry", statuses)) return false;
    if (!matches(state, after)) {
      fail(fmt::format("{}: after the retry of `{}`:{}", how, op.describe(),
                       difference(state, after)));
      return false;
    }
    ++tally_.checks;
  }
  model = std::move(after);
  return true;
}

bool Harness::check_state(const Model& model, Rng& rng, const std::string& how) {
  const Day day = std::uniform_int_distribution<Day>(0, kLastDatedDay)(rng);
  // After a purge: a day the oldest snapshot kept may reach past may be refused; one that the
  // events before the log's first must be refused (a snapshot that stands for them reaches as
  // late as their latest posting).
  bool may_refuse = false, must_refuse = false;
  if (model.purged()) {
    State s;
    if (!read_stats(s, how)) return false;
    if (s.purged_before > 0 && !model.commit_ends_at(s.purged_before - 1)) {
      fail(fmt::format("{}: the purge marker says the log begins at event {}, which is not "
                       "where a commit begins",
                       how, s.purged_before));
      return false;
    }
    may_refuse = model.effective_max() > day;
    must_refuse = s.seq_first > 1 && model.posting_max_through(s.seq_first - 1) > day;
    const ChildOutcome t = query({"balance", "--at", "today", "--format", "csv"});
    auto today = parse_balances_csv(t.out);
    if (t.exit_code != 0 || !today || *today != model.balances()) {
      fail(fmt::format("{}: after a purge, balance --at today: exit {}: {}{}", how, t.exit_code,
                       first_line(t.err),
                       today ? describe_difference(model.balances(), *today) : ""));
      return false;
    }
    ++tally_.checks;
  }
  const ChildOutcome b = query({"balance", "--at", day_text(day), "--format", "csv"});
  if (b.exit_code == 1 && contains(b.err, "was purged")) {
    if (!may_refuse) {
      fail(fmt::format("{}: balance --at {} was refused although nothing that day needs is "
                       "purged: {}",
                       how, day_text(day), first_line(b.err)));
      return false;
    }
    ++tally_.checks;
    ++tally_.purged_refused;
    tally_.purged_refused_required += must_refuse ? 1 : 0;
    return true;
  }
  auto balances = no_ledger(b) ? Balances{} : parse_balances_csv(b.out);
  if ((b.exit_code != 0 && !no_ledger(b)) || !balances) {
    fail(fmt::format("{}: balance --at {} failed with exit {}: {}", how, day_text(day),
                     b.exit_code, first_line(b.err)));
    return false;
  }
  if (must_refuse) {
    fail(fmt::format("{}: balance --at {} answered, but the history it needs was purged (the "
                     "log begins after a posting later than that day): documented to fail with "
                     "\"history before T was purged\"",
                     how, day_text(day)));
    return false;
  }
  if (*balances != model.balances(day)) {
    fail(fmt::format("{}: balance --at {} is wrong:{}", how, day_text(day),
                     describe_difference(model.balances(day), *balances)));
    return false;
  }
  ++tally_.checks;
  tally_.purged_answered += model.purged() ? 1 : 0;
  if (!model.any_closed()) return true;
  const ChildOutcome a = query({"accounts", "--at", day_text(day), "--format", "csv"});
  auto statuses = parse_statuses_csv(a.out);
  if (a.exit_code != 0 || !statuses || *statuses != model.statuses(day)) {
    fail(fmt::format("{}: accounts --at {}: exit {}: {}{}", how, day_text(day), a.exit_code,
                     first_line(a.err),
                     statuses ? describe_difference(model.statuses(day), *statuses) : ""));
    return false;
  }
  ++tally_.checks;
  return true;
}

bool Harness::check_verify(const std::string& how) {
  const ChildOutcome v = query({"verify"});
  if (v.exit_code != 0 && !no_ledger(v)) {
    fail(fmt::format("{}: verify failed with exit {} signal {}: {}", how, v.exit_code, v.signal,
                     first_line(v.err.empty() ? v.out : v.err)));
    return false;
  }
  ++tally_.checks;
  return true;
}

}  // namespace ledger::torture
