// Storage benchmark of the segment log: batched appends (beside bare write()+fdatasync() of the
// same frames), one big commit, read-back, and the latency of a single durable append beside a
// bare write()+fdatasync() of the same size.
//
//   log_bench --dir DIR [--events N] [--batch B] [--payload BYTES] [--single S] [--runs R]
//
// DIR must not hold earlier results: the program creates DIR/batched, DIR/one_commit,
// DIR/single and DIR/bare_batched.dat, and refuses if any of them exists. It leaves the files
// behind, so that a caller (scripts/bench) can time `cat` of the same segments. Every
// measurement is printed as one line, "<name> key=value ...", for scripts; MB are 10^6 bytes,
// seconds are wall-clock (steady_clock), p99 is the nearest-rank percentile.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/format.h"
#include "store/log_reader.h"
#include "store/log_writer.h"
#include "store/record.h"

namespace {

namespace fs = std::filesystem;
using ledger::store::LogOptions;
using ledger::store::LogReader;
using ledger::store::LogWriter;
using ledger::store::Record;
using ledger::store::RecordIterator;
using ledger::store::RecoveryReport;
using Clock = std::chrono::steady_clock;

struct Args {
  fs::path dir;
  uint64_t events = 1'000'000;
  uint64_t batch = 1'000;
  size_t payload = 60;
  int single = 200;
  int runs = 5;
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "log_bench: %s\n", message.c_str());
  std::exit(1);
}

void usage_and_exit(int code) {
  std::fprintf(code == 0 ? stdout : stderr,
               "usage: log_bench --dir DIR [--events N] [--batch B] [--payload BYTES] "
               "[--single S] [--runs R]\n"
               "  --events   events appended by the batched and one-commit runs (1000000)\n"
               "  --batch    events per frame (1000)\n"
               "  --payload  payload bytes per event (60)\n"
               "  --single   timed single-event appends, and as many bare writes (200)\n"
               "  --runs     read-back runs; the median is reported (5)\n");
  std::exit(code);
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
    std::string_view a = argv[i];
    if (a == "-h" || a == "--help") usage_and_exit(0);
    std::string_view flag = a;
    const char* value = nullptr;
    if (auto eq = a.find('='); eq != std::string_view::npos) {
      flag = a.substr(0, eq);
      value = argv[i] + eq + 1;
    } else {
      if (i + 1 >= argc) die(std::string(a) + " needs a value");
      value = argv[++i];
    }
    if (flag == "--dir") {
      args.dir = value;
    } else if (flag == "--events") {
      args.events = parse_number(flag, value);
    } else if (flag == "--batch") {
      args.batch = parse_number(flag, value);
    } else if (flag == "--payload") {
      args.payload = parse_number(flag, value);
    } else if (flag == "--single") {
      args.single = static_cast<int>(parse_number(flag, value));
    } else if (flag == "--runs") {
      args.runs = static_cast<int>(parse_number(flag, value));
    } else {
      std::fprintf(stderr, "log_bench: unknown option %s\n", argv[i]);
      usage_and_exit(2);
    }
  }
  if (args.dir.empty()) usage_and_exit(2);
  if (args.events == 0 || args.batch == 0 || args.payload == 0 || args.single <= 0 ||
      args.runs <= 0) {
    die("--events, --batch, --payload, --single and --runs must be positive");
  }
  if (args.payload > ledger::store::kPayloadSizeMax) die("--payload is larger than the format allows");
  return args;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
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

uint64_t segment_bytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ledger::store::kSegmentSuffix) {
      total += entry.file_size();
    }
  }
  return total;
}

size_t segment_count(const fs::path& dir) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ledger::store::kSegmentSuffix) ++n;
  }
  return n;
}

fs::path fresh_dir(const fs::path& parent, const char* name) {
  const fs::path dir = parent / name;
  if (fs::exists(dir)) die(dir.string() + " already exists; give an empty --dir");
  return dir;
}

std::unique_ptr<LogWriter> open_writer(const fs::path& dir) {
  RecoveryReport report;
  // The real clock (clock_ns left empty) and the default segment size.
  auto writer = LogWriter::open(dir, LogOptions{}, report);
  if (!writer) die(writer.status().message());
  return std::move(*writer);
}

void check(const ledger::Status& s, const char* what) {
  if (!s) die(std::string(what) + ": " + s.message());
}

// The payload of event i: a fixed pattern with the event number in its first bytes, so that
// no two neighbouring payloads are identical.
class Payloads {
 public:
  explicit Payloads(size_t size) : bytes_(size) {
    for (size_t i = 0; i < size; ++i) bytes_[i] = static_cast<unsigned char>('a' + i % 26);
  }
  ledger::store::ByteView at(uint64_t i) {
    std::memcpy(bytes_.data(), &i, std::min(sizeof i, bytes_.size()));
    return bytes_;
  }

 private:
  std::vector<unsigned char> bytes_;
};

