#include <doctest/doctest.h>

#include "log_fixture.h"
#include "store/time_index.h"

using namespace ledger;
using namespace ledger::store;
using namespace ledger::store::testing;

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kDay = 86'400 * kSecond;
constexpr int64_t kStart = 1767225600LL * kSecond;  // 2026-01-01T00:00:00Z

// 3,000 one-event commits, one recorded per hour; most effective when recorded, every 100th
// backdated by 30 days.
void write_history(const fs::path& dir, uint64_t segment_size) {
  auto options = test_options(segment_size);
  auto now = std::make_shared<int64_t>(kStart);
  options.clock_ns = [now] { return *now += 3600 * kSecond; };
  auto writer = open_writer(dir, options);
  for (int i = 0; i < 3000; ++i) {
    const int64_t recorded = kStart + (i + 1) * 3600 * kSecond;
    const int64_t effective = i % 100 == 99 ? recorded - 30 * kDay : recorded;
    const std::string payload = fmt::format("event-{:04}-padding-padding-padding", i);
    const Record r{1, 1, effective, bytes_of(payload)};
    REQUIRE(writer->append(std::span(&r, 1)));
  }
}

// All frames read from `from` up to `to` (or the end), as (recorded, effective_min) pairs.
std::vector<std::pair<int64_t, int64_t>> frames_between(const TimeIndex& index, LogPosition from,
                                                        std::optional<LogPosition> to = {}) {
  LogReader reader(real_syscalls(), index.segment_files(), from);
  std::vector<std::pair<int64_t, int64_t>> frames;
  while (auto frame = *reader.next()) {
    if (to && (frame->segment > to->segment ||
               (frame->segment == to->segment && frame->offset >= to->offset))) {
      break;
    }
    frames.emplace_back(frame->header.recorded_ns, frame->header.effective_min_ns);
  }
  return frames;
}

}  // namespace

TEST_SUITE("time index") {
  TEST_CASE("seek_recorded_after lands at or before the first frame recorded after T") {
    TempDir dir;
    write_history(dir.path(), 32 * 1024);
    auto index = TimeIndex::load(real_syscalls(), *list_segments(dir.path()));
    REQUIRE(index);
    REQUIRE(index->segments().size() > 5);
    const auto all = frames_between(*index, LogPosition{0, 0, 1, 0});
    REQUIRE(all.size() == 3000);
    for (const int64_t t : {kStart - 1, kStart + 500 * 3600 * kSecond + 1, kStart + 1234 * 3600 * kSecond,
                            kStart + 2999 * 3600 * kSecond, kStart + 3000 * 3600 * kSecond}) {
      CAPTURE(t);
      const LogPosition at = index->seek_recorded_after(t);
      const auto frames = frames_between(*index, at);
      size_t after = 0;
      for (auto [recorded, _] : all) after += recorded > t;
      size_t after_seen = 0;
      for (auto [recorded, _] : frames) after_seen += recorded > t;
      CHECK(after_seen == after);
      // The seek skips nearly everything before t: at most one block of frames at or before it.
      CHECK(frames.size() - after_seen <= kIndexStrideBytes / 100);
    }
  }

  TEST_CASE("effective ranges cover every frame effective at or before T and skip most others") {
    TempDir dir;
    write_history(dir.path(), 256 * 1024);
    auto index = TimeIndex::load(real_syscalls(), *list_segments(dir.path()));
    REQUIRE(index);
    const int64_t t = kStart + 200 * 3600 * kSecond;
    size_t expected = 0, recorded_soon_after = 0;
    for (auto [recorded, effective] : frames_between(*index, LogPosition{0, 0, 1, 0})) {
      expected += effective <= t;
      recorded_soon_after += recorded <= t + 30 * kDay;
    }
    REQUIRE(expected > 100);
    size_t found = 0, read = 0;
    for (const LogRange& range : index->ranges_effective_at_or_before(t)) {
      for (auto [recorded, effective] : frames_between(*index, range.from, range.to)) {
        ++read;
        found += effective <= t;
      }
    }
    CHECK(found == expected);
    // Only blocks holding an event that reaches back to t are read: those recorded before t
    // plus 30 days (the furthest backdating), give or take the block that straddles.
    const size_t frames_per_block = kIndexStrideBytes / 100;
    CHECK(read <= recorded_soon_after + 2 * frames_per_block);
    CHECK(read < 3000 / 2);
  }

  TEST_CASE("a missing or stale index file is rebuilt, never trusted") {
    TempDir dir;
    write_history(dir.path(), 32 * 1024);
    auto segments = *list_segments(dir.path());
    auto first = TimeIndex::load(real_syscalls(), segments);
    REQUIRE(first);
    CHECK(first->rebuilt() == 0);  // The writer indexed each segment it sealed.
    const fs::path idx = index_path(segments[1]);
    REQUIRE(fs::exists(idx));
    fs::remove(idx);
    // A stale index: claims a different file size.
    auto stored = decode_segment_index(bytes_of(read_bytes(index_path(segments[2]))));
    REQUIRE(stored);
    stored->file_size += 1;
    const Bytes stale = encode_segment_index(*stored);
    write_bytes(index_path(segments[2]), std::string(stale.begin(), stale.end()));
    // A damaged one.
    flip_bit(index_path(segments[3]), 200);
    auto second = TimeIndex::load(real_syscalls(), segments);
    REQUIRE(second);
    CHECK(second->rebuilt() == 3);
    CHECK(second->segments() == first->segments());
    CHECK(fs::exists(idx));
  }

  TEST_CASE("an index file round trips") {
    TempDir dir;
    write_history(dir.path(), 32 * 1024);
    auto segments = *list_segments(dir.path());
    auto built = build_segment_index(real_syscalls(), segments, 0);
    REQUIRE(built);
    CHECK(built->frames > 10);
    CHECK(built->entries.size() >= 1);
    auto decoded = decode_segment_index(encode_segment_index(*built));
    REQUIRE(decoded);
    CHECK(*decoded == *built);
  }
}
