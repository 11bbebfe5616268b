#include <doctest/doctest.h>

#include <random>

#include "log_fixture.h"
#include "util/endian.h"

using namespace ledger;
using namespace ledger::store;
using namespace ledger::store::testing;

namespace {

// Opening for writing must fail with corruption, name the place, and change nothing.
void expect_refused_as_corrupt(const fs::path& dir, const std::string& where) {
  auto before = snapshot_dir(dir);
  before.erase("LOCK");
  RecoveryReport report;
  auto writer = LogWriter::open(dir, test_options(), report);
  REQUIRE_FALSE(writer);
  CHECK(writer.status().code() == ErrorCode::kCorruption);
  CHECK(writer.status().message().find(where) != std::string::npos);
  auto after = snapshot_dir(dir);
  after.erase("LOCK");
  CHECK(after == before);
  CHECK_THROWS(read_events(dir));
}

// Recomputes a frame's own checksum after an edit, as a careless or malicious editor would.
void reseal_frame(const fs::path& segment, uint64_t offset) {
  std::string bytes = read_bytes(segment);
  auto* p = reinterpret_cast<unsigned char*>(bytes.data()) + offset;
  const uint32_t length = util::get<uint32_t>(p + 12);
  const uint64_t seed = util::get<uint64_t>(p + 16);
  util::put<uint64_t>(p, checksum(ByteView(p + 8, length - 8), seed));
  write_bytes(segment, bytes);
}

}  // namespace