void print_append(const char* name, const fs::path& dir, uint64_t events, uint64_t frames,
                  uint64_t commits, double seconds) {
  const uint64_t bytes = segment_bytes(dir);
  std::printf(
      "%s events=%llu frames=%llu commits=%llu segments=%zu bytes=%llu seconds=%.4f "
      "events_per_s=%.4g mb_per_s=%.1f\n",
      name, static_cast<unsigned long long>(events), static_cast<unsigned long long>(frames),
      static_cast<unsigned long long>(commits), segment_count(dir),
      static_cast<unsigned long long>(bytes), seconds, static_cast<double>(events) / seconds,
      static_cast<double>(bytes) / seconds / 1e6);
  std::fflush(stdout);
}

// a. Frames of `batch` events, each frame its own commit (begin, add..., commit).
void append_batched(const Args& args, const fs::path& dir) {
  auto writer = open_writer(dir);
  Payloads payloads(args.payload);
  uint64_t commits = 0;
  const auto start = Clock::now();
  for (uint64_t i = 0; i < args.events;) {
    check(writer->begin(), "begin");
    const int64_t effective = writer->commit_recorded_ns();
    const uint64_t end = std::min(args.events, i + args.batch);
    for (; i < end; ++i) check(writer->add(Record{1, 1, effective, payloads.at(i)}), "add");
    auto info = writer->commit();
    if (!info) die("commit: " + info.status().message());
    ++commits;
  }
  const double seconds = seconds_since(start);
  writer.reset();
  print_append("append_batched", dir, args.events, commits, commits, seconds);
}

// b. The same events as ONE commit of many frames (end_frame every `batch` events).
void append_one_commit(const Args& args, const fs::path& dir) {
  auto writer = open_writer(dir);
  Payloads payloads(args.payload);
  const auto start = Clock::now();
  check(writer->begin(), "begin");
  const int64_t effective = writer->commit_recorded_ns();
  for (uint64_t i = 0; i < args.events; ++i) {
    if (i > 0 && i % args.batch == 0) writer->end_frame();
    check(writer->add(Record{1, 1, effective, payloads.at(i)}), "add");
  }
  auto info = writer->commit();
  if (!info) die("commit: " + info.status().message());
  const double seconds = seconds_since(start);
  writer.reset();
  print_append("append_one_commit", dir, args.events, info->frames, 1, seconds);
}

