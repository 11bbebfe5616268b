// Compaction's store side: sealed segments archived as zstd files stay readable, a purge leaves a
// log that legitimately begins later, and a crash at any system call of either leaves a log that
// opens and reads the same events (or a valid, prefix-purged log), which a second run finishes.

#include "store/archive.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <set>
#include <string>
#include <vector>

#include "log_fixture.h"
#include "store/time_index.h"

namespace ledger::store::testing {
namespace {

constexpr int64_t kStartNs = 1767225600LL * 1'000'000'000;
constexpr uint64_t kSmallSegmentBytes = 4096;
constexpr int kEvents = 400;

// Real system calls until the n-th call that could change a file (counted from when it is
// armed); that call and every call after it fail, as if the process had died there. Or, as a
// passing I/O error, only that one call fails.
class CrashingSyscalls : public Syscalls {
 public:
  void crash_at(uint64_t n, bool once = false) {
    crash_at_ = n;
    calls_ = 0;
    once_ = once;
  }
  bool crashed() const { return crashed_; }
  uint64_t calls() const { return calls_; }

  int open(const char* path, int flags, mode_t mode) override {
    if (intercept()) return -1;
    return Syscalls::open(path, flags, mode);
  }
  ssize_t pread(int fd, void* buf, size_t n, off_t offset) override {
    if (crashed_ && !once_) return fail();
    return Syscalls::pread(fd, buf, n, offset);
  }
  ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) override {
    if (intercept()) return -1;
    return Syscalls::pwrite(fd, buf, n, offset);
  }
  int fdatasync(int fd) override { return intercept() ? -1 : Syscalls::fdatasync(fd); }
  int fsync(int fd) override { return intercept() ? -1 : Syscalls::fsync(fd); }
  int ftruncate(int fd, off_t length) override {
    return intercept() ? -1 : Syscalls::ftruncate(fd, length);
  }
  int rename(const char* from, const char* to) override {
    return intercept() ? -1 : Syscalls::rename(from, to);
  }
  int unlink(const char* path) override { return intercept() ? -1 : Syscalls::unlink(path); }

 private:
  static int fail() {
    errno = EIO;
    return -1;
  }
  bool intercept() {
    ++calls_;
    const bool hit = crash_at_ != 0 && (once_ ? calls_ == crash_at_ : calls_ >= crash_at_);
    if (hit) {
      crashed_ = true;
      errno = EIO;
    }
    return hit;
  }

