#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "cli/progress.h"
#include "cli/table.h"

using namespace ledger::cli;
using namespace std::chrono_literals;

namespace {

// A clock that moves only when the test says so, and counts how often it is read.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  int reads = 0;

  Progress::Clock fn() {
    return [this] {
      ++reads;
      return now;
    };
  }
};

// Every write to the sink, separately, with the fake time at which it happened.
struct Writes {
  std::vector<std::string> texts;
  std::vector<std::chrono::steady_clock::time_point> times;
  const FakeClock* clock = nullptr;

  Progress::Sink fn() {
    return [this](std::string_view text) {
      texts.emplace_back(text);
      times.push_back(clock->now);
    };
  }
};

}  // namespace

TEST_SUITE("progress") {
  TEST_CASE("a disabled progress writes nothing, ever, and never reads the clock") {
    FakeClock clock;
    std::string out;
    {
      Progress progress("import", 1000, false, Progress::string_sink(out), clock.fn(), 80);
      for (uint64_t i = 0; i <= 1000; ++i) {
        clock.now += 50ms;
        progress.update(i);
      }
      progress.finish();
    }
    CHECK(out.empty());
    CHECK(clock.reads == 0);
  }

  TEST_CASE("the first update draws label, bar, percentage, counts and rate on one line") {
    FakeClock clock;
    std::string out;
    Progress progress("import", 1000000, true, Progress::string_sink(out), clock.fn(), 80);
    clock.now += 1s;
    progress.update(420000);
    // 30 cells, 42% of them (12.6) rounded down.
    CHECK(out == "\rimport [############..................] 42% 420000/1000000 420k/s");
    CHECK(out.find('\n') == std::string::npos);
  }

  TEST_CASE("rates read as people write them") {
    FakeClock clock;
    std::string out;
    Progress progress("x", 0, true, Progress::string_sink(out), clock.fn(), 80);
    CHECK(progress.line(950, 1s) == "x 950 950/s");
    CHECK(progress.line(12345, 1s) == "x 12345 12.3k/s");
    CHECK(progress.line(1234567, 1s) == "x 1234567 1.2M/s");
    CHECK(progress.line(2400000, 2s) == "x 2400000 1.2M/s");
    CHECK(progress.line(7, 0s) == "x 7");
  }

  TEST_CASE("the line never reaches the last column, however narrow the terminal") {
    FakeClock clock;
    std::string out;
    for (const char* label : {"import", "vérification de l'intégrité du journal", ""}) {
      for (size_t width = 1; width <= 120; ++width) {
        for (uint64_t total : {uint64_t{0}, uint64_t{1000000}}) {
          Progress progress(label, total, true, Progress::string_sink(out), clock.fn(), width);
          const std::string line = progress.line(420000, 1500ms);
          CAPTURE(width);
          CAPTURE(line);
          CHECK(display_width(line) <= width - 1);
          CHECK(line.find('\n') == std::string::npos);
        }
      }
    }
  }

  TEST_CASE("a narrow terminal drops the bar before the numbers") {
    FakeClock clock;
    std::string out;
    Progress progress("import", 1000000, true, Progress::string_sink(out), clock.fn(), 40);
    CHECK(progress.line(420000, 1s) == "import 42% 420000/1000000 420k/s");
  }

  TEST_CASE("finish blanks exactly the line drawn and then stays silent") {
    FakeClock clock;
    std::string out;
    Progress progress("import", 100, true, Progress::string_sink(out), clock.fn(), 80);
    clock.now += 1s;
    progress.update(50);
    const std::string drawn = out.substr(1);
    out.clear();
    progress.finish();
    CHECK(out == "\r" + std::string(display_width(drawn), ' ') + "\r");
    out.clear();
    progress.finish();
    clock.now += 1s;
    progress.update(60);
    CHECK(out.empty());
  }

  TEST_CASE("finish without any update writes nothing") {
    FakeClock clock;
    std::string out;
    Progress progress("import", 100, true, Progress::string_sink(out), clock.fn(), 80);
    progress.finish();
    CHECK(out.empty());
  }

  TEST_CASE("the destructor finishes, so an early return leaves no bar behind") {
    FakeClock clock;
    std::string out;
    {
      Progress progress("verify", 0, true, Progress::string_sink(out), clock.fn(), 80);
      progress.update(3);
    }
    CHECK(out == "\rverify 3\r        \r");
  }

  TEST_CASE("a shorter line blanks what the longer one left") {
    FakeClock clock;
    Writes writes;
    writes.clock = &clock;
    Progress progress("import", 0, true, writes.fn(), clock.fn(), 80);
    clock.now += 1s;
    progress.update(123456);
    clock.now += 999s;
    progress.update(123457);
    REQUIRE(writes.texts.size() == 2);
    CHECK(writes.texts[0] == "\rimport 123456 123k/s");
    CHECK(writes.texts[1] == "\rimport 123457 123/s ");
  }

  TEST_CASE("redraws are throttled to one per 100 ms of the clock") {
    FakeClock clock;
    Writes writes;
    writes.clock = &clock;
    Progress progress("replay", 10000, true, writes.fn(), clock.fn(), 80);
    for (uint64_t i = 1; i <= 1000; ++i) {  // Ten seconds, one update every 10 ms.
      clock.now += 10ms;
      progress.update(i * 10);
    }
    CHECK(writes.texts.size() >= 99);
    CHECK(writes.texts.size() <= 101);
    for (size_t i = 1; i < writes.times.size(); ++i) {
      CHECK(writes.times[i] - writes.times[i - 1] >= 100ms);
    }
  }

  TEST_CASE("updates closer together than the interval draw only the first") {
    FakeClock clock;
    Writes writes;
    writes.clock = &clock;
    Progress progress("import", 100, true, writes.fn(), clock.fn(), 80);
    progress.update(1);
    clock.now += 99ms;
    progress.update(2);
    CHECK(writes.texts.size() == 1);
    clock.now += 1ms;
    progress.update(3);
    CHECK(writes.texts.size() == 2);
  }
}
