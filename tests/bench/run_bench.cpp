// Benchmark of a sorted run (store/sorted_run.h): writing a run of N random keys, then the
// latency of lookups of present and of absent keys, each from a fresh open of the run, as one
// command of the CLI would do it (open + one lookup), and from one open run for comparison; last,
// a merge of the run with a small one (the worst case of one add to a run set: every entry is
// rewritten).
//
//   run_bench --dir DIR [--entries N] [--lookups L] [--seed S] [--keep]
//
// DIR must exist; the program writes DIR/bench.run (refusing if it exists), DIR/bench-small.run
// and DIR/bench-merged.run, and deletes them at the end unless --keep is given. Keys are
// generated, not stored, so the program's own memory stays small: the peak RSS it prints is
// the writer's and the merge's. Lookups run against the page cache (the file was just
// written), so "cold" means a cold process, not a cold disk. Each measurement is one line,
// "<name> key=value ...", for scripts; p99 is the nearest-rank percentile.

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "store/sorted_run.h"

namespace {

namespace fs = std::filesystem;
using ledger::store::RunEntry;
using ledger::store::RunKey;
using ledger::store::SortedRun;
using ledger::store::SortedRunWriter;
using Clock = std::chrono::steady_clock;

struct Args {
  fs::path dir;
  uint64_t entries = 10'000'000;
  uint64_t lookups = 100'000;
  uint64_t seed = 42;
  bool keep = false;
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "run_bench: %s\n", message.c_str());
  std::exit(1);
}

uint64_t parse_number(std::string_view flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || text[0] == '-') {
    die(std::string(flag) + ": not a number: " + text);
  }
  return v;
}

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--keep") {
      args.keep = true;
      continue;
    }
    if (i + 1 >= argc) die(std::string(flag) + ": missing value");
    const char* value = argv[++i];
    if (flag == "--dir") {
      args.dir = value;
    } else if (flag == "--entries") {
      args.entries = parse_number(flag, value);
    } else if (flag == "--lookups") {
      args.lookups = parse_number(flag, value);
    } else if (flag == "--seed") {
      args.seed = parse_number(flag, value);
    } else {
      die("unknown option " + std::string(flag) +
          "; usage: run_bench --dir DIR [--entries N] [--lookups L] [--seed S] [--keep]");
    }
  }
  if (args.dir.empty()) die("--dir is required");
  if (args.entries == 0 || args.lookups == 0) die("--entries and --lookups must be positive");
  return args;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Entry i of N: its high word is random within the i-th of N equal slices of the 64-bit range,
// so the keys are random yet come out sorted, and any of them can be recomputed from i.
class Keys {
 public:
  Keys(uint64_t entries, uint64_t seed) : slice_(UINT64_MAX / entries), seed_(seed) {}
  RunEntry entry(uint64_t i) const {
    return {splitmix64(seed_ ^ (2 * i)), i * slice_ + splitmix64(seed_ ^ (2 * i + 1)) % slice_, i,
            ~i};
  }
  // A random key: present with probability ~N / 2^128, i.e. never.
  RunKey absent(uint64_t j) const {
    return {splitmix64(~seed_ ^ (2 * j)), splitmix64(~seed_ ^ (2 * j + 1))};
  }