TEST_SUITE("damage") {
  TEST_CASE("every bit flip of a small tail frame is detected and the frame is cut, never read") {
    TempDir source;
    {
      auto writer = open_writer(source.path());
      append_events(*writer, 3, "payload-");
    }
    const auto spans = frame_spans(source.path());
    const FrameSpan tail = spans.back();
    const std::string original = read_bytes(tail.segment);
    for (uint64_t bit = tail.offset * 8; bit < (tail.offset + tail.length) * 8; ++bit) {
      CAPTURE(bit);
      TempDir dir;
      const fs::path copy = dir / tail.segment.filename().string();
      write_bytes(copy, original);
      flip_bit(copy, bit);
      const auto events = read_events(dir.path());
      REQUIRE(events.size() == 2);
      CHECK(events[1].payload == "payload-1");
      const RecoveryReport report = reopen(dir.path());
      CHECK(report.cut);
      CHECK(fs::file_size(copy) == tail.offset);
    }
  }

  TEST_CASE("every bit flip of a small frame followed by good frames is corruption, never cut") {
    TempDir source;
    {
      auto writer = open_writer(source.path());
      append_events(*writer, 4, "payload-");
    }
    const auto spans = frame_spans(source.path());
    const FrameSpan victim = spans[1];
    const std::string original = read_bytes(victim.segment);
    for (uint64_t bit = victim.offset * 8; bit < (victim.offset + victim.length) * 8; ++bit) {
      CAPTURE(bit);
      TempDir dir;
      const fs::path copy = dir / victim.segment.filename().string();
      write_bytes(copy, original);
      flip_bit(copy, bit);
      expect_refused_as_corrupt(dir.path(), fmt::format("offset {}", victim.offset));
    }
  }

  TEST_CASE("a random sample of bit flips in a large frame is always detected") {
    TempDir source;
    {
      auto writer = open_writer(source.path(), test_options(64u << 20));
      std::vector<std::string> payloads;
      for (int i = 0; i < 20'000; ++i) payloads.push_back(fmt::format("large-frame-event-{}", i));
      std::vector<Record> records;
      for (const auto& p : payloads) records.push_back(record_of(p));
      REQUIRE(writer->append(records));
      append_events(*writer, 1, "after-");
    }
    const auto spans = frame_spans(source.path());
    REQUIRE(spans.size() == 2);
    const std::string original = read_bytes(spans[0].segment);
    std::mt19937_64 rng(2026);
    for (int trial = 0; trial < 200; ++trial) {
      const uint64_t bit = spans[0].offset * 8 + rng() % (uint64_t{spans[0].length} * 8);
      CAPTURE(bit);
      TempDir dir;
      const fs::path copy = dir / spans[0].segment.filename().string();
      write_bytes(copy, original);
      flip_bit(copy, bit);
      auto reader = LogReader::open(dir.path());
      auto frame = reader->next();
      REQUIRE_FALSE(frame);
      CHECK(frame.status().code() == ErrorCode::kCorruption);
    }
  }

  TEST_CASE("an edited frame with its own checksum recomputed is caught by the chain") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path());
      append_events(*writer, 4, "amount=100-");
    }
    const auto spans = frame_spans(dir.path());
    std::string bytes = read_bytes(spans[1].segment);
    const size_t at = bytes.find("amount=100-1");
    REQUIRE(at != std::string::npos);
    bytes[at + 7] = '9';  // amount=900
    write_bytes(spans[1].segment, bytes);
    reseal_frame(spans[1].segment, spans[1].offset);
    expect_refused_as_corrupt(dir.path(), "chain");
  }

  TEST_CASE("the last frame edited and resealed is caught by the chain too") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path());
      append_events(*writer, 3, "v-");
    }
    const auto spans = frame_spans(dir.path());
    // Edit the frame before the last: the last frame, intact, no longer chains to it.
    std::string bytes = read_bytes(spans[1].segment);
    const size_t at = bytes.find("v-1");
    bytes[at] = 'w';
    write_bytes(spans[1].segment, bytes);
    reseal_frame(spans[1].segment, spans[1].offset);
    expect_refused_as_corrupt(dir.path(), fmt::format("offset {}", spans[2].offset));
  }

  TEST_CASE("a dropped frame or two swapped frames break the chain") {
    for (const bool swap : {false, true}) {
      CAPTURE(swap);
      TempDir dir;
      {
        auto writer = open_writer(dir.path());
        append_events(*writer, 4);
      }
      const auto spans = frame_spans(dir.path());
      std::string bytes = read_bytes(spans[0].segment);
      const std::string one = bytes.substr(spans[1].offset, spans[1].length);
      const std::string two = bytes.substr(spans[2].offset, spans[2].length);
      const std::string middle = swap ? two + one : two;
      bytes = bytes.substr(0, spans[1].offset) + middle + bytes.substr(spans[3].offset);
      write_bytes(spans[0].segment, bytes);
      expect_refused_as_corrupt(dir.path(), fmt::format("offset {}", spans[1].offset));
    }
  }

  TEST_CASE("a damaged sealed segment is corruption even at its end") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path(), test_options(256));
      append_events(*writer, 12);
    }
    const auto segments = segment_paths(dir.path());
    REQUIRE(segments.size() > 2);
    shrink_to(segments[0], fs::file_size(segments[0]) - 3);
    auto reader = LogReader::open(dir.path());
    Result<const FrameRef*> frame = nullptr;
    while ((frame = reader->next()) && *frame != nullptr) {
    }
    REQUIRE_FALSE(frame);
    CHECK(frame.status().message().find(segments[0].filename().string()) != std::string::npos);
    // The writer checks only the tail it recovers (opening must stay fast on huge logs); it
    // never cuts sealed data, and readers and `ledger verify` report the damage.
    const std::string damaged = read_bytes(segments[0]);
    const RecoveryReport report = reopen(dir.path(), test_options(256));
    CHECK_FALSE(report.cut);
    CHECK(read_bytes(segments[0]) == damaged);
  }
}

TEST_SUITE("damage") {
  TEST_CASE("a damaged middle frame of a complete many-frame commit is corruption, not a short "
            "commit") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path());
      append_events(*writer, 2, "before-");
      REQUIRE(writer->begin());
      for (int i = 0; i < 30; ++i) {
        REQUIRE(add_event(*writer, fmt::format("batch-{}", i)));
        writer->end_frame();
      }
      REQUIRE(writer->commit());
    }
    const auto spans = frame_spans(dir.path());
    REQUIRE(spans.size() == 32);
    // A payload byte of a frame in the middle of the commit: its header is intact, so a reader
    // skimming headers to find the commit's end still finds it.
    flip_bit(spans[15].segment, (spans[15].offset + spans[15].length - 1) * 8);
    auto reader = LogReader::open(dir.path());
    size_t delivered = 0;
    Result<const FrameRef*> frame = nullptr;
    while ((frame = reader->next()) && *frame != nullptr) ++delivered;
    REQUIRE_FALSE(frame);
    CHECK(frame.status().code() == ErrorCode::kCorruption);
    CHECK(frame.status().message().find(fmt::format("offset {}", spans[15].offset)) !=
          std::string::npos);
    CHECK(delivered == 15);
    expect_refused_as_corrupt(dir.path(), fmt::format("offset {}", spans[15].offset));
  }
}
