// A log written by format version 1 is kept in tests/golden/v1 and read back by every later
// version of the reader. To regenerate it (only ever while the format is still version 1):
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
  TEST_CASE("the version 1 golden log reads back with its recorded content") {
    if (const char* out = std::getenv("LEDGER_WRITE_GOLDEN")) {
      fs::remove_all(out);
      write_golden(out);
      for (const auto& entry : fs::directory_iterator(out)) {
        if (!entry.path().string().ends_with(".seg")) fs::remove(entry.path());
      }
      write_bytes(fs::path(out) / "expected.txt", describe(read_events(out)));
    }
    REQUIRE(fs::exists(kGolden / "expected.txt"));
    REQUIRE(segment_files(kGolden).size() >= 2);
    const auto events = read_events(kGolden);
    CHECK(events.size() == 17);
    CHECK(describe(events) == read_bytes(kGolden / "expected.txt"));
  }

  TEST_CASE("today's writer puts the same records in a log that reads back the same") {
    // The golden bytes are version 1's; a version 2 writer frames the same records behind a
    // longer segment header, and a reader must not see the difference.
    TempDir dir;
    write_golden(dir.path());
    CHECK(describe(read_events(dir.path())) == read_bytes(kGolden / "expected.txt"));
    const auto written = segment_files(dir.path());
    REQUIRE(written.size() == segment_files(kGolden).size());
    for (const auto& [name, bytes] : written) {
      REQUIRE(bytes.size() >= kSegmentHeaderSize);
      CHECK(bytes.substr(8, 8) == "LDGSEG01");
      CHECK(static_cast<unsigned char>(bytes[16]) == kFormatVersion);
    }
  }
}
