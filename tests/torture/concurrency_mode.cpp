// Concurrency: eight writer processes at a time (each a thread here running `ledger` commands
// one after another), each making deposits into its own account and transfers from it to four
// shared accounts, all with refs, on 4 KiB segments with a snapshot every 7 events; a ninth
// process runs snapshot and compact throughout; writers are SIGKILLed at random and raced by
// twins with the same ref; two readers run `balance` and `statement` all the while. Every write
// must succeed within a bounded number of attempts (a lock timeout, exit 75, or a kill is
// retried with the same ref); readers must never fail, see half a commit, or miss or double a
// writer's commit; the final balances and the event count must be exact.

#include <fmt/format.h>

#include <unistd.h>

#include <array>
#include <fstream>
#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>

#include "torture/modes.h"

namespace ledger::torture {

namespace {

constexpr int kWriters = 8;
constexpr int kShared = 4;
constexpr int64_t kDepositMinor = 100000;  // 1000.00 EUR: so every total is a multiple of it.
// Attempts of one command (lock timeouts and kills) before the writer gives up and fails.
constexpr int kMaxAttempts = 100;
// 4 KiB segments and a snapshot every 7 events: readers race segment rolls, index builds and
// snapshots all the time.
const std::vector<std::string> kStoreOptions = {"--segment-size", "4096", "--snapshot-every", "7"};

std::string writer_account(int w) { return fmt::format("W{}", w); }
std::string shared_account(int s) { return fmt::format("S{}", s); }

int64_t parse_minor(const std::string& text) {
  const bool negative = !text.empty() && text[0] == '-';
  const std::string digits = negative ? text.substr(1) : text;
  const size_t dot = digits.find('.');
  if (dot == std::string::npos || digits.size() - dot != 3) return INT64_MIN;
  const int64_t minor = std::stoll(digits.substr(0, dot)) * 100 + std::stoll(digits.substr(dot + 1));
  return negative ? -minor : minor;
}

// What one writer did, to be summed when all are done.
struct WriterResult {
  int64_t own_minor = 0;
  std::array<int64_t, kShared> sent_minor{};
  uint64_t commits = 0;
  uint64_t lock_retries = 0;
};

class ConcurrencyRound {
 public:
  ConcurrencyRound(const DriverOptions& options, uint64_t seed, Tally& tally)
      : options_(options),
        tally_(tally),
        root_(options.work_dir / fmt::format("concurrency-{}", seed)),
        seed_(seed) {
    fs::remove_all(root_);
    fs::create_directories(root_);
  }

  bool run() {
    if (on_postgres() && !make_database()) return false;
    Harness setup(options_, dir(), seed_, tally_);
    for (int a = 0; a < kWriters + kShared; ++a) {
      const std::string id = a < kWriters ? writer_account(a) : shared_account(a - kWriters);
      Op op{OpKind::kOpen, {"open", id, "--currency", "EUR", "--date", "2025-12-31"}};
      if (setup.run(op).exit_code != 0) {
        fail("setup: open " + id + " failed");
        return false;
      }
    }
    std::vector<std::thread> writers, readers;
    std::vector<WriterResult> results(kWriters);
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([this, w, &results] { results[w] = write(w); });
    }
    for (int r = 0; r < 2; ++r) readers.emplace_back([this, r] { read(r); });
    readers.emplace_back([this] { maintain(); });
    for (std::thread& t : writers) t.join();
    writers_done_ = true;
    for (std::thread& t : readers) t.join();
    return check_final(results);
  }

  const fs::path& root() const { return root_; }

 private:
  fs::path dir() const { return on_postgres() ? fs::path(database_) : root_ / "data"; }
  bool on_postgres() const { return !options_.postgres_state.empty(); }
  // Exit 74 is the server going away (its restart) on PostgreSQL; never on a directory.
  bool server_gone(int exit_code) const { return on_postgres() && exit_code == 74; }

  // A new database for this round on the cluster's server.
  bool make_database() {
    std::ifstream in(options_.postgres_state / "uri");
    std::string server;
    std::getline(in, server);
    const std::string name = fmt::format("torture_{}_{}", seed_, ::getpid());
    const ChildOutcome made =
        run_child({"psql", "-X", "-q", server, "-c", "CREATE DATABASE " + name});
    if (made.exit_code != 0 || server.find("/postgres?") == std::string::npos) {
      fail("cannot create a database on " + server + ": " + made.err);
      return false;
    }
    database_ = server;
    database_.replace(database_.find("/postgres?"), 10, "/" + name + "?");
    return true;
  }

