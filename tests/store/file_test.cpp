// The system-call seam under fire: short writes, EINTR, failed writes and syncs. A fault-injecting
// Syscalls stands in for the kernel, and every test checks what a later writer or reader finds.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "faulty_syscalls.h"
#include "log_fixture.h"

namespace ledger::store::testing {
namespace {

LogOptions options_with(FaultySyscalls& sys, uint64_t segment_size = 1u << 20) {
  LogOptions options = test_options(segment_size);
  options.syscalls = &sys;
  return options;
}

// The segment files of `dir`, in log order. (Not log_fixture.h's segment_paths(): its range-for
// runs over a Result temporary that is already destroyed, which g++ 12 rejects under -Werror.)
std::vector<fs::path> segments_in(const fs::path& dir) {
  auto listed = list_segments(dir);
  REQUIRE(listed);
  std::vector<fs::path> paths;
  for (const SegmentFile& s : *listed) paths.push_back(s.path);
  return paths;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// `frames * per_frame` distinct payloads of `size` bytes each.
std::vector<std::string> make_payloads(const std::string& prefix, int frames, int per_frame,
                                       size_t size) {
  std::vector<std::string> payloads;
  for (int i = 0; i < frames * per_frame; ++i) {
    std::string p = prefix + std::to_string(i) + ":";
    p.resize(size, static_cast<char>('a' + i % 26));
    payloads.push_back(std::move(p));
  }
  return payloads;
}

// Begins a commit and adds `payloads`, closing the frame after every `per_frame` of them; every
// frame but the last reaches the file before this returns.
Status add_in_frames(LogWriter& writer, const std::vector<std::string>& payloads, int per_frame) {
  LEDGER_RETURN_IF_ERROR(writer.begin());
  for (size_t i = 0; i < payloads.size(); ++i) {
    if (i > 0 && i % static_cast<size_t>(per_frame) == 0) writer.end_frame();
    LEDGER_RETURN_IF_ERROR(writer.add(record_of(payloads[i])));
  }
  return Status::ok();
}

Result<CommitInfo> commit_in_frames(LogWriter& writer, const std::vector<std::string>& payloads,
                                    int per_frame) {
  if (Status s = add_in_frames(writer, payloads, per_frame); !s) return s;
  return writer.commit();
}

// `events` followed by one event per payload, as record_of() makes them.
std::vector<Event> followed_by(std::vector<Event> events,
                               const std::vector<std::string>& payloads) {
  for (const std::string& p : payloads) {
    events.push_back({events.size() + 1, 1, 1, 0, p});
  }
  return events;
}

// The same history through any syscall layer: single commits, a multi-frame commit that rolls
// segments, an abandoned one that rolled too (so cut back through unlink and ftruncate), more.
void write_sample_history(const fs::path& dir, LogOptions options) {
  auto writer = open_writer(dir, std::move(options));
  append_events(*writer, 7, "single-");
  REQUIRE(commit_in_frames(*writer, make_payloads("kept-", 4, 12, 150), 12));
  REQUIRE(add_in_frames(*writer, make_payloads("dropped-", 4, 12, 150), 12));
  REQUIRE(writer->abandon());
  append_events(*writer, 5, "late-");
}

// A rolling commit: every frame is larger than the 4096-byte segments it goes into.
constexpr uint64_t kSmallSegmentBytes = 4096;
constexpr int kRollingFrames = 5;
constexpr int kRollingPerFrame = 20;
constexpr size_t kRollingPayloadBytes = 200;

TEST_SUITE("file") {
  TEST_CASE("for_each_name gives every name of a folder but . and .., and kNotFound for none") {
    TempDir dir;
    std::vector<std::string> made = {"00000000000000000001.seg", "a.tmp", ".hidden", "b"};
    for (const std::string& name : made) std::ofstream(dir / name) << "x";
    fs::create_directory(dir / "sub");
    made.push_back("sub");
    std::vector<std::string> seen;
    REQUIRE(for_each_name(dir.path(), [&](std::string_view name) { seen.emplace_back(name); }));
    std::sort(seen.begin(), seen.end());
    std::sort(made.begin(), made.end());
    CHECK(seen == made);
    const Status missing = for_each_name(dir / "none", [](std::string_view) { FAIL("called"); });
    CHECK(missing.code() == ErrorCode::kNotFound);
    CHECK(missing.message().find("none") != std::string::npos);
  }

  TEST_CASE("short writes and EINTR are looped over and the log is byte-identical") {
    TempDir normal;
    TempDir stuttering;
    FaultySyscalls sys;
    sys.limit_writes_to(7);
    sys.interrupt_every_other_call();

    write_sample_history(normal.path(), test_options(kSmallSegmentBytes));
    write_sample_history(stuttering.path(), options_with(sys, kSmallSegmentBytes));

    // The layer did what it promised, so the comparison below means something.
    CHECK(sys.largest_write() == 7);
    CHECK(sys.interruptions() >= sys.calls(Op::kPwrite) / 2);
    CHECK(sys.calls(Op::kPwrite) > 1000);
    CHECK(sys.faults_injected() == 0);
    CHECK(segments_in(stuttering.path()).size() > 2);

    const std::vector<Event> expected = read_events(normal.path());
    CHECK(expected.size() == 7 + 48 + 5);
    CHECK(read_events(stuttering.path()) == expected);
    CHECK(snapshot_dir(stuttering.path()) == snapshot_dir(normal.path()));
  }

  TEST_CASE(
      "a failed write names the file, fails every later call, and loses nothing acknowledged") {
    for (const int err : {EIO, ENOSPC}) {
      CAPTURE(err);
      TempDir dir;
      FaultySyscalls sys;
      sys.limit_writes_to(7);
      auto writer = open_writer(dir.path(), options_with(sys));
      append_events(*writer, 3, "acked-");
      const std::vector<Event> acked = read_events(dir.path());
      const fs::path segment = segments_in(dir.path()).back();
      const uintmax_t size_acked = fs::file_size(segment);

      // Three 7-byte pieces of the next frame reach the file, then the disk gives up.
      sys.fail_nth(Op::kPwrite, 4, err);
      const std::string lost_payload = "never-acknowledged";
      const Record lost = record_of(lost_payload);
      const auto failed = writer->append(std::span(&lost, 1));
      REQUIRE_FALSE(failed);
      CHECK(sys.faults_injected() == 1);
      CHECK(fs::file_size(segment) == size_acked + 21);
      const Status first = failed.status();
      CHECK(first.code() == ErrorCode::kIoError);
      CHECK(contains(first.message(), segment.string()));
      CHECK(contains(first.message(), std::strerror(err)));

      // The fault is gone, but the file's state is unknown: the writer refuses everything.
      const uint64_t writes_after_fault = sys.calls(Op::kPwrite);
      const Status begun = writer->begin();
      CHECK(begun.code() == first.code());
      CHECK(begun.message() == first.message());
      const std::string next_payload = "after-the-fault";
      const Record next = record_of(next_payload);
      const auto appended = writer->append(std::span(&next, 1));
      REQUIRE_FALSE(appended);
      CHECK(appended.status().code() == first.code());
      CHECK(appended.status().message() == first.message());
      CHECK(sys.calls(Op::kPwrite) == writes_after_fault);
      CHECK(read_events(dir.path()) == acked);
      writer.reset();

      RecoveryReport report;
      auto recovered = LogWriter::open(dir.path(), test_options(), report);
      REQUIRE(recovered);
      CHECK(report.cut);
      CHECK(report.bytes_cut == 21);
      CHECK(fs::file_size(segment) == size_acked);
      CHECK(read_events(dir.path()) == acked);
      append_events(**recovered, 1, "recovered-");
      CHECK(read_events(dir.path()) == followed_by(acked, {"recovered-0"}));
    }
  }

  TEST_CASE("a failed fdatasync is sticky and never retried") {
    // Fail each fdatasync of a rolling commit in turn: those that seal a segment before the
    // next one exists, the one before the commit's last frame, and the last one.
    const std::vector<std::string> payloads =
        make_payloads("big-", kRollingFrames, kRollingPerFrame, kRollingPayloadBytes);
    // record_of() keeps a view of its payload, so the payloads outlive the records.
    const std::string next_payload = "next";
    const Record next_record = record_of(next_payload);
    for (uint64_t n = 1;; ++n) {
      CAPTURE(n);
      REQUIRE(n < 100);
      TempDir dir;
      FaultySyscalls sys;
      auto writer = open_writer(dir.path(), options_with(sys, kSmallSegmentBytes));
      append_events(*writer, 3, "acked-");
      const std::vector<Event> acked = read_events(dir.path());

      sys.fail_nth(Op::kFdatasync, n, EIO);
      const auto result = commit_in_frames(*writer, payloads, kRollingPerFrame);
      if (result) {
        // Past the syncs of the log itself: only the best-effort index of a sealed segment
        // was hit, if anything; the commit is durable and whole, and the writer goes on.
        const bool index_hit = sys.faults_injected() > 0;
        sys.heal();
        CHECK(n > kRollingFrames);
        CHECK(read_events(dir.path()) == followed_by(acked, payloads));
        CHECK(writer->append(std::span(&next_record, 1)));
        if (!index_hit) break;
        continue;
      }
      CHECK(sys.faults_injected() == 1);
      const Status first = result.status();
      CHECK(first.code() == ErrorCode::kIoError);
      CHECK(contains(first.message(), "fdatasync"));
      CHECK(contains(first.message(), dir.path().string()));

      // No call that could change a file follows, not even a retried sync.
      const uint64_t syncs = sys.calls(Op::kFdatasync);
      const uint64_t mutating = sys.mutating_calls();
      const Status begun = writer->begin();
      CHECK(begun.code() == first.code());
      CHECK(begun.message() == first.message());
      const std::string late_payload = "after-the-fault";
      const Record late = record_of(late_payload);
      const auto appended = writer->append(std::span(&late, 1));
      REQUIRE_FALSE(appended);
      CHECK(appended.status().message() == first.message());
      CHECK_FALSE(writer->commit());
      (void)writer->abandon();
      writer.reset();
      CHECK(sys.calls(Op::kFdatasync) == syncs);
      CHECK(sys.mutating_calls() == mutating);

      // What the failed sync left behind may hold the commit (its bytes reached the page cache)
      // or not, but never a part of it, and never less than what was acknowledged.
      auto recovered = open_writer(dir.path());
      const std::vector<Event> seen = read_events(dir.path());
      const bool none = seen == acked;
      const bool all = seen == followed_by(acked, payloads);
      CHECK((none || all));
      append_events(*recovered, 1, "recovered-");
      CHECK(read_events(dir.path()) == followed_by(seen, {"recovered-0"}));
    }
  }

  TEST_CASE("a fault at any call of a rolling multi-frame commit leaves all of it or none of it") {
    const std::vector<std::string> payloads =
        make_payloads("big-", kRollingFrames, kRollingPerFrame, kRollingPayloadBytes);
    for (const Persistence persistence : {Persistence::kOnce, Persistence::kPersistent}) {
      uint64_t failures = 0;
      for (uint64_t n = 1;; ++n) {
        CAPTURE(persistence == Persistence::kPersistent);
        CAPTURE(n);
        REQUIRE(n < 1000);
        TempDir dir;
        {
          auto writer = open_writer(dir.path(), test_options(kSmallSegmentBytes));
          append_events(*writer, 5, "acked-");
        }
        const std::vector<Event> acked = read_events(dir.path());

        FaultySyscalls sys;
        sys.limit_writes_to(1500);  // So that a fault can also tear a frame in the middle.
        auto writer = open_writer(dir.path(), options_with(sys, kSmallSegmentBytes));
        sys.fail_nth_call(n, EIO, persistence);
        const auto result = commit_in_frames(*writer, payloads, kRollingPerFrame);
        const bool faulted = sys.faults_injected() > 0;
        if (!result) {
          ++failures;
          CHECK(faulted);
          CHECK(result.status().code() == ErrorCode::kIoError);
          CHECK(contains(result.status().message(), dir.path().string()));
          CHECK_FALSE(writer->begin());
        } else {
          CHECK(result->frames == static_cast<uint32_t>(kRollingFrames));
        }
        writer.reset();

        std::vector<Event> seen;
        CHECK_NOTHROW(seen = read_events(dir.path()));
        const bool none = seen == acked;
        const bool all = seen == followed_by(acked, payloads);
        CHECK((none || all));
        if (result) CHECK(all);

        // A new writer recovers the same log the reader saw, and goes on.
        RecoveryReport report;
        auto recovered = LogWriter::open(dir.path(), test_options(kSmallSegmentBytes), report);
        REQUIRE_MESSAGE(recovered, recovered.status().message());
        std::vector<Event> after;
        CHECK_NOTHROW(after = read_events(dir.path()));
        CHECK(after == seen);
        CHECK_NOTHROW(append_events(**recovered, 1, "recovered-"));
        CHECK_NOTHROW(after = read_events(dir.path()));
        CHECK(after == followed_by(seen, {"recovered-0"}));

        if (!faulted) {
          CHECK(result);
          break;
        }
      }
      // The commit went through enough calls for the loop to have tested something.
      CHECK(failures > 20);
    }
  }

  TEST_CASE(
      "abandoning a commit that rolled segments leaves the directory byte-for-byte as it was") {
    TempDir dir;
    auto writer = open_writer(dir.path(), test_options(kSmallSegmentBytes));
    append_events(*writer, 5, "acked-");
    // An earlier rolling commit, so that sealed segments and their indexes exist too.
    REQUIRE(commit_in_frames(*writer, make_payloads("kept-", 3, 20, 200), 20));
    append_events(*writer, 2, "more-");
    const std::vector<Event> acked = read_events(dir.path());
    const auto before = snapshot_dir(dir.path());
    const size_t segments_before = segments_in(dir.path()).size();

    REQUIRE(add_in_frames(
        *writer, make_payloads("dropped-", kRollingFrames, kRollingPerFrame, kRollingPayloadBytes),
        kRollingPerFrame));
    // Four frames are on disk and the commit rolled more than once, so there is work to undo.
    CHECK(segments_in(dir.path()).size() >= segments_before + 2);
    CHECK(snapshot_dir(dir.path()) != before);

    SUBCASE("by abandon()") {
      CHECK(writer->abandon());
      CHECK(snapshot_dir(dir.path()) == before);
      append_events(*writer, 1, "next-");
      CHECK(read_events(dir.path()) == followed_by(acked, {"next-0"}));
    }
    SUBCASE("by destroying the writer") {
      writer.reset();
      CHECK(snapshot_dir(dir.path()) == before);
      RecoveryReport report;
      auto reopened = LogWriter::open(dir.path(), test_options(kSmallSegmentBytes), report);
      REQUIRE(reopened);
      CHECK_FALSE(report.cut);
      CHECK(read_events(dir.path()) == acked);
    }
  }

  // Found by the power-loss mode of ledger_torture: the first commit of a new data directory
  // was acknowledged while the directory's own name had never been synced into its parent.
  TEST_CASE("a new data directory and its new parents are synced into their parents") {
    struct DirSyncRecorder : Syscalls {
      std::vector<std::string> opened_dirs, synced_dirs;
      int open(const char* path, int flags, mode_t mode) override {
        const int fd = Syscalls::open(path, flags, mode);
        if ((flags & O_DIRECTORY) != 0 && fd >= 0) fds[fd] = path;
        return fd;
      }
      int fsync(int fd) override {
        if (fds.count(fd)) synced_dirs.push_back(fds[fd]);
        return Syscalls::fsync(fd);
      }
      std::map<int, std::string> fds;
    } sys;
    TempDir root;
    const fs::path dir = root.path() / "a" / "b" / "data";
    LogOptions options = test_options();
    options.syscalls = &sys;
    auto writer = open_writer(dir, options);
    append_events(*writer, 1, "first-");
    for (const fs::path& parent : {root.path(), root.path() / "a", root.path() / "a" / "b"}) {
      INFO("parent " << parent.string());
      CHECK(std::count(sys.synced_dirs.begin(), sys.synced_dirs.end(), parent.string()) >= 1);
    }
    CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
  }
}
  TEST_CASE("read_small_file reads a file of the expected size in one read, and a larger one whole") {
    TempDir dir;
    auto write = [&](const std::string& name, size_t size) {
      Bytes bytes(size);
      for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(i * 7 + 1);
      REQUIRE(write_file_atomically(real_syscalls(), dir.path() / name, bytes));
      return bytes;
    };
    for (const size_t size : {size_t{0}, size_t{1}, size_t{99}, size_t{100}, size_t{101},
                              size_t{5000}}) {
      CAPTURE(size);
      const Bytes written = write("f" + std::to_string(size), size);
      FaultySyscalls sys;
      auto read = read_small_file(sys, dir.path() / ("f" + std::to_string(size)), 100);
      REQUIRE(read);
      CHECK(*read == written);
      // Up to the expected size: one read, and nothing asked of the file's size but that read.
      if (size <= 100) CHECK(sys.calls(Op::kPread) == 1);
    }
    FaultySyscalls failing;
    write("bad", 10);
    failing.fail_nth(Op::kPread, 1, EIO);
    auto failed = read_small_file(failing, dir.path() / "bad", 100);
    REQUIRE_FALSE(failed);
    CHECK(failed.status().code() == ErrorCode::kIoError);
    CHECK_FALSE(read_small_file(real_syscalls(), dir.path() / "missing", 100));
  }

  TEST_CASE("cached tells a page in memory from one that is not, and reads nothing for it") {
    TempDir dir;
    const Bytes bytes(3 * 4096, 7);
    REQUIRE(write_file_atomically(real_syscalls(), dir.path() / "f", bytes));
    auto file = File::open(real_syscalls(), dir.path() / "f", O_RDONLY);
    REQUIRE(file);
    CHECK_FALSE(File().cached(0));             // Not open.
    CHECK_FALSE(file->cached(bytes.size()));   // Past the end: nothing there to be cached.
    const bool told = file->cached(0);          // Just written: in memory, where it can tell.
    if (!told) {
      MESSAGE("this file system refuses reads with RWF_NOWAIT: cached() is always false there");
      return;
    }
    // Dropped from the cache (the file is synced, so clean), a page is not cached; the refused
    // read starts reading it, so the same page asked again later may be.
    REQUIRE(::posix_fadvise(file->fd(), 0, 0, POSIX_FADV_DONTNEED) == 0);
    unsigned char* map = static_cast<unsigned char*>(
        ::mmap(nullptr, bytes.size(), PROT_READ, MAP_SHARED, file->fd(), 0));
    REQUIRE(map != MAP_FAILED);
    unsigned char pages[3] = {};
    REQUIRE(::mincore(map, bytes.size(), pages) == 0);
    ::munmap(map, bytes.size());
    if ((pages[2] & 1) != 0) {
      MESSAGE("this file system keeps pages that were dropped (tmpfs?): the rest is skipped");
      return;
    }
    CHECK_FALSE(file->cached(2 * 4096));
  }

  TEST_CASE("FileBytes maps a file where it can and reads it where the disk is a test's") {
    TempDir dir;
    const fs::path path = dir.path() / "bytes";
    std::string text = "header:";
    for (int i = 0; i < 5000; ++i) text += std::to_string(i);  // Past one page.
    REQUIRE(write_file_atomically(real_syscalls(), path,
                                  ByteView(reinterpret_cast<const unsigned char*>(text.data()),
                                           text.size())));
    auto as_text = [](ByteView v) { return std::string(v.begin(), v.end()); };

    auto mapped = FileBytes::load(real_syscalls(), path);
    REQUIRE(mapped);
    CHECK(as_text(*mapped) == text);
    mapped->drop_front(7);
    CHECK(as_text(*mapped) == text.substr(7));
    // The mapping outlives the name (a compaction may delete a file a reader holds).
    REQUIRE(::unlink(path.c_str()) == 0);
    FileBytes moved = std::move(*mapped);
    CHECK(as_text(moved) == text.substr(7));

    REQUIRE(write_file_atomically(real_syscalls(), path,
                                  ByteView(reinterpret_cast<const unsigned char*>(text.data()),
                                           text.size())));
    FaultySyscalls faulty;
    auto read = FileBytes::load(faulty, path);
    REQUIRE(read);
    CHECK(faulty.calls(Op::kPread) >= 1);  // Read through the test's disk, not mapped past it.
    read->drop_front(7);
    FileBytes moved_read = std::move(*read);
    CHECK(as_text(moved_read) == text.substr(7));
    faulty.fail_nth(Op::kPread, 1, EIO);
    auto failed = FileBytes::load(faulty, path);
    REQUIRE(!failed);
    CHECK(failed.status().code() == ErrorCode::kIoError);

    const fs::path empty = dir.path() / "empty";
    REQUIRE(write_file_atomically(real_syscalls(), empty, ByteView()));
    auto nothing = FileBytes::load(real_syscalls(), empty);
    REQUIRE(nothing);
    CHECK(nothing->view().empty());
  }


}  // namespace
}  // namespace ledger::store::testing