void write_fully(int fd, const unsigned char* p, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      die(std::string("write: ") + std::strerror(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

// Reference for (a): the same bytes as the batched log, as bare write()+fdatasync() of one frame's
// size each, appended to a plain file. The floor that a commit per frame cannot beat on this disk.
void bare_batched(const Args& args, const fs::path& path) {
  const uint64_t frames = (args.events + args.batch - 1) / args.batch;
  const size_t record_bytes = ledger::store::kRecordHeaderSize + args.payload;
  std::vector<unsigned char> frame(ledger::store::kFrameHeaderSize + args.batch * record_bytes, 0x5a);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) die("open " + path.string() + ": " + std::strerror(errno));
  uint64_t bytes = 0;
  const auto start = Clock::now();
  for (uint64_t f = 0; f < frames; ++f) {
    const uint64_t events = std::min(args.batch, args.events - f * args.batch);
    const size_t n = ledger::store::kFrameHeaderSize + events * record_bytes;
    write_fully(fd, frame.data(), n);
    if (::fdatasync(fd) != 0) die(std::string("fdatasync: ") + std::strerror(errno));
    bytes += n;
  }
  const double seconds = seconds_since(start);
  ::close(fd);
  std::printf("bare_batched_write_fdatasync events=%llu frames=%llu bytes=%llu seconds=%.4f "
              "events_per_s=%.4g mb_per_s=%.1f\n",
              static_cast<unsigned long long>(args.events), static_cast<unsigned long long>(frames),
              static_cast<unsigned long long>(bytes), seconds,
              static_cast<double>(args.events) / seconds, static_cast<double>(bytes) / seconds / 1e6);
  std::fflush(stdout);
}

struct ReadPass {
  uint64_t events = 0;
  uint64_t frames = 0;
  uint64_t checksum = 0;  // Sum of every payload's first byte and size: keeps the walk honest.
  size_t bytes_read = 0;  // What the reader read from the files, look-ahead included.
};

ReadPass read_all(const fs::path& dir) {
  auto reader = LogReader::open(dir);
  if (!reader) die("open reader: " + reader.status().message());
  ReadPass pass;
  for (;;) {
    auto frame = reader->next();
    if (!frame) die("read: " + frame.status().message());
    if (*frame == nullptr) break;
    ++pass.frames;
    RecordIterator it((*frame)->bytes);
    Record r;
    while (it.next(r)) {
      ++pass.events;
      pass.checksum += r.payload.size() + (r.payload.empty() ? 0 : r.payload[0]);
    }
  }
  pass.bytes_read = reader->bytes_read();
  return pass;
}

// c. Read every event back, one warm-up pass and `runs` timed ones; the median is reported.
void read_back(const char* name, const Args& args, const fs::path& dir) {
  const uint64_t bytes = segment_bytes(dir);
  const ReadPass warm = read_all(dir);
  if (warm.events != args.events) {
    die(std::string(name) + ": read " + std::to_string(warm.events) + " events, wrote " +
        std::to_string(args.events));
  }
  std::vector<double> times;
  for (int run = 0; run < args.runs; ++run) {
    const auto start = Clock::now();
    const ReadPass pass = read_all(dir);
    times.push_back(seconds_since(start));
    if (pass.events != warm.events || pass.checksum != warm.checksum) die("read passes disagree");
  }
  const double s = median(times);
  std::printf(
      "%s events=%llu frames=%llu bytes=%llu reader_bytes_read=%zu runs=%d seconds=%.4f "
      "seconds_min=%.4f seconds_max=%.4f events_per_s=%.4g mb_per_s=%.1f checksum=%llu\n",
      name, static_cast<unsigned long long>(warm.events),
      static_cast<unsigned long long>(warm.frames), static_cast<unsigned long long>(bytes),
      warm.bytes_read, args.runs, s, *std::min_element(times.begin(), times.end()),
      *std::max_element(times.begin(), times.end()), static_cast<double>(warm.events) / s,
      static_cast<double>(bytes) / s / 1e6, static_cast<unsigned long long>(warm.checksum));
  std::fflush(stdout);
}

// d. Single-event durable appends, interleaved with bare write()+fdatasync() of a frame of the
// same size appended to a plain file in the same directory.
void single_appends(const Args& args, const fs::path& dir) {
  constexpr int kWarmup = 5;  // Untimed, each: the first append creates the segment file.
  auto writer = open_writer(dir);
  Payloads payloads(args.payload);
  const size_t frame_bytes =
      ledger::store::kFrameHeaderSize + ledger::store::kRecordHeaderSize + args.payload;
  const fs::path bare_path = dir / "bare.dat";
  const int fd = ::open(bare_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) die("open " + bare_path.string() + ": " + std::strerror(errno));
  std::vector<unsigned char> bare_frame(frame_bytes, 0x5a);

  std::vector<double> log_us, bare_us;
  const uint64_t size_before = [&] {
    for (int i = 0; i < kWarmup; ++i) {
      const Record r{1, 1, 0, payloads.at(static_cast<uint64_t>(i))};
      if (auto info = writer->append(std::span(&r, 1)); !info) die(info.status().message());
      write_fully(fd, bare_frame.data(), bare_frame.size());
      if (::fdatasync(fd) != 0) die(std::string("fdatasync: ") + std::strerror(errno));
    }
    return segment_bytes(dir);
  }();
  for (int i = 0; i < args.single; ++i) {
    const Record r{1, 1, 0, payloads.at(static_cast<uint64_t>(kWarmup + i))};
    auto start = Clock::now();
    auto info = writer->append(std::span(&r, 1));
    log_us.push_back(seconds_since(start) * 1e6);
    if (!info) die("append: " + info.status().message());

    start = Clock::now();
    write_fully(fd, bare_frame.data(), bare_frame.size());
    if (::fdatasync(fd) != 0) die(std::string("fdatasync: ") + std::strerror(errno));
    bare_us.push_back(seconds_since(start) * 1e6);
  }
  ::close(fd);
  const uint64_t written = segment_bytes(dir) - size_before;
  if (written != frame_bytes * static_cast<uint64_t>(args.single)) {
    die("single appends wrote " + std::to_string(written) + " bytes, expected " +
        std::to_string(frame_bytes * static_cast<uint64_t>(args.single)));
  }
  writer.reset();

  const double log_p50 = median(log_us), log_p99 = percentile(log_us, 99);
  const double bare_p50 = median(bare_us), bare_p99 = percentile(bare_us, 99);
  std::printf("append_single_fdatasync n=%d frame_bytes=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
              args.single, frame_bytes, log_p50, log_p99,
              *std::max_element(log_us.begin(), log_us.end()));
  std::printf("bare_write_fdatasync n=%d frame_bytes=%zu p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
              args.single, frame_bytes, bare_p50, bare_p99,
              *std::max_element(bare_us.begin(), bare_us.end()));
  std::printf("single_vs_bare ratio_p50=%.3f ratio_p99=%.3f\n", log_p50 / bare_p50,
              log_p99 / bare_p99);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  std::error_code ec;
  fs::create_directories(args.dir, ec);
  if (ec) die("create " + args.dir.string() + ": " + ec.message());

  const fs::path batched = fresh_dir(args.dir, "batched");
  const fs::path one_commit = fresh_dir(args.dir, "one_commit");
  const fs::path single = fresh_dir(args.dir, "single");
  if (fs::exists(args.dir / "bare_batched.dat")) die("give an empty --dir");

  std::printf("config dir=%s events=%llu batch=%llu payload=%zu single=%d runs=%d\n",
              args.dir.c_str(), static_cast<unsigned long long>(args.events),
              static_cast<unsigned long long>(args.batch), args.payload, args.single, args.runs);
  std::fflush(stdout);

  append_batched(args, batched);
  bare_batched(args, args.dir / "bare_batched.dat");
  append_one_commit(args, one_commit);
  read_back("read_batched", args, batched);
  read_back("read_one_commit", args, one_commit);
  single_appends(args, single);
  return 0;
}
