#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "log_fixture.h"
#include "store/time_index.h"

using namespace ledger;
using namespace ledger::store;
using namespace ledger::store::testing;

namespace {

// Writes `frames` frames of an unfinished commit in a child process that then dies without
// committing or abandoning, as a crash mid-import would.
void crash_mid_commit(const fs::path& dir, LogOptions options, int frames) {
  const pid_t pid = fork();
  if (pid == 0) {
    RecoveryReport report;
    auto writer = LogWriter::open(dir, options, report);
    if (!writer || !(*writer)->begin()) _exit(2);
    for (int i = 0; i < frames; ++i) {
      if (!add_event(**writer, fmt::format("never-committed-{}", i))) _exit(3);
      (*writer)->end_frame();
    }
    // One more add writes the last closed frame out.
    if (!add_event(**writer, "x")) _exit(4);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace

TEST_SUITE("recovery") {
  TEST_CASE("truncating the tail at every offset inside the last two frames keeps the complete "
            "frames before the cut") {
    TempDir source;
    {
      auto writer = open_writer(source.path());
      append_events(*writer, 4, "ev-");
    }
    const auto spans = frame_spans(source.path());
    REQUIRE(spans.size() == 4);
    const fs::path segment = spans.back().segment;
    const std::string original = read_bytes(segment);
    const uint64_t start = spans[2].offset;
    for (uint64_t cut = start; cut < original.size(); ++cut) {
      CAPTURE(cut);
      TempDir dir;
      const fs::path copy = dir / segment.filename().string();
      write_bytes(copy, original.substr(0, cut));
      const size_t complete = cut >= spans[3].offset ? 3 : 2;
      const RecoveryReport report = reopen(dir.path());
      CHECK(report.cut == (cut != spans[2].offset && cut != spans[3].offset));
      CHECK(fs::file_size(copy) == (complete == 3 ? spans[3].offset : spans[2].offset));
      auto events = read_events(dir.path());
      CHECK(events.size() == complete);
      auto writer = open_writer(dir.path());
      append_events(*writer, 1, "after-");
      events = read_events(dir.path());
      REQUIRE(events.size() == complete + 1);
      CHECK(events.back().payload == "after-0");
      CHECK(events.back().seq == complete + 1);
    }
  }

  TEST_CASE("zeros and garbage past the tail are cut and never decoded") {
    for (const bool zeros : {true, false}) {
      CAPTURE(zeros);
      TempDir dir;
      {
        auto writer = open_writer(dir.path());
        append_events(*writer, 3);
      }
      const fs::path segment = segment_paths(dir.path()).back();
      const uint64_t size = fs::file_size(segment);
      std::string tail(4096, '\0');
      if (!zeros) {
        std::mt19937 rng(7);
        for (char& c : tail) c = static_cast<char>(rng());
      }
      append_raw(segment, tail);
      CHECK(read_events(dir.path()).size() == 3);
      const RecoveryReport report = reopen(dir.path());
      CHECK(report.cut);
      CHECK(report.bytes_cut == 4096);
      CHECK(report.describe().find("cut 4096 bytes") != std::string::npos);
      CHECK(fs::file_size(segment) == size);
      CHECK(read_events(dir.path()).size() == 3);
    }
  }

  TEST_CASE("a commit killed before its last frame is invisible and cut back to the byte") {
    TempDir dir;
    const auto options = test_options();
    {
      auto writer = open_writer(dir.path(), options);
      append_events(*writer, 5);
    }
    const auto before = snapshot_dir(dir.path());
    crash_mid_commit(dir.path(), options, 50);
    CHECK(snapshot_dir(dir.path()) != before);
    CHECK(read_events(dir.path()).size() == 5);
    const RecoveryReport report = reopen(dir.path(), options);
    CHECK(report.cut);
    CHECK(report.frames_cut == 50);
    CHECK(report.events_cut == 50);
    auto after = snapshot_dir(dir.path());
    after.erase("LOCK");
    auto expected = before;
    expected.erase("LOCK");
    CHECK(after == expected);
  }

  TEST_CASE("an unfinished commit spanning segment rolls is cut, newest segments removed") {
    TempDir dir;
    const auto options = test_options(2048);
    {
      auto writer = open_writer(dir.path(), options);
      append_events(*writer, 5);
    }
    auto before = snapshot_dir(dir.path());
    before.erase("LOCK");
    const size_t segments_before = segment_paths(dir.path()).size();
    crash_mid_commit(dir.path(), options, 300);
    CHECK(segment_paths(dir.path()).size() > segments_before + 3);
    CHECK(read_events(dir.path()).size() == 5);
    // A reader meanwhile indexed the segments that the unfinished commit had sealed; recovery
    // must not leave those indexes behind.
    REQUIRE(TimeIndex::load(real_syscalls(), *list_segments(dir.path())));
    CHECK(fs::exists(index_path(list_segments(dir.path())->at(segments_before))));
    const RecoveryReport report = reopen(dir.path(), options);
    CHECK(report.cut);
    CHECK(report.segments_removed > 3);
    auto after = snapshot_dir(dir.path());
    after.erase("LOCK");
    CHECK(after == before);
    auto writer = open_writer(dir.path(), options);
    CHECK(writer->last_seq() == 5);
    append_events(*writer, 2, "next-");
    CHECK(read_events(dir.path()).size() == 7);
  }

  TEST_CASE("the very first commit, unfinished, leaves an empty log") {
    TempDir dir;
    crash_mid_commit(dir.path(), test_options(), 10);
    const RecoveryReport report = reopen(dir.path());
    CHECK(report.cut);
    CHECK(read_events(dir.path()).empty());
    auto writer = open_writer(dir.path());
    CHECK(writer->last_seq() == 0);
    append_events(*writer, 1);
    CHECK(read_events(dir.path()).size() == 1);
  }

  TEST_CASE("an abandoned commit leaves the directory byte-for-byte as it was") {
    TempDir dir;
    auto writer = open_writer(dir.path(), test_options(2048));
    append_events(*writer, 5);
    const auto before = snapshot_dir(dir.path());
    REQUIRE(writer->begin());
    for (int i = 0; i < 300; ++i) {
      REQUIRE(add_event(*writer, fmt::format("bad-import-{}", i)));
      writer->end_frame();
    }
    REQUIRE(writer->abandon());
    CHECK(snapshot_dir(dir.path()) == before);
    append_events(*writer, 1, "good-");
    const auto events = read_events(dir.path());
    REQUIRE(events.size() == 6);
    CHECK(events.back().payload == "good-0");
  }
}
