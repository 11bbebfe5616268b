#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "log_fixture.h"
#include "store/snapshot_file.h"
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

// Publishes a snapshot file that ends at `frame` (its payload is opaque to the store).
void publish_snapshot_at(const fs::path& dir, const FrameMark& frame) {
  const SnapshotMeta meta{frame.seq_last,    frame.checksum,    frame.segment_base,
                          frame.offset,      frame.next_offset, frame.recorded_ns,
                          frame.effective_max_ns, 0,            0};
  REQUIRE(write_snapshot(real_syscalls(), dir, meta, bytes_of("state")));
}

// Flips a bit in the payload of the first frame: damage that only a scan from the segment's
// start can meet.
void damage_first_frame(const fs::path& dir) {
  const auto spans = frame_spans(dir);
  REQUIRE(!spans.empty());
  flip_bit(spans.front().segment, (spans.front().offset + spans.front().length - 12) * 8);
}

bool writer_refuses(const fs::path& dir) {
  RecoveryReport report;
  auto writer = LogWriter::open(dir, test_options(), report);
  return !writer && writer.status().code() == ErrorCode::kCorruption;
}

}  // namespace

TEST_SUITE("recovery") {
  TEST_CASE("with a snapshot in the newest segment, the tail is scanned from the snapshot's "
            "frame on") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path());
      append_events(*writer, 3, "before-");
      publish_snapshot_at(dir.path(), *writer->last_frame());
      append_events(*writer, 2, "after-");
    }
    const fs::path segment = segment_paths(dir.path()).back();
    const uint64_t size = fs::file_size(segment);
    append_raw(segment, std::string(100, '\x5a'));
    damage_first_frame(dir.path());
    // The damage before the snapshot's frame is not read; the torn tail after it is cut.
    const RecoveryReport report = reopen(dir.path());
    CHECK(report.cut);
    CHECK(report.bytes_cut == 100);
    CHECK(fs::file_size(segment) == size);
    // Without the snapshot the scan starts at the segment's header and meets the damage.
    fs::remove_all(dir.path() / kSnapshotDirName);
    CHECK(writer_refuses(dir.path()));
  }

  TEST_CASE("a snapshot inside an unfinished-looking commit is no shortcut: the scan must find "
            "the commit's end") {
    TempDir dir;
    const auto options = test_options();
    {
      auto writer = open_writer(dir.path(), options);
      append_events(*writer, 2, "before-");
      REQUIRE(writer->begin());
      for (int i = 0; i < 6; ++i) {
        REQUIRE(add_event(*writer, fmt::format("import-{}", i)));
        writer->end_frame();
        if (i == 2) {
          REQUIRE(writer->flush_frame());
          publish_snapshot_at(dir.path(), *writer->last_frame());
        }
      }
      REQUIRE(writer->commit());
    }
    crash_mid_commit(dir.path(), options, 4);
    damage_first_frame(dir.path());
    // The import's commit end is found after the snapshot's frame, so the scan starts there:
    // the damage before it is not met, and the unfinished commit is cut.
    RecoveryReport report = reopen(dir.path(), options);
    CHECK(report.cut);
    CHECK(report.frames_cut == 4);
    // A snapshot whose commit never ended (written by hand here, as no writer would) leaves the
    // scan to the segment's start, which meets the damage.
    TempDir other;
    {
      auto writer = open_writer(other.path(), options);
      append_events(*writer, 2, "before-");
      REQUIRE(writer->begin());
      for (int i = 0; i < 3; ++i) {
        REQUIRE(add_event(*writer, fmt::format("import-{}", i)));
        writer->end_frame();
      }
      REQUIRE(writer->flush_frame());
      publish_snapshot_at(other.path(), *writer->last_frame());
      REQUIRE(add_event(*writer, "import-end"));
      REQUIRE(writer->commit());
    }
    const auto spans = frame_spans(other.path());
    REQUIRE(spans.size() == 6);
    shrink_to(spans.back().segment, spans.back().offset);  // The commit's end frame is gone.
    damage_first_frame(other.path());
    CHECK(writer_refuses(other.path()));
  }

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
    const auto before = testing::snapshot_dir(dir.path());
    crash_mid_commit(dir.path(), options, 50);
    CHECK(testing::snapshot_dir(dir.path()) != before);
    CHECK(read_events(dir.path()).size() == 5);
    const RecoveryReport report = reopen(dir.path(), options);
    CHECK(report.cut);
    CHECK(report.frames_cut == 50);
    CHECK(report.events_cut == 50);
    auto after = testing::snapshot_dir(dir.path());
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
    auto before = testing::snapshot_dir(dir.path());
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
    auto after = testing::snapshot_dir(dir.path());
    after.erase("LOCK");
    CHECK(after == before);
    auto writer = open_writer(dir.path(), options);
    CHECK(writer->last_seq() == 5);
    append_events(*writer, 2, "next-");
    CHECK(read_events(dir.path()).size() == 7);
  }

  TEST_CASE("a segment sealed ahead of its first frame stays, and the log ends at its start") {
    TempDir dir;
    const auto options = test_options();
    {
      auto writer = open_writer(dir.path(), options);
      append_events(*writer, 5);
      REQUIRE(writer->seal_newest());
      CHECK(writer->newest_segment_bytes() == kSegmentHeaderSize);
      // Sealing an empty segment again, or inside a commit, does nothing or is refused.
      REQUIRE(writer->seal_newest());
      REQUIRE(writer->begin());
      CHECK(writer->seal_newest().code() == ErrorCode::kInternal);
      REQUIRE(writer->abandon());
    }
    auto paths = segment_paths(dir.path());
    REQUIRE(paths.size() == 2);
    CHECK(fs::file_size(paths.back()) == kSegmentHeaderSize);
    // The sealed segment has its time index already.
    CHECK(fs::exists(index_path(list_segments(dir.path())->front())));
    const auto before = testing::snapshot_dir(dir.path());
    const RecoveryReport report = reopen(dir.path(), options);
    CHECK_FALSE(report.cut);
    CHECK(report.segments_removed == 0);
    auto after = testing::snapshot_dir(dir.path());
    after.erase("LOCK");
    auto expected = before;
    expected.erase("LOCK");
    CHECK(after == expected);
    auto writer = open_writer(dir.path(), options);
    CHECK(writer->last_seq() == 5);
    append_events(*writer, 2, "next-");
    CHECK(segment_paths(dir.path()).size() == 2);
    CHECK(fs::file_size(segment_paths(dir.path()).back()) > kSegmentHeaderSize);
    CHECK(read_events(dir.path()).size() == 7);
  }

  TEST_CASE("indexes kept beside their segments move into index/, and a seal clears its temps") {
    TempDir dir;
    const auto options = test_options();
    {
      auto writer = open_writer(dir.path(), options);
      append_events(*writer, 5);
      REQUIRE(writer->seal_newest());
    }
    const SegmentFile sealed = list_segments(dir.path())->front();
    const fs::path idx = index_path(sealed);
    REQUIRE(idx.parent_path() == dir.path() / "index");
    const std::string bytes = read_bytes(idx);
    // As versions before index/ left them: the index, and an .acx and .eff, in the data folder.
    const fs::path loose = dir.path() / idx.filename();
    fs::rename(idx, loose);
    write_bytes(fs::path(loose).replace_extension(".acx"), "acx");
    write_bytes(fs::path(loose).replace_extension(".eff"), "eff");
    write_bytes(dir.path() / "index" / "00000000000000000001.acx.99.tmp", "left by a crash");
    std::vector<fs::path> loose_found;
    REQUIRE(list_segments(dir.path(), nullptr, &loose_found));
    CHECK(loose_found.size() == 3);
    const RecoveryReport report = reopen(dir.path(), options);
    CHECK_FALSE(report.cut);
    CHECK_FALSE(fs::exists(loose));
    CHECK(read_bytes(idx) == bytes);
    CHECK(read_bytes(fs::path(idx).replace_extension(".acx")) == "acx");
    CHECK(read_bytes(fs::path(idx).replace_extension(".eff")) == "eff");
    loose_found.clear();
    REQUIRE(list_segments(dir.path(), nullptr, &loose_found));
    CHECK(loose_found.empty());
    // Recovery does not list index/; the next seal removes what a crash left there.
    CHECK(fs::exists(dir.path() / "index" / "00000000000000000001.acx.99.tmp"));
    auto writer = open_writer(dir.path(), options);
    append_events(*writer, 2, "next-");
    REQUIRE(writer->seal_newest());
    CHECK_FALSE(fs::exists(dir.path() / "index" / "00000000000000000001.acx.99.tmp"));
    CHECK(read_events(dir.path()).size() == 7);
  }

  TEST_CASE("a commit that never ended after a seal is cut back to the begun segment's header") {
    TempDir dir;
    const auto options = test_options();
    {
      auto writer = open_writer(dir.path(), options);
      append_events(*writer, 5);
      REQUIRE(writer->seal_newest());
    }
    crash_mid_commit(dir.path(), options, 3);
    const fs::path begun = segment_paths(dir.path()).back();
    CHECK(fs::file_size(begun) > kSegmentHeaderSize);
    const RecoveryReport report = reopen(dir.path(), options);
    CHECK(report.cut);
    CHECK(report.frames_cut == 3);
    CHECK(report.segments_removed == 0);
    REQUIRE(segment_paths(dir.path()).size() == 2);
    CHECK(fs::file_size(begun) == kSegmentHeaderSize);
    auto writer = open_writer(dir.path(), options);
    CHECK(writer->last_seq() == 5);
    writer.reset();
    // A damaged header there is corruption, not a segment to drop.
    write_bytes(begun, read_bytes(begun).replace(24, 1, 1, '\x7f'));
    CHECK(writer_refuses(dir.path()));
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
    const auto before = testing::snapshot_dir(dir.path());
    REQUIRE(writer->begin());
    for (int i = 0; i < 300; ++i) {
      REQUIRE(add_event(*writer, fmt::format("bad-import-{}", i)));
      writer->end_frame();
    }
    REQUIRE(writer->abandon());
    CHECK(testing::snapshot_dir(dir.path()) == before);
    append_events(*writer, 1, "good-");
    const auto events = read_events(dir.path());
    REQUIRE(events.size() == 6);
    CHECK(events.back().payload == "good-0");
  }
}
