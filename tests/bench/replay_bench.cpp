// Benchmark of replay: how fast a full read of the log rebuilds the state.
//
//   replay_bench [--events N] [--accounts A] [--runs R] [--dir DIR] [--only PASS]
//
// Writes N generated events once (A account openings, then deposits, withdrawals and
// transfers with bank-like memos and refs, in frames of 1000 events and commits of 100 frames,
// as imports write them) to DIR (default: a fresh temporary directory, removed at the end),
// then times, on the warm page cache, each as the median of R runs:
//   read    frames read and verified (checksums, chain), records walked;
//   decode  the same plus decode_event_view of every payload;
//   apply   the same plus LedgerState::apply of every view (a query's state, no refs);
// and, for comparison, apply_refs (the write path's state, refs tracked) and the Cereal path
// (decode_event into owned events, then apply(StoredEvent)), which is how replay worked before
// EventView. Prints one line each, "<name> key=value ...", for scripts.
//
// Built with -DLEDGER_BENCH_BEFORE_VIEWS, the same program measures a tree from before
// EventView existed: its decode and apply rows then use Cereal and for_each_event.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "app/replay.h"
#include "domain/event_codec.h"
#include "domain/ledger_state.h"
#include "store/log_reader.h"
#include "store/log_writer.h"
#include "store/record.h"

namespace {

namespace fs = std::filesystem;
using namespace ledger;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kFrameEvents = 1000;
constexpr uint64_t kCommitFrames = 100;
constexpr uint64_t kEventsMax = 2'000'000;  // The machine is shared: keep runs short.

struct Args {
  fs::path dir;
  uint64_t events = 1'000'000;
  uint64_t accounts = 10'000;
  int runs = 5;
  std::string only;  // One pass alone (a name from --help), e.g. to profile it.
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "replay_bench: %s\n", message.c_str());
  std::exit(1);
}

void check(const Status& s, const char* what) {
  if (!s) die(std::string(what) + ": " + s.message());
}

uint64_t parse_number(std::string_view flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-' || v == 0) {
    die(std::string(flag) + ": not a positive number: " + text);
  }
  return v;
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::printf(
          "usage: replay_bench [--events N] [--accounts A] [--runs R] [--dir DIR] "
          "[--only read|decode|apply|apply_refs|cereal|owned]\n");
      std::exit(0);
    }
    if (i + 1 >= argc) die(std::string(flag) + " needs a value");
    const char* value = argv[++i];
    if (flag == "--events") {
      args.events = parse_number(flag, value);
    } else if (flag == "--accounts") {
      args.accounts = parse_number(flag, value);
    } else if (flag == "--runs") {
      args.runs = static_cast<int>(parse_number(flag, value));
    } else if (flag == "--only") {
      args.only = value;
    } else if (flag == "--dir") {
      args.dir = value;
    } else {
      die(std::string("unknown option ") + std::string(flag));
    }
  }
  if (args.events > kEventsMax) die(fmt::format("--events is limited to {}", kEventsMax));
  if (args.accounts > args.events) die("--accounts must not exceed --events");
  return args;
}

// Events an import of bank rows would record: every account opened first, then money moving
// between them with memos and refs such as a bank export carries.
class Workload {
 public:
  explicit Workload(uint64_t accounts) : accounts_(accounts), rng_(20260630) {}