  uint64_t crash_at_ = 0;
  uint64_t calls_ = 0;
  bool once_ = false;
  bool crashed_ = false;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// One-event commits over many small segments, with effective times that lag their recorded
// times by varying amounts (every seventh is backdated to the start), so that the time index
// has something to answer.
void write_history(const fs::path& dir, int events = kEvents) {
  auto writer = open_writer(dir, test_options(kSmallSegmentBytes));
  for (int i = 0; i < events; ++i) {
    const std::string payload = fmt::format("event-{}-{}", i, std::string(i % 13, 'x'));
    const int64_t effective = i % 7 == 0 ? kStartNs : kStartNs + int64_t{i} * 500'000'000;
    const Record r = record_of(payload, 1, effective);
    auto info = writer->append(std::span(&r, 1));
    REQUIRE(info);
  }
}

std::vector<SegmentFile> segments_of(const fs::path& dir) {
  auto listed = list_segments(dir);
  REQUIRE(listed);
  return *listed;
}

// What the time index answers for a spread of recorded and effective cutoffs.
std::vector<LogPosition> index_answers(const fs::path& dir) {
  auto ti = TimeIndex::load(real_syscalls(), segments_of(dir));
  REQUIRE_MESSAGE(ti, ti.status().message());
  std::vector<LogPosition> answers;
  for (int64_t s = -5; s < kEvents + 50; s += 7) {
    const int64_t t = kStartNs + s * 1'000'000'000;
    answers.push_back(ti->seek_recorded_after(t));
    for (const LogRange& r : ti->ranges_effective_at_or_before(t)) {
      answers.push_back(r.from);
      answers.push_back(r.to);
    }
  }
  answers.push_back(ti->end());
  return answers;
}

// Every file under `dir`, by its path relative to it (the lock excepted: it is no data).
std::set<std::string> files_under(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const std::string name = fs::relative(entry.path(), dir).string();
    if (entry.is_regular_file() && name != kLockFileName) names.insert(name);
  }
  return names;
}

void copy_dir(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

// The events from sequence `first` on.
std::vector<Event> from_seq(const std::vector<Event>& events, uint64_t first) {
  std::vector<Event> out;
  for (const Event& e : events) {
    if (e.seq >= first) out.push_back(e);
  }
  return out;
}

Result<ArchiveReport> run(const fs::path& dir, uint64_t before_seq, ArchiveMode mode,
                          LogOptions options = test_options(kSmallSegmentBytes)) {
  auto writer = open_writer(dir, std::move(options));
  return writer->archive_segments(before_seq, mode);
}

// Appends one event with a fresh writer and checks that it reads back after `events`.
void check_appends(const fs::path& dir, std::vector<Event> events) {
  auto writer = open_writer(dir, test_options(kSmallSegmentBytes));
  append_events(*writer, 1, "after-");
  events.push_back({events.empty() ? 1 : events.back().seq + 1, 1, 1, 0, "after-0"});
  CHECK(read_events(dir) == events);
}

TEST_SUITE("archive") {
  TEST_CASE("archived segments read back every event, and the time index answers the same") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<Event> events = read_events(dir.path());
    const std::vector<LogPosition> answers = index_answers(dir.path());
    const std::vector<SegmentFile> before = segments_of(dir.path());
    REQUIRE(before.size() > 6);
    const uint64_t before_seq = before[5].base_seq;

    std::vector<ArchiveProgress> steps;
    auto writer = open_writer(dir.path(), test_options(kSmallSegmentBytes));
    auto report = writer->archive_segments(before_seq, ArchiveMode::kArchive,
                                           [&](const ArchiveProgress& p) { steps.push_back(p); });
    REQUIRE_MESSAGE(report, report.status().message());
    CHECK(report->segments == 5);
    CHECK(report->bytes_out < report->bytes_in);
    CHECK(report->first_seq == 1);
    REQUIRE(steps.size() == 5);
    CHECK(steps.back().segments_done == 5);
    CHECK(steps.back().segments_total == 5);
    CHECK(steps.front().segment == "archive/00000000000000000001.seg.zst");

    const std::vector<SegmentFile> after = segments_of(dir.path());
    REQUIRE(after.size() == before.size());
    for (size_t i = 0; i < after.size(); ++i) {
      CAPTURE(i);
      CHECK(after[i].base_seq == before[i].base_seq);
      CHECK(after[i].archived == (i < 5));
      CHECK(fs::exists(before[i].path) == (i >= 5));
      if (i < 5)
        CHECK(fs::exists(dir.path() / "archive" / (before[i].path.filename().string() + ".zst")));
    }
    CHECK(read_events(dir.path()) == events);
    auto reader = LogReader::open(dir.path());
    REQUIRE(reader);
    CHECK(reader->first_seq() == 1);

    // The indexes moved with their segments: nothing is rebuilt, and every answer is the same.
    auto ti = TimeIndex::load(real_syscalls(), segments_of(dir.path()));
    REQUIRE(ti);
    CHECK(ti->rebuilt() == 0);
    CHECK(index_answers(dir.path()) == answers);
    // Without the stored indexes, they are rebuilt from the archives, with the same answers.
    for (const SegmentFile& s : after) fs::remove(index_path(s));
    CHECK(index_answers(dir.path()) == answers);

    // The writer goes on, and its next sealed segments are indexed as before.
    append_events(*writer, 60, "more-");
    CHECK(read_events(dir.path()).size() == events.size() + 60);
    writer.reset();
    check_appends(dir.path(), read_events(dir.path()));
  }

  TEST_CASE("the zone found from names alone is the newest segment's, live or archived") {
    TempDir dir;
    auto none = recorded_zone(real_syscalls(), dir.path() / "none");
    REQUIRE(none);
    CHECK(*none == std::optional<std::string>());
    LogOptions options = test_options(kSmallSegmentBytes);
    options.zone = "Europe/Paris";
    auto writer = open_writer(dir.path(), options);
    append_events(*writer, 400, "e-");
    const std::vector<SegmentFile> live = segments_of(dir.path());
    REQUIRE(live.size() > 6);
    const fs::path kept = dir.path() / "kept.seg";
    fs::copy_file(live[4].path, kept);
    REQUIRE(writer->archive_segments(live[5].base_seq, ArchiveMode::kArchive, nullptr));
    writer.reset();
    auto by_name = recorded_zone(real_syscalls(), dir.path());
    REQUIRE(by_name);
    CHECK(*by_name == std::optional<std::string>("Europe/Paris"));
    CHECK(*by_name == *recorded_zone(real_syscalls(), segments_of(dir.path())));

    // With the live segments gone, the newest archived one answers (list_segments agrees).
    for (size_t i = 5; i < live.size(); ++i) fs::remove(live[i].path);
    by_name = recorded_zone(real_syscalls(), dir.path());
    REQUIRE(by_name);
    CHECK(*by_name == std::optional<std::string>("Europe/Paris"));
    // The newest both live and archived (a crash between the two steps of archiving): the live
    // copy answers, as list_segments keeps it; its damaged archived copy is not read.
    const fs::path archived_copy = segments_of(dir.path()).back().path;
    fs::rename(kept, live[4].path);
    fs::resize_file(archived_copy, 10);
    REQUIRE(!segments_of(dir.path()).back().archived);
    by_name = recorded_zone(real_syscalls(), dir.path());
    REQUIRE_MESSAGE(by_name, by_name.status().message());
    CHECK(*by_name == std::optional<std::string>("Europe/Paris"));
    // A damaged newest segment is reported, as the listed version reports it.
    fs::remove(live[4].path);
    REQUIRE(segments_of(dir.path()).back().archived);
    CHECK(!recorded_zone(real_syscalls(), dir.path()));
    CHECK(!recorded_zone(real_syscalls(), segments_of(dir.path())));
  }

  TEST_CASE("a commit that spans archived and live segments reads back whole") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path(), test_options(kSmallSegmentBytes));
      append_events(*writer, 3, "single-");
      std::vector<std::string> payloads;
      for (int i = 0; i < 300; ++i) {
        payloads.push_back(fmt::format("big-{}-{}", i, std::string(60, 'b')));
      }
      REQUIRE(writer->begin());
      for (size_t i = 0; i < payloads.size(); ++i) {
        if (i % 10 == 0) writer->end_frame();
        REQUIRE(writer->add(record_of(payloads[i])));
      }
      REQUIRE(writer->commit());
      append_events(*writer, 3, "late-");
    }
    const std::vector<Event> events = read_events(dir.path());
    const std::vector<LogPosition> answers = index_answers(dir.path());
    const std::vector<SegmentFile> before = segments_of(dir.path());
    REQUIRE(before.size() > 4);
    // The commit's first segments go to the archive, its last ones stay live.
    auto report = run(dir.path(), before[3].base_seq, ArchiveMode::kArchive);
    REQUIRE(report);
    CHECK(report->segments == 3);
    CHECK(read_events(dir.path()) == events);
    CHECK(index_answers(dir.path()) == answers);
  }

  TEST_CASE("archiving is idempotent") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<Event> events = read_events(dir.path());
    const uint64_t before_seq = events.back().seq;  // Every sealed segment.
    auto first = run(dir.path(), before_seq, ArchiveMode::kArchive);
    REQUIRE_MESSAGE(first, first.status().message());
    CHECK(first->segments == segments_of(dir.path()).size() - 1);
    const std::set<std::string> layout = files_under(dir.path());
    const auto archived = snapshot_dir(dir.path() / "archive");

    auto second = run(dir.path(), before_seq, ArchiveMode::kArchive);
    REQUIRE(second);
    CHECK(second->segments == 0);
    CHECK(second->bytes_out == 0);
    CHECK(files_under(dir.path()) == layout);
    CHECK(snapshot_dir(dir.path() / "archive") == archived);
    CHECK(read_events(dir.path()) == events);
    // The newest segment is never archived.
    CHECK_FALSE(segments_of(dir.path()).back().archived);
  }

  TEST_CASE("a segment both live and archived is read live, and the next run removes the copy") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<Event> events = read_events(dir.path());
    const std::vector<SegmentFile> live = segments_of(dir.path());
    const std::string first_bytes = read_bytes(live[0].path);
    REQUIRE(run(dir.path(), live[3].base_seq, ArchiveMode::kArchive));

    // As a crash between the two steps of archiving would leave it.
    write_bytes(live[0].path, first_bytes);
    std::vector<SegmentFile> listed = segments_of(dir.path());
    CHECK_FALSE(listed[0].archived);
    CHECK(listed[1].archived);
    CHECK(read_events(dir.path()) == events);
    // A damaged archive copy does not matter while the live file is there.
    const fs::path copy = archived_segment_path(dir.path(), live[0].base_seq);
    flip_bit(copy, 8 * (fs::file_size(copy) - 3));
    CHECK(read_events(dir.path()) == events);

    auto report = run(dir.path(), 1, ArchiveMode::kArchive);
    REQUIRE(report);
    CHECK(report->segments == 0);
    CHECK(report->stale_removed == 1);
    CHECK_FALSE(fs::exists(copy));
    CHECK(fs::exists(live[0].path));
    CHECK(read_events(dir.path()) == events);
  }

  TEST_CASE("a segment archived between a reader's listing and its open is read from the copy") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<SegmentFile> listed = segments_of(dir.path());
    REQUIRE_FALSE(listed[0].archived);
    const std::string live_bytes = read_bytes(listed[0].path);

    // Compaction finishes just as the reader opens the file it listed: the live segment is
    // unlinked after any check the reader made of it, before its open reaches the kernel.
    class ArchivedAtOpen : public Syscalls {
     public:
      ArchivedAtOpen(fs::path dir, const SegmentFile& first, uint64_t next_base)
          : dir_(std::move(dir)), live_(first.path), next_base_(next_base) {}
      int open(const char* path, int flags, mode_t mode) override {
        if (path == live_.string() && fs::exists(live_)) {
          auto report = run(dir_, next_base_, ArchiveMode::kArchive);
          REQUIRE(report);
          REQUIRE(report->segments == 1);
          REQUIRE_FALSE(fs::exists(live_));
          ++archived;
        }
        return Syscalls::open(path, flags, mode);
      }
      int archived = 0;

     private:
      fs::path dir_, live_;
      uint64_t next_base_;
    };

    ArchivedAtOpen sys(dir.path(), listed[0], listed[1].base_seq);
    auto source = SegmentSource::open(sys, listed[0]);
    REQUIRE_MESSAGE(source, source.status().message());
    CHECK(sys.archived == 1);
    std::string bytes(live_bytes.size(), '\0');
    auto got =
        source->read_at(0, std::span(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size()));
    REQUIRE(got);
    CHECK(*got == live_bytes.size());
    CHECK(bytes == live_bytes);

    // The head reader takes the same way to the copy.
    write_bytes(listed[0].path, live_bytes);
    ArchivedAtOpen again(dir.path(), listed[0], listed[1].base_seq);
    REQUIRE(run(dir.path(), 1, ArchiveMode::kArchive));  // Removes the stale copy first.
    // The size of a live segment comes from the file system, without an open.
    auto size = segment_size(again, listed[0]);
    REQUIRE_MESSAGE(size, size.status().message());
    CHECK(again.archived == 0);
    CHECK(*size == live_bytes.size());
    auto head = read_segment_head(again, listed[0], 16);
    REQUIRE(head);
    CHECK(again.archived == 1);
    CHECK(std::string(head->begin(), head->end()) == live_bytes.substr(0, 16));
    // Once it is gone from where it was listed, its size comes from the copy's header.
    REQUIRE_FALSE(fs::exists(listed[0].path));
    auto archived_size = segment_size(again, listed[0]);
    REQUIRE_MESSAGE(archived_size, archived_size.status().message());
    CHECK(*archived_size == live_bytes.size());
  }

  TEST_CASE("a listed segment that is gone from both places is not found, and named") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<SegmentFile> listed = segments_of(dir.path());
    fs::remove(listed[0].path);
    auto source = SegmentSource::open(real_syscalls(), listed[0]);
    REQUIRE_FALSE(source);
    CHECK(source.status().code() == ErrorCode::kNotFound);
    CHECK(contains(source.status().message(), listed[0].path.string()));
  }

  TEST_CASE("a purge deletes the oldest segments and the log starts at the first one left") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<Event> events = read_events(dir.path());
    const std::vector<SegmentFile> before = segments_of(dir.path());
    REQUIRE(run(dir.path(), before[2].base_seq, ArchiveMode::kArchive));
    // Purging archived and live segments alike; the cut is a segment boundary.
    const uint64_t first_kept = before[4].base_seq;
    auto report = run(dir.path(), first_kept + 3, ArchiveMode::kPurge);
    REQUIRE_MESSAGE(report, report.status().message());
    CHECK(report->segments == 4);
    CHECK(report->first_seq == first_kept);
    CHECK(fs::exists(dir.path() / "PURGED"));
    for (size_t i = 0; i < 4; ++i) {
      CHECK_FALSE(fs::exists(before[i].path));
      CHECK_FALSE(fs::exists(archived_segment_path(dir.path(), before[i].base_seq)));
      CHECK_FALSE(fs::exists(index_path(before[i])));
    }
    CHECK(segments_of(dir.path()).front().base_seq == first_kept);

    auto reader = LogReader::open(dir.path());
    REQUIRE_MESSAGE(reader, reader.status().message());
    CHECK(reader->first_seq() == first_kept);
    CHECK(read_events(dir.path()) == from_seq(events, first_kept));
    REQUIRE(TimeIndex::load(real_syscalls(), segments_of(dir.path())));
    check_appends(dir.path(), from_seq(events, first_kept));

    // A second purge to the same point changes nothing; a later one moves the start on.
    const auto layout = files_under(dir.path());
    auto again = run(dir.path(), first_kept + 3, ArchiveMode::kPurge);
    REQUIRE(again);
    CHECK(again->segments == 0);
    CHECK(files_under(dir.path()) == layout);
    auto later = run(dir.path(), before[6].base_seq, ArchiveMode::kPurge);
    REQUIRE(later);
    CHECK(later->segments == 2);
    CHECK(LogReader::open(dir.path())->first_seq() == before[6].base_seq);
  }

  TEST_CASE("the writer that purged goes on: it appends, rolls, and abandons a rolling commit") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<SegmentFile> before = segments_of(dir.path());
    const uint64_t first_kept = before[4].base_seq;
    auto writer = open_writer(dir.path(), test_options(kSmallSegmentBytes));
    auto report = writer->archive_segments(first_kept, ArchiveMode::kPurge);
    REQUIRE(report);
    CHECK(report->segments == 4);
    append_events(*writer, 80, "more-");
    const std::vector<Event> kept = read_events(dir.path());
    CHECK(kept.front().seq == first_kept);
    const auto layout = snapshot_dir(dir.path());

    // A commit that rolls segments and is given up is cut back to exactly the layout before.
    REQUIRE(writer->begin());
    std::vector<std::string> payloads;
    for (int i = 0; i < 120; ++i)
      payloads.push_back(fmt::format("dropped-{}-{}", i, std::string(80, 'd')));
    for (size_t i = 0; i < payloads.size(); ++i) {
      if (i % 10 == 0) writer->end_frame();
      REQUIRE(writer->add(record_of(payloads[i])));
    }
    CHECK(snapshot_dir(dir.path()) != layout);
    REQUIRE(writer->abandon());
    CHECK(snapshot_dir(dir.path()) == layout);
    append_events(*writer, 1, "last-");
    std::vector<Event> expected = kept;
    expected.push_back({kept.back().seq + 1, 1, 1, 0, "last-0"});
    CHECK(read_events(dir.path()) == expected);

    // And it archives what it sealed since, with the same events read back.
    auto archived = writer->archive_segments(expected.back().seq, ArchiveMode::kArchive);
    REQUIRE(archived);
    CHECK(archived->segments > 2);
    CHECK(archived->first_seq == first_kept);
    CHECK(read_events(dir.path()) == expected);
    writer.reset();
    check_appends(dir.path(), expected);
  }

  TEST_CASE("a purge never leaves the log starting inside a commit") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path(), test_options(kSmallSegmentBytes));
      append_events(*writer, 3, "single-");
      // One commit of many frames that spans several segments.
      std::vector<std::string> payloads;
      for (int i = 0; i < 200; ++i)
        payloads.push_back(fmt::format("big-{}-{}", i, std::string(60, 'b')));
      REQUIRE(writer->begin());
      for (size_t i = 0; i < payloads.size(); ++i) {
        if (i % 10 == 0) writer->end_frame();
        REQUIRE(writer->add(record_of(payloads[i])));
      }
      REQUIRE(writer->commit());
      append_events(*writer, 100, "late-");
    }
    const std::vector<Event> events = read_events(dir.path());
    const std::vector<SegmentFile> before = segments_of(dir.path());
    REQUIRE(before.size() > 5);
    // Sequence 204 is the first event after the big commit (3 singles, 200 in the commit).
    REQUIRE(before[1].base_seq < 204);
    auto report = run(dir.path(), 204, ArchiveMode::kPurge);
    REQUIRE(report);
    // The segments that end inside the big commit stay, with the one where it begins: the log
    // starts at a single (1 to 3), at the big commit (4), or after it.
    const uint64_t first = report->first_seq;
    CHECK((first <= 4 || first >= 204));
    CHECK(first < before.back().base_seq);
    CHECK(read_events(dir.path()) == from_seq(events, first));
    // Segments 1 and 2 both end inside the big commit, so no purge ends there.
    CHECK(first != before[1].base_seq);
    CHECK(first != before[2].base_seq);
  }

  TEST_CASE("a missing first segment is corruption unless the PURGED marker accounts for it") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<SegmentFile> before = segments_of(dir.path());
    const auto expect_missing = [&](const std::string& name) {
      auto reader = LogReader::open(dir.path());
      REQUIRE_FALSE(reader);
      CHECK(reader.status().code() == ErrorCode::kCorruption);
      CHECK_MESSAGE(contains(reader.status().message(), "segment " + name + " is missing"),
                    reader.status().message());
      RecoveryReport report;
      auto writer = LogWriter::open(dir.path(), test_options(kSmallSegmentBytes), report);
      REQUIRE_FALSE(writer);
      CHECK(writer.status().code() == ErrorCode::kCorruption);
    };

    SUBCASE("without a marker") {
      fs::remove(before[0].path);
      expect_missing("00000000000000000001.seg");
    }
    SUBCASE("beyond what the marker says was purged") {
      REQUIRE(run(dir.path(), before[2].base_seq, ArchiveMode::kPurge));
      fs::remove(before[2].path);
      expect_missing(before[2].path.filename().string());
    }
    SUBCASE("a marker whose chain the first segment does not link to") {
      REQUIRE(run(dir.path(), before[2].base_seq, ArchiveMode::kPurge));
      const fs::path marker = dir.path() / "PURGED";
      auto decoded = decode_purge_marker(bytes_of(read_bytes(marker)));
      REQUIRE(decoded);
      decoded->chain ^= 1;
      const Bytes forged = encode_purge_marker(*decoded);
      write_bytes(marker, std::string(forged.begin(), forged.end()));
      auto reader = LogReader::open(dir.path());
      REQUIRE_FALSE(reader);
      CHECK(contains(reader.status().message(), "PURGED"));
    }
    SUBCASE("a damaged marker") {
      REQUIRE(run(dir.path(), before[2].base_seq, ArchiveMode::kPurge));
      flip_bit(dir.path() / "PURGED", 70);
      auto reader = LogReader::open(dir.path());
      REQUIRE_FALSE(reader);
      CHECK(reader.status().code() == ErrorCode::kCorruption);
      CHECK(contains(reader.status().message(), "PURGED"));
    }
  }

  TEST_CASE("a flipped byte in an archive file is corruption that names the file") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<SegmentFile> before = segments_of(dir.path());
    REQUIRE(run(dir.path(), before[3].base_seq, ArchiveMode::kArchive));
    const fs::path victim = archived_segment_path(dir.path(), before[1].base_seq);
    const std::string name = "archive/" + victim.filename().string();
    const std::string pristine = read_bytes(victim);
    // In the archive header, at the start of the zstd frame, in its middle and near its end.
    for (const uint64_t at : {uint64_t{9}, uint64_t{kArchiveHeaderSize + 5},
                              uint64_t{pristine.size() / 2}, uint64_t{pristine.size() - 2}}) {
      CAPTURE(at);
      write_bytes(victim, pristine);
      flip_bit(victim, at * 8 + 2);
      auto reader = LogReader::open(dir.path());
      REQUIRE(reader);
      Status failure;
      for (;;) {
        auto frame = reader->next();
        if (!frame) {
          failure = frame.status();
          break;
        }
        if (*frame == nullptr) break;
      }
      CHECK(failure.code() == ErrorCode::kCorruption);
      CHECK_MESSAGE(contains(failure.message(), name), failure.message());
      // The time index reads the archive's header and, when rebuilding, the whole of it.
      fs::remove(index_path({before[1].base_seq, victim, true}));
      auto ti = TimeIndex::load(real_syscalls(), segments_of(dir.path()));
      REQUIRE_FALSE(ti);
      CHECK(contains(ti.status().message(), name));
    }
  }

  TEST_CASE(
      "a crash at any system call of archive_segments leaves a readable log that a second "
      "run completes") {
    for (const auto& [mode, once] :
         {std::pair{ArchiveMode::kArchive, false}, std::pair{ArchiveMode::kPurge, false},
          std::pair{ArchiveMode::kArchive, true}, std::pair{ArchiveMode::kPurge, true}}) {
      const bool purge = mode == ArchiveMode::kPurge;
      CAPTURE(purge);
      CAPTURE(once);
      TempDir source;
      write_history(source.path());
      const std::vector<Event> events = read_events(source.path());
      const std::vector<SegmentFile> segments = segments_of(source.path());
      REQUIRE(segments.size() > 6);
      if (purge) {
        // Some segments archived already, so that purging meets both kinds.
        REQUIRE(run(source.path(), segments[2].base_seq, ArchiveMode::kArchive));
      }
      const uint64_t before_seq = segments[5].base_seq;
      TempDir scratch;
      const fs::path reference = scratch / "reference";
      copy_dir(source.path(), reference);
      REQUIRE(run(reference, before_seq, mode));
      const std::set<std::string> final_layout = files_under(reference);
      const std::vector<Event> final_events = read_events(reference);

      uint64_t crashes = 0;
      for (uint64_t n = 1;; ++n) {
        CAPTURE(n);
        REQUIRE(n < 500);
        const fs::path dir = scratch / fmt::format("crash-{}", n);
        copy_dir(source.path(), dir);
        CrashingSyscalls sys;
        LogOptions options = test_options(kSmallSegmentBytes);
        options.syscalls = &sys;
        auto writer = open_writer(dir, options);
        sys.crash_at(n, once);
        auto report = writer->archive_segments(before_seq, mode);
        if (!sys.crashed()) {
          REQUIRE(report);
          break;
        }
        ++crashes;
        // A passing error in derived data (an index) is shrugged off; any other stops the run.
        // After a failed write or sync the writer refuses to go on, as after a failed commit.
        // (A failed open for reading comes back from the cursor as corruption of that segment:
        // nothing was written, so the writer may go on.)
        if (!report) {
          const ErrorCode code = report.status().code();
          CHECK((code == ErrorCode::kIoError || code == ErrorCode::kCorruption));
          if (code == ErrorCode::kIoError) CHECK_FALSE(writer->begin());
        }
        CHECK((once || !report));
        writer.reset();

        // Readable as it is, with the same events, or (purging) the same events from a
        // segment boundary no later than where the purge was going.
        std::vector<Event> seen;
        REQUIRE_NOTHROW(seen = read_events(dir));
        REQUIRE_FALSE(seen.empty());
        if (purge) {
          CHECK(seen.front().seq <= before_seq);
          CHECK(seen == from_seq(events, seen.front().seq));
        } else {
          CHECK(seen == events);
        }
        REQUIRE(TimeIndex::load(real_syscalls(), segments_of(dir)));

        // A second run finishes the job: the same layout and events as an uncrashed run.
        auto second = run(dir, before_seq, mode);
        REQUIRE_MESSAGE(second, second.status().message());
        CHECK(files_under(dir) == final_layout);
        CHECK(read_events(dir) == final_events);
        check_appends(dir, final_events);
        fs::remove_all(dir);
      }
      CHECK(crashes > 30);
    }
  }

  TEST_CASE("archive files hold the segment's exact bytes") {
    TempDir dir;
    write_history(dir.path());
    const std::vector<SegmentFile> before = segments_of(dir.path());
    const std::string bytes = read_bytes(before[0].path);
    REQUIRE(run(dir.path(), before[1].base_seq, ArchiveMode::kArchive));
    auto restored = read_archived_segment(real_syscalls(),
                                          archived_segment_path(dir.path(), before[0].base_seq));
    REQUIRE(restored);
    CHECK(std::string(restored->begin(), restored->end()) == bytes);
    auto head = read_segment_head(real_syscalls(), segments_of(dir.path())[0], kSegmentHeaderSize);
    REQUIRE(head);
    CHECK(std::string(head->begin(), head->end()) == bytes.substr(0, kSegmentHeaderSize));
    auto size = segment_size(real_syscalls(), segments_of(dir.path())[0]);
    REQUIRE(size);
    CHECK(*size == bytes.size());
  }
}

}  // namespace
}  // namespace ledger::store::testing
