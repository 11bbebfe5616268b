#include <doctest/doctest.h>
#include <sys/stat.h>

#include "log_fixture.h"
#include "store/time_index.h"

using namespace ledger;
using namespace ledger::store;
using namespace ledger::store::testing;

namespace {

// The recorded time of every visible frame, in log order.
std::vector<int64_t> recorded_times(const fs::path& dir) {
  auto reader = LogReader::open(dir);
  std::vector<int64_t> times;
  while (auto frame = *reader->next()) times.push_back(frame->header.recorded_ns);
  return times;
}

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

}  // namespace

TEST_SUITE("log") {
  TEST_CASE("one event round trips, also after reopening") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path());
      CHECK(writer->last_seq() == 0);
      const Record r{3, 2, 1767225000LL * 1'000'000'000, bytes_of("deposit 500")};
      auto info = writer->append(std::span(&r, 1));
      REQUIRE(info);
      CHECK(info->seq_first == 1);
      CHECK(info->seq_last == 1);
      CHECK(writer->last_seq() == 1);
    }
    const std::vector<Event> expected{{1, 3, 2, 1767225000LL * 1'000'000'000, "deposit 500"}};
    CHECK(read_events(dir.path()) == expected);
    auto writer = open_writer(dir.path());
    CHECK(writer->last_seq() == 1);
    append_events(*writer, 1, "second");
    CHECK(read_events(dir.path()).size() == 2);
  }

  TEST_CASE("an empty or missing directory reads as an empty log") {
    TempDir dir;
    CHECK(read_events(dir.path()).empty());
    CHECK(read_events(dir / "absent").empty());
  }

  TEST_CASE("many frames round trip across writers") {
    TempDir dir;
    std::vector<Event> expected;
    uint64_t seq = 1;
    for (int round = 0; round < 3; ++round) {
      auto writer = open_writer(dir.path());
      for (int i = 0; i < 40; ++i) {
        std::vector<std::string> payloads;
        for (int k = 0; k <= i % 5; ++k) payloads.push_back(fmt::format("r{}-c{}-e{}", round, i, k));
        std::vector<Record> records;
        for (const auto& p : payloads) records.push_back(record_of(p, static_cast<uint16_t>(1 + i % 3)));
        REQUIRE(writer->append(records));
        for (const auto& p : payloads) expected.push_back({seq++, static_cast<uint16_t>(1 + i % 3), 1, 0, p});
      }
    }
    CHECK(read_events(dir.path()) == expected);
  }

  TEST_CASE("one frame of 100,000 events round trips") {
    TempDir dir;
    auto writer = open_writer(dir.path(), test_options(64u << 20));
    std::vector<std::string> payloads;
    for (int i = 0; i < 100'000; ++i) payloads.push_back(fmt::format("payload-{:06}", i));
    std::vector<Record> records;
    for (const auto& p : payloads) records.push_back(record_of(p));
    auto info = writer->append(records);
    REQUIRE(info);
    CHECK(info->frames == 1);
    CHECK(info->seq_last == 100'000);
    auto reader = LogReader::open(dir.path());
    auto frame = reader->next();
    REQUIRE(frame);
    REQUIRE(*frame != nullptr);
    CHECK((*frame)->header.count == 100'000);
    CHECK(*reader->next() == nullptr);
    const auto events = read_events(dir.path());
    REQUIRE(events.size() == 100'000);
    CHECK(events[99'999].payload == "payload-099999");
    CHECK(events[99'999].seq == 100'000);
  }

  TEST_CASE("a commit of many frames across segment rolls round trips") {
    TempDir dir;
    auto options = test_options(4096);
    std::vector<Event> expected;
    {
      auto writer = open_writer(dir.path(), options);
      append_events(*writer, 3, "before-");
      for (uint64_t s = 1; s <= 3; ++s) expected.push_back({s, 1, 1, 0, fmt::format("before-{}", s - 1)});
      REQUIRE(writer->begin(writer->last_seq()));
      for (int i = 0; i < 2000; ++i) {
        const std::string p = fmt::format("import-row-{}", i);
        REQUIRE(add_event(*writer, p));
        if (i % 10 == 9) writer->end_frame();
        expected.push_back({4 + static_cast<uint64_t>(i), 1, 1, 0, p});
      }
      auto info = writer->commit();
      REQUIRE(info);
      CHECK(info->frames == 200);
      CHECK(info->seq_first == 4);
      CHECK(info->seq_last == 2003);
    }
    const auto segments = segment_paths(dir.path());
    CHECK(segments.size() > 5);
    CHECK(read_events(dir.path()) == expected);
    // Every sealed segment got its time index once the commit was durable.
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
      const fs::path segment(segments[i]);
      CHECK(fs::exists(segment.parent_path() / "index" / segment.filename().replace_extension(".idx")));
    }
    RecoveryReport report;
    auto writer = LogWriter::open(dir.path(), options, report);
    REQUIRE(writer);
    CHECK_FALSE(report.cut);
    CHECK((*writer)->last_seq() == 2003);
  }

  TEST_CASE("frames a reader passes over come as headers only, and their bytes are not read") {
    TempDir dir;
    {
      // Frames of about 300 KB, more than a reader's first read takes in.
      auto writer = open_writer(dir.path(), test_options(64u << 20));
      REQUIRE(writer->begin(writer->last_seq()));
      for (int i = 0; i < 10000; ++i) {
        const std::string p = fmt::format("import-row-{:05}-{}", i, std::string(300, 'x'));
        REQUIRE(writer->add(record_of(p, 1, int64_t{i} * 100)));
        if (i % 1000 == 999) writer->end_frame();
      }
      REQUIRE(writer->commit());
    }
    auto read_all = [&dir](bool pass) {
      auto reader = LogReader::open(dir.path());
      REQUIRE(reader);
      // Frames whose events all take effect after 150,000 ns (the second frame on).
      if (pass) reader->pass_over([](const FrameHeader& h) { return h.effective_min_ns > 150'000; });
      std::vector<std::pair<uint64_t, size_t>> frames;  // First sequence, bytes delivered.
      for (;;) {
        auto frame = reader->next();
        REQUIRE(frame);
        if (*frame == nullptr) break;
        frames.emplace_back((*frame)->header.seq_first, (*frame)->bytes.size());
      }
      return std::pair(frames, reader->bytes_read());
    };
    const auto [whole, whole_read] = read_all(false);
    const auto [passed, passed_read] = read_all(true);
    REQUIRE(whole.size() == 10);
    REQUIRE(passed.size() == 10);
    for (size_t i = 0; i < whole.size(); ++i) {
      CAPTURE(i);
      CHECK(passed[i].first == whole[i].first);
      CHECK(whole[i].second > 0);
      // The first two frames hold events effective by then; the last ends the commit and is
      // always read whole (it proves the commit complete).
      const bool kept = i < 2 || i == 9;
      CHECK((passed[i].second == whole[i].second) == kept);
      CHECK((passed[i].second == 0) == !kept);
    }
    CHECK(passed_read * 2 < whole_read);
  }

  TEST_CASE("a reader sees nothing of a commit until its last frame is written") {
    TempDir dir;
    auto writer = open_writer(dir.path(), test_options(4096));
    append_events(*writer, 2);
    REQUIRE(writer->begin());
    for (int i = 0; i < 500; ++i) {
      REQUIRE(add_event(*writer, fmt::format("pending-{}", i)));
      writer->end_frame();
    }
    CHECK(read_events(dir.path()).size() == 2);
    REQUIRE(writer->commit());
    CHECK(read_events(dir.path()).size() == 502);
  }

  TEST_CASE("a stale expected version is refused and writes nothing") {
    TempDir dir;
    auto writer = open_writer(dir.path());
    append_events(*writer, 2);
    const auto before = snapshot_dir(dir.path());
    const std::string late = "late";
    const Record r = record_of(late);
    auto stale = writer->append(std::span(&r, 1), 1);
    REQUIRE_FALSE(stale);
    CHECK(stale.status().code() == ErrorCode::kConflict);
    CHECK(snapshot_dir(dir.path()) == before);
    CHECK(writer->append(std::span(&r, 1), 2));
  }

  TEST_CASE("recorded times never decrease even when the clock goes back") {
    TempDir dir;
    auto options = test_options();
    int64_t now = 5'000'000'000;
    options.clock_ns = [&now] { return now -= 1'000'000; };
    auto writer = open_writer(dir.path(), options);
    append_events(*writer, 5);
    const auto times = recorded_times(dir.path());
    REQUIRE(times.size() == 5);
    CHECK(std::is_sorted(times.begin(), times.end()));
  }

  TEST_CASE("an effective time after the recorded time is refused") {
    TempDir dir;
    auto writer = open_writer(dir.path());
    const Record future{1, 1, INT64_MAX, bytes_of("from the future")};
    auto result = writer->append(std::span(&future, 1));
    REQUIRE_FALSE(result);
    CHECK(result.status().code() == ErrorCode::kInvalidArgument);
    CHECK(read_events(dir.path()).empty());
    append_events(*writer, 1);
    CHECK(read_events(dir.path()).size() == 1);
  }

  TEST_CASE("an empty commit is refused") {
    TempDir dir;
    auto writer = open_writer(dir.path());
    REQUIRE(writer->begin());
    auto result = writer->commit();
    REQUIRE_FALSE(result);
    CHECK(result.status().code() == ErrorCode::kInvalidArgument);
    append_events(*writer, 1);
    CHECK(writer->last_seq() == 1);
  }

  TEST_CASE("the data directory is created owner-only, and so are its files") {
    TempDir dir;
    const fs::path data = dir / "nested" / "books";
    auto writer = open_writer(data);
    append_events(*writer, 1);
    CHECK(mode_of(data) == 0700);
    CHECK(mode_of(data / "LOCK") == 0600);
    CHECK(mode_of(segment_paths(data).front()) == 0600);
  }

  TEST_CASE("segment headers carry the previous segment's last sequence and checksum") {
    TempDir dir;
    auto writer = open_writer(dir.path(), test_options(256));
    append_events(*writer, 20);
    auto segments = *list_segments(dir.path());
    REQUIRE(segments.size() > 2);
    auto index = TimeIndex::load(real_syscalls(), segments);
    REQUIRE(index);
    for (size_t i = 1; i < segments.size(); ++i) {
      const std::string bytes = read_bytes(segments[i].path);
      auto header = decode_segment_header(bytes_of(bytes.substr(0, kSegmentHeaderSize)));
      REQUIRE(header);
      CHECK(header->prev_last_seq == index->segments()[i - 1].seq_last);
      CHECK(header->prev_checksum == index->segments()[i - 1].chain_last);
      CHECK(header->base_seq == segments[i].base_seq);
    }
  }
}
