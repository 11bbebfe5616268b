#pragma once
// Helpers shared by the store tests: a temporary directory, writers with a fixed clock, reading
// a log back as plain values, and byte-level damage of files.

#include <unistd.h>

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "store/log_reader.h"
#include "store/log_writer.h"

namespace ledger::store::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ledger-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// A clock that starts at 2026-01-01T00:00:00Z and moves one second per reading.
inline std::function<int64_t()> stepping_clock(int64_t start_ns = 1767225600LL * 1'000'000'000) {
  auto now = std::make_shared<int64_t>(start_ns);
  return [now] { return *now += 1'000'000'000; };
}

inline LogOptions test_options(uint64_t segment_size = 1u << 20) {
  LogOptions options;
  options.segment_size_bytes_max = segment_size;
  options.lock_wait = std::chrono::milliseconds(2000);
  options.clock_ns = stepping_clock();
  return options;
}

// An event as plain values, easy to compare.
struct Event {
  uint64_t seq = 0;
  uint16_t type = 0;
  uint16_t version = 0;
  int64_t effective_ns = 0;
  std::string payload;
  friend bool operator==(const Event&, const Event&) = default;
  friend std::ostream& operator<<(std::ostream& out, const Event& e) {
    return out << fmt::format("#{} type {} v{} eff {} '{}'", e.seq, e.type, e.version,
                              e.effective_ns, e.payload);
  }
};

inline std::ostream& operator<<(std::ostream& out, const std::vector<Event>& events) {
  for (const Event& e : events) out << e << "; ";
  return out;
}

inline ByteView bytes_of(std::string_view s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

inline Record record_of(const std::string& payload, uint16_t type = 1, int64_t effective_ns = 0) {
  return {type, 1, effective_ns, bytes_of(payload)};
}
// A Record only points at its payload: a temporary string would be gone before it is written.
Record record_of(std::string&& payload, uint16_t type = 1, int64_t effective_ns = 0) = delete;

// Adds one event to the open commit; the payload only has to live for the call.
inline Status add_event(LogWriter& writer, const std::string& payload) {
  return writer.add(record_of(payload));
}

inline std::unique_ptr<LogWriter> open_writer(const fs::path& dir, LogOptions options = test_options()) {
  RecoveryReport report;
  auto writer = LogWriter::open(dir, std::move(options), report);
  if (!writer) throw std::runtime_error(writer.status().message());
  return std::move(*writer);
}

// Every visible event of the log; throws on corruption.
inline std::vector<Event> read_events(const fs::path& dir) {
  auto reader = LogReader::open(dir);
  if (!reader) throw std::runtime_error(reader.status().message());
  std::vector<Event> events;
  for (;;) {
    auto frame = reader->next();
    if (!frame) throw std::runtime_error(frame.status().message());
    if (*frame == nullptr) return events;
    RecordIterator it((*frame)->bytes);
    Record r;
    uint64_t seq = (*frame)->header.seq_first;
    while (it.next(r)) {
      events.push_back({seq++, r.type, r.version, r.effective_ns,
                        std::string(reinterpret_cast<const char*>(r.payload.data()), r.payload.size())});
    }
  }
}

// Commits `count` one-event commits with payloads "<prefix>0", "<prefix>1", ...
inline void append_events(LogWriter& writer, int count, const std::string& prefix = "event-") {
  for (int i = 0; i < count; ++i) {
    const std::string payload = prefix + std::to_string(i);
    const Record r = record_of(payload);
    auto info = writer.append(std::span(&r, 1));
    if (!info) throw std::runtime_error(info.status().message());
  }
}

inline std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

inline void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Every regular file of a directory and its bytes, to prove that a refusal changed nothing.
// Every file under `dir` (snapshots/, archive/ and the like included) by relative path.
inline std::map<std::string, std::string> snapshot_dir(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), dir).string()] = read_bytes(entry.path());
    }
  }
  return files;
}

inline std::vector<fs::path> segment_paths(const fs::path& dir) {
  std::vector<fs::path> paths;
  for (const auto& s : *list_segments(dir)) paths.push_back(s.path);
  return paths;
}

}  // namespace ledger::store::testing

namespace ledger::store::testing {

struct FrameSpan {
  fs::path segment;
  uint64_t offset = 0;
  uint32_t length = 0;
};

// Where every frame of a healthy log stands.
inline std::vector<FrameSpan> frame_spans(const fs::path& dir) {
  auto cursor = LogCursor::at_start(real_syscalls(), *list_segments(dir));
  std::vector<FrameSpan> spans;
  while (cursor->next() == LogCursor::Step::kFrame) {
    const FrameRef& f = cursor->frame();
    spans.push_back({cursor->segments()[f.segment].path, f.offset, f.header.length});
  }
  return spans;
}

inline void flip_bit(const fs::path& path, uint64_t bit) {
  std::string bytes = read_bytes(path);
  bytes[bit / 8] = static_cast<char>(bytes[bit / 8] ^ (1 << (bit % 8)));
  write_bytes(path, bytes);
}

inline void shrink_to(const fs::path& path, uint64_t size) { fs::resize_file(path, size); }

inline void append_raw(const fs::path& path, const std::string& bytes) {
  write_bytes(path, read_bytes(path) + bytes);
}

// Opens a writer expecting it to succeed, and returns what its recovery reported.
inline RecoveryReport reopen(const fs::path& dir, LogOptions options = test_options()) {
  RecoveryReport report;
  auto writer = LogWriter::open(dir, std::move(options), report);
  if (!writer) throw std::runtime_error(writer.status().message());
  return report;
}

}  // namespace ledger::store::testing