 private:
  uint64_t slice_;
  uint64_t seed_;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double micros_since(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Nearest-rank percentile: the smallest sample with at least p% of the samples at or below it.
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void write_run(const Args& args, const Keys& keys, const fs::path& path) {
  const auto start = Clock::now();
  auto writer = SortedRunWriter::create(ledger::store::real_syscalls(), path, {1, args.entries});
  if (!writer) die(writer.status().message());
  for (uint64_t i = 0; i < args.entries; ++i) {
    if (auto s = writer->add(keys.entry(i)); !s) die(s.message());
  }
  if (auto s = writer->finish(); !s) die(s.message());
  const double seconds = seconds_since(start);
  const uint64_t bytes = fs::file_size(path);
  std::printf(
      "write entries=%llu seconds=%.3f entries_per_s=%.0f file_bytes=%llu "
      "bytes_per_entry=%.2f peak_rss_kib=%ld\n",
      static_cast<unsigned long long>(args.entries), seconds,
      static_cast<double>(args.entries) / seconds, static_cast<unsigned long long>(bytes),
      static_cast<double>(bytes) / static_cast<double>(args.entries), peak_rss_kib());
}

void report(const char* name, const std::vector<double>& us) {
  std::printf("%s n=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f\n", name, us.size(), median(us),
              percentile(us, 99), *std::max_element(us.begin(), us.end()));
}

// Open + one lookup per sample, as a CLI command does; checks every answer.
template <class KeyOf>
std::vector<double> time_cold(const fs::path& path, uint64_t n, bool present, KeyOf key_of) {
  std::vector<double> us;
  us.reserve(n);
  for (uint64_t j = 0; j < n; ++j) {
    const RunKey key = key_of(j);
    const auto start = Clock::now();
    auto run = SortedRun::open(path);
    if (!run) die(run.status().message());
    auto found = run->lookup(key);
    us.push_back(micros_since(start));
    if (!found) die(found.status().message());
    if (found->has_value() != present) die("wrong answer for a lookup");
  }
  return us;
}

template <class KeyOf>
std::vector<double> time_warm(const SortedRun& run, uint64_t n, bool present, KeyOf key_of) {
  std::vector<double> us;
  us.reserve(n);
  for (uint64_t j = 0; j < n; ++j) {
    const RunKey key = key_of(j);
    const auto start = Clock::now();
    auto found = run.lookup(key);
    us.push_back(micros_since(start));
    if (!found) die(found.status().message());
    if (found->has_value() != present) die("wrong answer for a lookup");
  }
  return us;
}

// The worst case of one add to a run set: a new run of `kSmallEntries` entries merged with the
// big run, so that every entry is rewritten. Its memory must not grow with the run.
void merge_small_run(const Args& args, const Keys& keys, const SortedRun& big,
                     const fs::path& out) {
  constexpr uint64_t kSmallEntries = 1000;
  std::vector<RunEntry> small;
  for (uint64_t j = 0; j < kSmallEntries; ++j) {
    const RunKey k = keys.absent(args.lookups + j);
    small.push_back({k.low, k.high, j, 0});
  }
  std::sort(small.begin(), small.end(),
            [](const RunEntry& a, const RunEntry& b) { return a.key() < b.key(); });
  const fs::path small_path = args.dir / "bench-small.run";
  auto writer = SortedRunWriter::create(ledger::store::real_syscalls(), small_path,
                                        {args.entries + 1, args.entries + 1});
  if (!writer) die(writer.status().message());
  for (const RunEntry& e : small) {
    if (auto s = writer->add(e); !s) die(s.message());
  }
  if (auto s = writer->finish(); !s) die(s.message());
  auto small_run = SortedRun::open(small_path);
  if (!small_run) die(small_run.status().message());

  const long rss_before = peak_rss_kib();
  const auto start = Clock::now();
  const SortedRun* inputs[] = {&big, &*small_run};
  auto merged = ledger::store::merge_runs(ledger::store::real_syscalls(), inputs, out);
  const double seconds = seconds_since(start);
  if (!merged) die(merged.status().message());
  if (merged->entry_count() != args.entries + kSmallEntries) die("merge lost entries");
  std::printf(
      "merge entries=%llu seconds=%.3f entries_per_s=%.0f peak_rss_kib_before=%ld "
      "peak_rss_kib_after=%ld\n",
      static_cast<unsigned long long>(merged->entry_count()), seconds,
      static_cast<double>(merged->entry_count()) / seconds, rss_before, peak_rss_kib());
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  const fs::path path = args.dir / "bench.run";
  if (fs::exists(path)) die(path.string() + " exists");
  const Keys keys(args.entries, args.seed);
  write_run(args, keys, path);

  const auto present = [&](uint64_t j) {
    return keys.entry(splitmix64(args.seed + j) % args.entries).key();
  };
  const auto absent = [&](uint64_t j) { return keys.absent(j); };

  std::vector<double> open_us;
  for (uint64_t j = 0; j < std::min<uint64_t>(args.lookups, 10'000); ++j) {
    const auto start = Clock::now();
    auto run = SortedRun::open(path);
    open_us.push_back(micros_since(start));
    if (!run) die(run.status().message());
  }
  report("open_only", open_us);
  report("open_lookup_present", time_cold(path, args.lookups, true, present));
  report("open_lookup_absent", time_cold(path, args.lookups, false, absent));

  auto run = SortedRun::open(path);
  if (!run) die(run.status().message());
  report("lookup_present_open_run", time_warm(*run, args.lookups, true, present));
  report("lookup_absent_open_run", time_warm(*run, args.lookups, false, absent));
  std::printf("peak_rss_kib=%ld\n", peak_rss_kib());

  const fs::path merged = args.dir / "bench-merged.run";
  merge_small_run(args, keys, *run, merged);
  if (!args.keep) {
    fs::remove(path);
    fs::remove(args.dir / "bench-small.run");
    fs::remove(merged);
  }
  return 0;
}
