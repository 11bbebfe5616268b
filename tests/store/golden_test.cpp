// A log written by format version 1 is kept in tests/golden/v1 and read back by every later
// version of the reader. Its expected.txt is written by hand from the records write_golden
// appends (kExpected below), never by the reader. To regenerate the segments (only ever while
// the format is still version 1):
//   LEDGER_WRITE_GOLDEN=tests/golden/v1 build/tests/golden_test
#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>

#include "log_fixture.h"

using namespace ledger;
using namespace ledger::store;
using namespace ledger::store::testing;

namespace {

const fs::path kGolden = fs::path(LEDGER_TEST_DATA) / "golden" / "v1";

// The golden log's content: single-event commits, a many-frame commit across a segment roll,
// and backdated effective times.
void write_golden(const fs::path& dir) {
  auto writer = open_writer(dir, test_options(512));
  const int64_t day = 86'400LL * 1'000'000'000;
  const int64_t start = 1767225600LL * 1'000'000'000;
  for (int i = 0; i < 5; ++i) {
    const std::string payload = fmt::format("single-{}", i);
    const Record r{static_cast<uint16_t>(1 + i % 3), 1, start - i * day, bytes_of(payload)};
    REQUIRE(writer->append(std::span(&r, 1)));
  }
  REQUIRE(writer->begin());
  for (int i = 0; i < 12; ++i) {
    const std::string payload = fmt::format("batch-{}", i);
    REQUIRE(writer->add({7, 2, start - 40 * day + i, bytes_of(payload)}));
    if (i % 4 == 3) writer->end_frame();
  }
  REQUIRE(writer->commit());
}

// What the reader must give back, "seq type version effective_ns payload", written by hand from
// write_golden: start is 2026-01-01T00:00:00Z = 1767225600 s; single-i is type 1 + i % 3 at
// start - i days (86400 s); batch-i is type 7 version 2 at start - 40 days (1763769600 s) + i ns.
constexpr const char* kExpected =
    "1 1 1 1767225600000000000 single-0\n"
    "2 2 1 1767139200000000000 single-1\n"
    "3 3 1 1767052800000000000 single-2\n"
    "4 1 1 1766966400000000000 single-3\n"
    "5 2 1 1766880000000000000 single-4\n"
    "6 7 2 1763769600000000000 batch-0\n"
    "7 7 2 1763769600000000001 batch-1\n"
    "8 7 2 1763769600000000002 batch-2\n"
    "9 7 2 1763769600000000003 batch-3\n"
    "10 7 2 1763769600000000004 batch-4\n"
    "11 7 2 1763769600000000005 batch-5\n"
    "12 7 2 1763769600000000006 batch-6\n"
    "13 7 2 1763769600000000007 batch-7\n"
    "14 7 2 1763769600000000008 batch-8\n"
    "15 7 2 1763769600000000009 batch-9\n"
    "16 7 2 1763769600000000010 batch-10\n"
    "17 7 2 1763769600000000011 batch-11\n";

std::string describe(const std::vector<Event>& events) {
  std::ostringstream out;
  for (const Event& e : events) {
    out << e.seq << ' ' << e.type << ' ' << e.version << ' ' << e.effective_ns << ' ' << e.payload
        << '\n';
  }
  return out.str();
}

std::map<std::string, std::string> segment_files(const fs::path& dir) {
  auto files = snapshot_dir(dir);
  std::erase_if(files, [](const auto& kv) { return !kv.first.ends_with(".seg"); });
  return files;
}

}  // namespace

TEST_SUITE("golden") {
  TEST_CASE("the format version has not changed without a new golden fixture") {
    // Fails, rather than passing quietly, when kFormatVersion moves on: a new version needs its
    // own golden ledger (tests/golden/vN-ledger, written by the commands listed with its test in
    // tests/e2e/golden_ledger_test.cpp, answers worked out by hand), then this number raised.
    CHECK_MESSAGE(kFormatVersion == 2, "format version " << kFormatVersion
                                                         << " has no golden fixture yet");
    for (uint32_t v = 1; v <= kFormatVersion; ++v) {
      CHECK_MESSAGE(fs::exists(kGolden.parent_path() / fmt::format("v{}-ledger", v)),
                    "no golden ledger for format version " << v);
    }
  }

  TEST_CASE("the version 1 golden log reads back with its recorded content") {
    if (const char* out = std::getenv("LEDGER_WRITE_GOLDEN")) {
      fs::remove_all(out);
      write_golden(out);
      for (const auto& entry : fs::directory_iterator(out)) {
        if (!entry.path().string().ends_with(".seg")) fs::remove(entry.path());
      }
      write_bytes(fs::path(out) / "expected.txt", kExpected);
    }
    REQUIRE(fs::exists(kGolden / "expected.txt"));
    CHECK(read_bytes(kGolden / "expected.txt") == kExpected);
    REQUIRE(segment_files(kGolden).size() >= 2);
    const auto events = read_events(kGolden);
    CHECK(events.size() == 17);
    CHECK(describe(events) == kExpected);
  }

  TEST_CASE("today's writer puts the same records in a log that reads back the same") {
    // The golden bytes are version 1's; a version 2 writer frames the same records behind a
    // longer segment header, and a reader must not see the difference.
    TempDir dir;
    write_golden(dir.path());
    CHECK(describe(read_events(dir.path())) == kExpected);
    const auto written = segment_files(dir.path());
    REQUIRE(written.size() == segment_files(kGolden).size());
    for (const auto& [name, bytes] : written) {
      REQUIRE(bytes.size() >= kSegmentHeaderSize);
      CHECK(bytes.substr(8, 8) == "LDGSEG01");
      CHECK(static_cast<unsigned char>(bytes[16]) == kFormatVersion);
    }
  }
}