  void fail(const std::string& what) {
    std::lock_guard lock(mutex_);
    failed_ = true;
    tally_.fail(seed_, what);
  }
  void count(uint64_t Tally::*field, uint64_t n = 1) {
    std::lock_guard lock(mutex_);
    tally_.*field += n;
  }

  std::vector<std::string> argv_for(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {options_.binary.string(), "--dir", dir().string(), "-q"};
    argv.insert(argv.end(), kStoreOptions.begin(), kStoreOptions.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // A command run until it succeeds: one attempt in ten is SIGKILLed at a random instant, and
  // a lock timeout (exit 75) or a kill is retried with the same ref, which makes a retry of a
  // commit that did land a no-op. At most kMaxAttempts attempts.
  bool run_write(const std::vector<std::string>& args, WriterResult& result, Rng& rng) {
    // One command in ten is raced by a twin with the same ref, at the same time: both must
    // succeed and the commit must be applied once (the readers' prefix check and the final
    // count see a double).
    if (std::bernoulli_distribution(0.1)(rng)) {
      WriterResult twin_result;
      Rng twin_rng(rng());
      bool twin_ok = false;
      std::thread twin([&] { twin_ok = run_one(args, twin_result, twin_rng); });
      const bool ok = run_one(args, result, rng);
      twin.join();
      result.lock_retries += twin_result.lock_retries;
      count(&Tally::checks);
      return ok && twin_ok;
    }
    return run_one(args, result, rng);
  }

  bool run_one(const std::vector<std::string>& args, WriterResult& result, Rng& rng) {
    const std::vector<std::string> argv = argv_for(args);
    for (int attempt = 1;; ++attempt) {
      if (attempt > kMaxAttempts) {
        fail(fmt::format("writer: `{}` not done after {} attempts", fmt::join(args, " "),
                         kMaxAttempts));
        return false;
      }
      ChildOptions child;
      if (std::bernoulli_distribution(0.1)(rng)) {
        child.kill_after = std::chrono::microseconds(
            std::uniform_int_distribution<int64_t>(0, 30000)(rng));
      }
      const ChildOutcome outcome = run_child(argv, child);
      count(&Tally::ops);
      if (outcome.exit_code == 0) return true;
      if (outcome.killed()) {
        count(&Tally::crashes);
        continue;
      }
      if (server_gone(outcome.exit_code)) {
        // The server is restarting: give it a moment rather than spend the attempts at once.
        ++server_gone_seen_;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      if (outcome.exit_code != 75) {
        fail(fmt::format("writer: `{}` failed with exit {} signal {}: {}", fmt::join(args, " "),
                         outcome.exit_code, outcome.signal, outcome.err));
        return false;
      }
      ++result.lock_retries;
    }
  }

  WriterResult write(int w) {
    WriterResult result;
    Rng rng(seed_ * 1000 + static_cast<uint64_t>(w));
    const std::string own = writer_account(w);
    for (uint64_t i = 0; i < options_.ops_per_run && !failed_; ++i) {
      const std::string ref = fmt::format("c{}-w{}-{}", seed_, w, i);
      if (result.own_minor < 5000 || std::bernoulli_distribution(0.3)(rng)) {
        if (!run_write({"deposit", own, "1000.00", "--ref", ref}, result, rng)) break;
        result.own_minor += kDepositMinor;
      } else {
        const int to = std::uniform_int_distribution<int>(0, kShared - 1)(rng);
        const int64_t amount = std::uniform_int_distribution<int64_t>(
            1, std::min<int64_t>(result.own_minor, 5000))(rng);
        if (!run_write({"transfer", own, shared_account(to), format_minor(amount, 2), "--ref", ref},
                       result, rng)) {
          break;
        }
        result.own_minor -= amount;
        result.sent_minor[to] += amount;
      }
      ++result.commits;
      ++acked_[w];
    }
    return result;
  }

  // Snapshot and compact, one after the other, all the while the writers run: each must succeed
  // or meet the lock (exit 75). On PostgreSQL: the server's restart, once, then verify.
  void maintain() {
    if (on_postgres()) return restart_and_verify();
    for (uint64_t n = 0; !writers_done_ && !failed_; ++n) {
      const std::vector<std::string> args = {n % 2 == 0 ? "snapshot" : "compact"};
      const ChildOutcome outcome = run_child(argv_for(args));
      count(&Tally::ops);
      if (outcome.exit_code != 0 && outcome.exit_code != 75) {
        fail(fmt::format("maintenance: `{}` failed with exit {} signal {}: {}", args[0],
                         outcome.exit_code, outcome.signal, outcome.err));
        return;
      }
    }
  }

  void restart_and_verify() {
    // Once the writers are well under way (a tenth of their commits made).
    const uint64_t under_way = std::max<uint64_t>(1, options_.ops_per_run * kWriters / 10);
    while (!writers_done_ && !failed_ && acked_total() < under_way) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (failed_) return;
    const ChildOutcome restart = run_child({options_.pg_cluster_script.string(), "restart",
                                            options_.postgres_state.string()});
    if (restart.exit_code != 0) {
      fail("the server's restart failed: " + restart.err);
      return;
    }
    restarted_ = true;
    count(&Tally::faults);
    while (!writers_done_ && !failed_) {
      const ChildOutcome outcome = run_child(argv_for({"verify"}));
      count(&Tally::ops);
      if (outcome.exit_code != 0) {
        fail(fmt::format("verify failed with exit {}: {}", outcome.exit_code, outcome.err));
        return;
      }
    }
  }

  uint64_t acked_total() const {
    uint64_t total = 0;
    for (const auto& acked : acked_) total += acked;
    return total;
  }

  // Each balance table must hold whole commits only: deposits are 1000.00 each and transfers
  // move money without making any, so the total is a multiple of 1000.00; it never goes down,
  // and neither does a shared account, which only ever receives.
  void read(int r) {
    int64_t total_seen = 0;
    std::array<int64_t, kShared> shared_seen{};
    for (uint64_t n = 0; !writers_done_ && !failed_; ++n) {
      const bool statement = n % 3 == 1, own = n % 3 == 2;
      const int w = static_cast<int>((n / 3 + r) % kWriters);
      const std::string s = own ? writer_account(w)
                                : shared_account(static_cast<int>((n / 3 + r) % kShared));
      // Commits acknowledged before the read began must all be in it.
      const uint64_t acked_before = acked_[w];
      std::vector<std::string> argv = {options_.binary.string(), "--dir", dir().string()};
      if (statement || own) {
        argv.insert(argv.end(), {"statement", s, "--format", "csv"});
      } else {
        argv.insert(argv.end(), {"balance", "--format", "csv"});
      }
      const ChildOutcome outcome = run_child(argv);
      count(&Tally::ops);
      if (server_gone(outcome.exit_code)) continue;
      if (outcome.exit_code != 0) {
        fail(fmt::format("reader: `{}` failed with exit {}: {}", argv[3], outcome.exit_code,
                         outcome.err));
        return;
      }
      std::string problem = statement || own ? check_statement(outcome.out)
                                             : check_balances(outcome.out, total_seen, shared_seen);
      if (problem.empty() && own) problem = check_prefix(outcome.out, w, acked_before);
      if (!problem.empty()) {
        fail(fmt::format("reader: {}", problem));
        return;
      }
      count(&Tally::checks);
    }
  }

  std::string check_balances(const std::string& text, int64_t& total_seen,
                             std::array<int64_t, kShared>& shared_seen) {
    auto balances = parse_balances_csv(text);
    if (!balances || balances->size() != kWriters + kShared) return "balance printed: " + text;
    int64_t total = 0;
    for (const auto& [account, value] : *balances) {
      const int64_t minor = parse_minor(value.substr(0, value.find(',')));
      total += minor;
      if (account[0] == 'S') {
        int64_t& seen = shared_seen[account[1] - '0'];
        if (minor < seen) return fmt::format("{} went down from {} to {}", account, seen, minor);
        seen = minor;
      }
    }
    if (total % kDepositMinor != 0) return fmt::format("a total of {} is half a commit", total);
    if (total < total_seen) return fmt::format("the total went down: {} then {}", total_seen, total);
    total_seen = total;
    return {};
  }

  // A writer's statement lists its commits, by ref, as a gap-free prefix c<seed>-w<w>-0, 1, 2,
  // ... (each once), at least as long as what was acknowledged before the read began.
  std::string check_prefix(const std::string& text, int w, uint64_t acked_before) const {
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    uint64_t i = 0;
    while (std::getline(in, line)) {
      const std::string ref = line.substr(line.rfind(',') + 1);
      const std::string want = fmt::format("c{}-w{}-{}", seed_, w, i);
      if (ref != want) {
        return fmt::format("statement of {}: row {} has ref `{}`, expected `{}` (a gap or a double)",
                           writer_account(w), i, ref, want);
      }
      ++i;
    }
    if (i < acked_before) {
      return fmt::format("statement of {} shows {} commits, {} were acknowledged before it",
                         writer_account(w), i, acked_before);
    }
    return {};
  }

  // Every row's balance is the one before plus its amount, starting from zero.
  static std::string check_statement(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);
    if (line.rfind("date,seq,type,counterparty,amount,balance,currency", 0) != 0) {
      return "statement printed: " + line;
    }
    int64_t running = 0;
    while (std::getline(in, line)) {
      std::vector<std::string> f(1);
      for (char c : line) c == ',' ? (void)f.emplace_back() : (void)(f.back() += c);
      if (f.size() < 6) return "statement row: " + line;
      running += parse_minor(f[4]);
      if (parse_minor(f[5]) != running) return "statement balance does not add up: " + line;
    }
    return {};
  }

  bool check_final(const std::vector<WriterResult>& results) {
    if (failed_) return false;
    // A restart that no writer met proves nothing about losing the server mid-command.
    if (on_postgres() && (!restarted_ || server_gone_seen_ == 0)) {
      fail(fmt::format("the server was {}restarted and writers met it gone {} times: the round "
                       "tested nothing of a restart",
                       restarted_ ? "" : "not ", server_gone_seen_.load()));
      return false;
    }
    Harness harness(options_, dir(), seed_, tally_);
    Balances expected;
    std::array<int64_t, kShared> received{};
    uint64_t events = kWriters + kShared;
    for (int w = 0; w < kWriters; ++w) {
      expected[writer_account(w)] = format_minor(results[w].own_minor, 2) + ",EUR";
      for (int s = 0; s < kShared; ++s) received[s] += results[w].sent_minor[s];
      events += results[w].commits;
      tally_.acked += results[w].commits;
      tally_.faults += results[w].lock_retries;  // Lock timeouts met and retried.
    }
    for (int s = 0; s < kShared; ++s) {
      expected[shared_account(s)] = format_minor(received[s], 2) + ",EUR";
    }
    const ChildOutcome b = harness.query({"balance", "--format", "csv"});
    auto balances = parse_balances_csv(b.out);
    if (!balances || *balances != expected) {
      harness.fail("final balances:" + describe_difference(expected, balances.value_or(Balances{})));
      return false;
    }
    const ChildOutcome s = harness.query({"stats", "--format", "csv"});
    const size_t line = s.out.find('\n');
    const uint64_t seen = std::strtoull(s.out.c_str() + line + 1, nullptr, 10);
    if (seen != events) {
      harness.fail(fmt::format("{} events in the log, {} commits made: lost or doubled", seen,
                               events));
      return false;
    }
    tally_.checks += 2;
    return harness.check_verify("after the concurrent writers");
  }

  const DriverOptions& options_;
  Tally& tally_;
  fs::path root_;
  uint64_t seed_;
  std::mutex mutex_;
  std::atomic<bool> failed_{false};
  std::atomic<bool> writers_done_{false};
  std::array<std::atomic<uint64_t>, kWriters> acked_{};  // Commits each writer has made.
  std::string database_;  // On PostgreSQL: this round's location.
  std::atomic<bool> restarted_{false};
  std::atomic<uint64_t> server_gone_seen_{0};  // Writer attempts that met exit 74.
};

}  // namespace

void run_concurrency_mode(const DriverOptions& options, Tally& tally) {
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t seed = options.seed;; ++seed) {
    ConcurrencyRound round(options, seed, tally);
    const bool ok = round.run();
    ++tally.runs;
    if (ok || !options.keep) fs::remove_all(round.root());
    if (options.one_seed || !time_left(start, options.seconds)) return;
  }
}

}  // namespace ledger::torture