  domain::Event at(uint64_t i) {
    if (i < accounts_) {
      return domain::AccountOpened{
          id(i), fmt::format("Customer {}", i), "USD", 0, {fmt::format("open-{:06}", i), rng_()}};
    }
    const int64_t amount = static_cast<int64_t>(100 + rng_() % 500'000);
    const uint64_t kind = rng_() % 100;
    domain::RefKey ref{fmt::format("bank-2026-{:02}-{:02}-{:09}", 1 + i % 12, 1 + i % 28, i),
                       rng_()};
    const std::string account = id(rng_() % accounts_);
    if (kind < 45) return domain::MoneyDeposited{account, amount, memo(), std::move(ref)};
    if (kind < 80) return domain::MoneyWithdrawn{account, amount, memo(), std::move(ref)};
    return domain::MoneyTransferred{account, id(rng_() % accounts_), amount, memo(),
                                    std::move(ref)};
  }

 private:
  static std::string id(uint64_t n) { return fmt::format("ACC-{:06}", n); }
  std::string memo() {
    static constexpr const char* kMemos[] = {"SEPA credit transfer salary June",
                                             "Card payment Blue Bottle Coffee",
                                             "Direct debit electricity 2026-06",
                                             "Invoice 2026-0412 ACME Corp",
                                             "ATM withdrawal",
                                             "Rent July",
                                             "Refund order 88123-A",
                                             ""};
    return kMemos[rng_() % std::size(kMemos)];
  }

  uint64_t accounts_;
  std::mt19937_64 rng_;
};

void write_log(const Args& args, const fs::path& dir) {
  store::RecoveryReport report;
  auto writer = store::LogWriter::open(dir, store::LogOptions{}, report);
  if (!writer) die("open writer: " + writer.status().message());
  Workload workload(args.accounts);
  for (uint64_t i = 0; i < args.events;) {
    check((*writer)->begin(), "begin");
    const int64_t now = (*writer)->commit_recorded_ns();
    const uint64_t end = std::min(args.events, i + kFrameEvents * kCommitFrames);
    for (; i < end; ++i) {
      if (i % kFrameEvents == 0) (*writer)->end_frame();
      const domain::EncodedEvent e = domain::encode_event(workload.at(i));
      const int64_t effective = now - static_cast<int64_t>(i % 86'400) * 1'000'000'000;
      check((*writer)->add(
                {e.type,
                 e.version,
                 effective,
                 {reinterpret_cast<const unsigned char*>(e.payload.data()), e.payload.size()}}),
            "add");
    }
    auto info = (*writer)->commit();
    if (!info) die("commit: " + info.status().message());
  }
}

// What a pass computed, so that the compiler cannot drop the work and passes can be compared.
struct Pass {
  uint64_t events = 0;
  int64_t sum = 0;
};

template <class OnRecord>
Pass walk_records(const fs::path& dir, OnRecord on_record) {
  auto reader = store::LogReader::open(dir);
  if (!reader) die("open reader: " + reader.status().message());
  Pass pass;
  for (;;) {
    auto frame = reader->next();
    if (!frame) die("read: " + frame.status().message());
    if (*frame == nullptr) return pass;
    store::RecordIterator records((*frame)->bytes);
    store::Record record;
    while (records.next(record)) {
      ++pass.events;
      pass.sum += on_record(record);
    }
  }
}

Pass read_only(const fs::path& dir) {
  return walk_records(dir, [](const store::Record& r) {
    return static_cast<int64_t>(r.payload.size()) + r.payload[0];
  });
}

Pass decode_cereal(const fs::path& dir) {
  return walk_records(dir, [](const store::Record& r) -> int64_t {
    auto event = domain::decode_event(r.type, r.version, r.payload);
    if (!event) die(event.status().message());
    return static_cast<int64_t>(event->index());
  });
}

// A few balances and the event count: enough to compare passes, cheap enough not to be timed
// instead of the replay (sorting every account would be).
Pass state_pass(const domain::LedgerState& state, uint64_t events) {
  Pass pass{events, 0};
  for (uint64_t i = 0; i < 64; ++i) {
    if (const domain::Account* a = state.find(fmt::format("ACC-{:06}", i))) pass.sum += a->balance;
  }
  return pass;
}

// Replay as it was before EventView: owned events through std::function, Cereal's reader.
Pass apply_owned(const fs::path& dir, bool track_refs) {
  domain::LedgerState state(track_refs);
  uint64_t events = 0;
  check(app::for_each_event(dir, std::nullopt,
                            [&](const domain::StoredEvent& e) {
                              ++events;
                              state.apply(e);
                              return Status::ok();
                            }),
        "replay");
  return state_pass(state, events);
}

#ifndef LEDGER_BENCH_BEFORE_VIEWS
Pass decode_views(const fs::path& dir) {
  domain::EventView view;
  return walk_records(dir, [&view](const store::Record& r) {
    check(domain::decode_event_view(r.type, r.version, r.payload, view), "decode");
    return view.amount + static_cast<int64_t>(view.account.size());
  });
}

Pass apply_views(const fs::path& dir, bool track_refs) {
  domain::LedgerState state(track_refs);
  uint64_t events = 0;
  check(app::replay_events(dir, std::nullopt,
                           [&](const app::EventRef& e) {
                             ++events;
                             state.apply(e);
                           }),
        "replay");
  return state_pass(state, events);
}
#else
Pass decode_views(const fs::path& dir) { return decode_cereal(dir); }
Pass apply_views(const fs::path& dir, bool track_refs) { return apply_owned(dir, track_refs); }
#endif

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// Events per second of `pass`, the median of `runs` timed runs after one warm-up: by the wall
// clock, and by the CPU time of this process (steadier on a shared, busy machine).
struct Rate {
  double wall = 0;
  double cpu = 0;
};

template <class F>
Rate events_per_s(const Args& args, F pass) {
  const Pass warm = pass();
  if (warm.events != args.events) {
    die(fmt::format("a pass saw {} events of {}", warm.events, args.events));
  }
  std::vector<double> wall, cpu;
  for (int run = 0; run < args.runs; ++run) {
    const auto start = Clock::now();
    const double cpu_start = cpu_seconds();
    const Pass p = pass();
    cpu.push_back(cpu_seconds() - cpu_start);
    wall.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    if (p.events != warm.events || p.sum != warm.sum) die("passes disagree");
  }
  const auto n = static_cast<double>(args.events);
  return {n / median(wall), n / median(cpu)};
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  const bool temporary = args.dir.empty();
  if (temporary) {
    std::string tmpl = (fs::temp_directory_path() / "replay_bench.XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) die("mkdtemp failed");
    args.dir = tmpl;
  } else if (fs::exists(args.dir) && !fs::is_empty(args.dir)) {
    die(args.dir.string() + " is not empty");
  }
  const fs::path dir = args.dir / "log";
  const auto start = Clock::now();
  write_log(args, dir);
  std::printf("write events=%llu seconds=%.3f\n", static_cast<unsigned long long>(args.events),
              std::chrono::duration<double>(Clock::now() - start).count());
  std::fflush(stdout);

  if (!args.only.empty()) {
    const std::map<std::string, std::function<Pass()>> passes = {
        {"read", [&] { return read_only(dir); }},
        {"decode", [&] { return decode_views(dir); }},
        {"apply", [&] { return apply_views(dir, false); }},
        {"apply_refs", [&] { return apply_views(dir, true); }},
        {"cereal", [&] { return decode_cereal(dir); }},
        {"owned", [&] { return apply_owned(dir, false); }}};
    auto it = passes.find(args.only);
    if (it == passes.end()) die("unknown pass " + args.only);
    const Rate rate = events_per_s(args, it->second);
    std::printf("%s eps=%.4g cpu_eps=%.4g\n", args.only.c_str(), rate.wall, rate.cpu);
    if (temporary) fs::remove_all(args.dir);
    return 0;
  }
  const Rate read = events_per_s(args, [&] { return read_only(dir); });
  const Rate decode = events_per_s(args, [&] { return decode_views(dir); });
  const Rate apply = events_per_s(args, [&] { return apply_views(dir, false); });
  const Rate apply_refs = events_per_s(args, [&] { return apply_views(dir, true); });
  const Rate cereal = events_per_s(args, [&] { return decode_cereal(dir); });
  const Rate owned = events_per_s(args, [&] { return apply_owned(dir, false); });
  const auto events = static_cast<unsigned long long>(args.events);
  std::printf("replay events=%llu read_eps=%.4g decode_eps=%.4g apply_eps=%.4g\n", events,
              read.wall, decode.wall, apply.wall);
  std::printf("replay_cpu events=%llu read_eps=%.4g decode_eps=%.4g apply_eps=%.4g\n", events,
              read.cpu, decode.cpu, apply.cpu);
  std::printf("replay_more apply_refs_eps=%.4g cereal_decode_eps=%.4g owned_apply_eps=%.4g\n",
              apply_refs.wall, cereal.wall, owned.wall);
  std::printf("replay_more_cpu apply_refs_eps=%.4g cereal_decode_eps=%.4g owned_apply_eps=%.4g\n",
              apply_refs.cpu, cereal.cpu, owned.cpu);
  if (temporary) fs::remove_all(args.dir);
  return 0;
}
