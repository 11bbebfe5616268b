#include "util/time.h"

#include <doctest/doctest.h>

#include <chrono>
#include <time.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::util;

namespace {

constexpr int64_t kSecond = kNanosPerSecond;
// 2026-06-30T12:00:00Z and 2026-06-30T23:59:59Z, computed outside this code.
constexpr int64_t kJune30Noon = 1'782'820'800 * kSecond;
constexpr int64_t kJune30LastSecond = 1'782'863'999 * kSecond;
constexpr int64_t kLastNano = kSecond - 1;

// A zone with midnight transitions, from a POSIX TZ string so that it needs no tzdata: standard
// time AAA is UTC-3, summer time BBB is UTC-2. On the last Sunday of March the clocks jump from
// 23:30 to 00:30 (23:30-23:59 of that Sunday never happens); on the last Sunday of October they
// go back from 00:30 to 23:30 of the Saturday (23:30-23:59 of that Saturday happens twice).
constexpr const char* kMidnightZone = "AAA3BBB,M3.5.0/23:30,M10.5.0/0:30";

// Sets TZ (or unsets it, for nullptr) for the life of the object, then puts it back.
class ScopedTz {
 public:
  explicit ScopedTz(const char* tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    set(tz);
  }
  ~ScopedTz() { set(old_ ? old_->c_str() : nullptr); }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  static void set(const char* tz) {
    if (tz != nullptr) {
      setenv("TZ", tz, 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  std::optional<std::string> old_;
};

// A missing zone fails the test: these checks must not pass by being skipped (scripts/setup
// installs tzdata).
void require_zone(const std::string& name) {
  REQUIRE_MESSAGE(std::filesystem::exists("/usr/share/zoneinfo/" + name),
                  "tzdata has no " << name << " (install the tzdata package: scripts/setup)");
}

// The instant an RFC 3339 text names; only for texts the instant tests below already pin down.
int64_t instant(const char* text) {
  auto parsed = parse_cutoff(text, 0);
  REQUIRE_MESSAGE(parsed, parsed.status().message());
  return *parsed;
}

int64_t cutoff(const char* text, int64_t now = kJune30Noon) {
  auto parsed = parse_cutoff(text, now);
  REQUIRE_MESSAGE(parsed, parsed.status().message());
  return *parsed;
}

std::string cutoff_error(const char* text) {
  auto parsed = parse_cutoff(text, kJune30Noon);
  REQUIRE_FALSE_MESSAGE(parsed, text, " was accepted as ", *parsed);
  CHECK(parsed.status().code() == ErrorCode::kInvalidArgument);
  return parsed.status().message();
}

}  // namespace

TEST_SUITE("time") {
  TEST_CASE("RFC 3339 instants parse to the exact nanosecond") {
    ScopedTz tz("UTC");
    CHECK(cutoff("2026-06-30T12:00:00Z") == kJune30Noon);
    CHECK(cutoff("2026-06-30t12:00:00z") == kJune30Noon);
    CHECK(cutoff("2026-06-30 12:00:00Z") == kJune30Noon);
    CHECK(cutoff("2026-06-30T12:00:00+00:00") == kJune30Noon);
    CHECK(cutoff("2026-06-30T12:00:00-00:00") == kJune30Noon);
    CHECK(cutoff("2026-06-30T14:00:00+02:00") == kJune30Noon);
    CHECK(cutoff("2026-06-30T06:30:00-05:30") == kJune30Noon);
    CHECK(cutoff("2026-07-01T11:59:00+23:59") == kJune30Noon);
    CHECK(cutoff("2026-06-30T12:00:00.5Z") == kJune30Noon + kSecond / 2);
    CHECK(cutoff("2026-06-30T12:00:00.000000001Z") == kJune30Noon + 1);
    CHECK(cutoff("2026-06-30T12:00:00.123456789+00:00") == kJune30Noon + 123'456'789);
    CHECK(cutoff("1970-01-01T00:00:00Z") == 0);
    CHECK(cutoff("1969-12-31T23:59:59.999999999Z") == -1);
  }

  TEST_CASE("RFC 3339 instants ignore the local zone") {
    ScopedTz tz(kMidnightZone);
    CHECK(cutoff("2026-06-30T12:00:00Z") == kJune30Noon);
    CHECK(cutoff("2026-06-30T14:00:00+02:00") == kJune30Noon);
  }

  TEST_CASE("malformed or impossible dates are refused, naming the forms expected") {
    CHECK(cutoff_error("2026-13-01") ==
          "invalid date \"2026-13-01\" (expected YYYY-MM-DD, RFC 3339 like "
          "2026-06-30T12:00:00Z, today or yesterday)");
    const char* bad[] = {
        "",
        "tomorrow",
        "now",
        "2026-00-10",
        "2026-06-00",
        "2026-06-31",
        "2026-04-31",
        "2026-02-29",
        "2026-6-30",
        "26-06-30",
        "2026/06/30",
        "20260630",
        " 2026-06-30",
        "2026-06-30 ",
        "2026-06-30x",
        "2026-06-30T",
        "2026-06-30T12:00:00",
        "2026-06-30T12:00Z",
        "2026-06-30T24:00:00Z",
        "2026-06-30T12:60:00Z",
        "2026-06-30T12:00:60Z",
        "2026-06-30T12:00:00.Z",
        "2026-06-30T12:00:00.1234567890Z",
        "2026-06-30T12:00:00,5Z",
        "2026-06-30T12:00:00+24:00",
        "2026-06-30T12:00:00+02:60",
        "2026-06-30T12:00:00+0200",
        "2026-06-30T12:00:00+02",
        "2026-06-30T12:00:00Zjunk",
        "2026-06-30T12:00:00+02:00 ",
        "2026-06-30_12:00:00Z",
        "+2026-06-30",
        "today ",
        "yesterday!",
    };
    for (const char* text : bad) {
      CAPTURE(text);
      CHECK(cutoff_error(text).find("invalid date") == 0);
    }
  }

  TEST_CASE("an error quotes at most 64 bytes of the text and escapes control characters") {
    const std::string long_text(200, '9');
    const std::string message = cutoff_error(long_text.c_str());
    CHECK(message.find(std::string(64, '9') + "...\"") != std::string::npos);
    CHECK(message.find(std::string(65, '9')) == std::string::npos);
    CHECK(cutoff_error("2026-06-30\n").find("\"2026-06-30\\x0A\"") != std::string::npos);
  }

  TEST_CASE("February 29 exists only in leap years") {
    ScopedTz tz("UTC");
    CHECK(cutoff("2024-02-29") == instant("2024-02-29T23:59:59.999999999Z"));
    CHECK(cutoff("2000-02-29T00:00:00Z") == instant("2000-02-29T00:00:00Z"));
    CHECK(cutoff_error("1900-02-29").find("invalid date") == 0);
    CHECK(cutoff_error("2100-02-29").find("invalid date") == 0);
    CHECK(cutoff_error("2023-02-29T00:00:00Z").find("invalid date") == 0);
  }

  TEST_CASE("times outside the int64 nanosecond range are refused as out of range") {
    ScopedTz tz("UTC");
    const char* outside[] = {"2262-04-11T23:47:17Z", "2263-01-01", "9999-12-31T23:59:59Z",
                             "1677-09-21T00:12:43Z", "0000-01-01", "2262-04-11"};
    for (const char* text : outside) {
      CAPTURE(text);
      CHECK(cutoff_error(text).find("is out of range") != std::string::npos);
    }
    CHECK(cutoff("2262-04-11T23:47:16.854775807Z") == std::numeric_limits<int64_t>::max());
    CHECK(cutoff("1677-09-21T00:12:43.145224192Z") == std::numeric_limits<int64_t>::min());
    CHECK(cutoff("2262-04-10") == instant("2262-04-10T23:59:59.999999999Z"));
  }

  TEST_CASE("a date is the end of that day, inclusive, in UTC when TZ is unset") {
    ScopedTz tz(nullptr);
    const int64_t end = cutoff("2026-06-30");
    CHECK(end == kJune30LastSecond + kLastNano);
    CHECK(format_time_iso(end + 1) == "2026-07-01T00:00:00Z");
    CHECK(format_time_human(end) == "2026-06-30 23:59:59 UTC");
  }

  TEST_CASE("a date is the end of that day in the zone TZ names") {
    require_zone("Europe/Paris");
    ScopedTz tz("Europe/Paris");
    CHECK(cutoff("2026-06-30") == instant("2026-06-30T21:59:59.999999999Z"));
    CHECK(cutoff("2026-01-15") == instant("2026-01-15T22:59:59.999999999Z"));
    CHECK(format_time_human(cutoff("2026-06-30")) == "2026-06-30 23:59:59 CEST");
    CHECK(format_time_human(cutoff("2026-01-15")) == "2026-01-15 23:59:59 CET");
  }

  TEST_CASE("a DST day in Paris ends at that night's offset") {
    require_zone("Europe/Paris");
    ScopedTz tz("Europe/Paris");
    SUBCASE("spring forward, a 23-hour day") {
      CHECK(cutoff("2026-03-29") == instant("2026-03-29T21:59:59.999999999Z"));
      CHECK(cutoff("2026-03-28") == instant("2026-03-28T22:59:59.999999999Z"));
      CHECK(format_time_iso(cutoff("2026-03-29")) == "2026-03-29T23:59:59.999999999+02:00");
    }
    SUBCASE("fall back, a 25-hour day") {
      CHECK(cutoff("2026-10-25") == instant("2026-10-25T22:59:59.999999999Z"));
      CHECK(cutoff("2026-10-24") == instant("2026-10-24T21:59:59.999999999Z"));
      CHECK(format_time_human(cutoff("2026-10-25")) == "2026-10-25 23:59:59 CET");
    }
    SUBCASE("the repeated hour is told apart by its offset") {
      CHECK(format_time_iso(instant("2026-10-25T00:30:00Z")) == "2026-10-25T02:30:00+02:00");
      CHECK(format_time_iso(instant("2026-10-25T01:30:00Z")) == "2026-10-25T02:30:00+01:00");
    }
  }

  TEST_CASE("where the clocks go back across midnight, the day ends at the later 23:59:59") {
    ScopedTz tz(kMidnightZone);
    // 2026-10-24 23:59:59 happens at UTC-2 (01:59:59Z) and again at UTC-3 (02:59:59Z).
    const int64_t end = cutoff("2026-10-24");
    CHECK(end == instant("2026-10-25T02:59:59.999999999Z"));
    CHECK(format_time_iso(end) == "2026-10-24T23:59:59.999999999-03:00");
    CHECK(format_date(end + 1) == "2026-10-25");
    CHECK(format_date(instant("2026-10-25T01:59:59Z")) == "2026-10-24");
  }

  TEST_CASE("where the clocks jump forward across midnight, the day ends just before the jump") {
    ScopedTz tz(kMidnightZone);
    // At 2026-03-29 23:30 UTC-3 (02:30Z) the clocks jump to 2026-03-30 00:30 UTC-2.
    const int64_t end = cutoff("2026-03-29");
    CHECK(end == instant("2026-03-30T02:29:59.999999999Z"));
    CHECK(format_time_human(end) == "2026-03-29 23:29:59 AAA");
    CHECK(format_time_human(end + 1) == "2026-03-30 00:30:00 BBB");
    CHECK(cutoff("2026-03-30") == instant("2026-03-31T01:59:59.999999999Z"));
  }

  TEST_CASE("a day the zone skipped entirely ends where the day before ends") {
    require_zone("Pacific/Apia");
    ScopedTz tz("Pacific/Apia");
    // Samoa went from 2011-12-29 23:59:59 (UTC-10) straight to 2011-12-31 00:00:00 (UTC+14).
    CHECK(cutoff("2011-12-30") == cutoff("2011-12-29"));
    CHECK(cutoff("2011-12-29") == instant("2011-12-30T09:59:59.999999999Z"));
    CHECK(format_date(cutoff("2011-12-30")) == "2011-12-29");
  }

  TEST_CASE("today and yesterday are the ends of the local days around now") {
    SUBCASE("in UTC") {
      ScopedTz tz("UTC");
      CHECK(cutoff("today") == kJune30LastSecond + kLastNano);
      CHECK(cutoff("Today") == kJune30LastSecond + kLastNano);
      CHECK(cutoff("YESTERDAY") == instant("2026-06-29T23:59:59.999999999Z"));
      CHECK(cutoff("yesterday", instant("2026-03-01T05:00:00Z")) ==
            instant("2026-02-28T23:59:59.999999999Z"));
    }
    SUBCASE("in Paris, where it is already tomorrow") {
      require_zone("Europe/Paris");
      ScopedTz tz("Europe/Paris");
      const int64_t now = instant("2026-06-30T23:30:00Z");  // 01:30 on July 1 in Paris.
      CHECK(cutoff("today", now) == instant("2026-07-01T21:59:59.999999999Z"));
      CHECK(cutoff("yesterday", now) == instant("2026-06-30T21:59:59.999999999Z"));
    }
  }

  TEST_CASE("a range starts at the first instant of its day, however today is spelled") {
    ScopedTz tz("UTC");
    const int64_t june30_start = instant("2026-06-30T00:00:00Z");
    CHECK(parse_range_start("2026-06-30", kJune30Noon).value() == june30_start);
    // Found by the date fuzz target: mixed case was taken for an instant, the day's end.
    CHECK(parse_range_start("today", kJune30Noon).value() == june30_start);
    CHECK(parse_range_start("ToDay", kJune30Noon).value() == june30_start);
    CHECK(parse_range_start("Yesterday", kJune30Noon).value() ==
          instant("2026-06-29T00:00:00Z"));
    CHECK(parse_range_start("2026-06-30T12:00:00Z", 0).value() == kJune30Noon);
  }

  TEST_CASE("the first day the ledger can keep starts at its earliest instant") {
    ScopedTz tz("UTC");
    // Its midnight lies before the int64 range; subtracting hours from its end overflowed.
    CHECK(parse_range_start("1677-09-21", kJune30Noon).value() ==
          std::numeric_limits<int64_t>::min());
    CHECK(parse_range_start("1677-09-22", kJune30Noon).value() ==
          instant("1677-09-22T00:00:00Z"));
  }

  TEST_CASE("an effective time is never in the future") {
    ScopedTz tz("UTC");
    const int64_t now = kJune30Noon;
    SUBCASE("instants up to now are taken as they are") {
      CHECK(*parse_effective("2026-06-30T12:00:00Z", now) == EffectiveTime{now, false});
      CHECK(*parse_effective("2026-06-30T11:59:59.999999999Z", now) ==
            EffectiveTime{now - 1, false});
      CHECK(*parse_effective("2020-01-01T00:00:00Z", now) ==
            EffectiveTime{instant("2020-01-01T00:00:00Z"), false});
    }
    SUBCASE("an instant after now is refused") {
      auto later = parse_effective("2026-06-30T12:00:00.000000001Z", now);
      REQUIRE_FALSE(later);
      CHECK(later.status().code() == ErrorCode::kInvalidArgument);
      CHECK(later.status().message() == "date \"2026-06-30T12:00:00.000000001Z\" is in the future");
      CHECK_FALSE(parse_effective("2026-06-30T14:00:01+02:00", now));
    }
    SUBCASE("a past date stays a date, held as the first instant of that day") {
      const EffectiveTime june29{instant("2026-06-29T00:00:00Z"), true};
      CHECK(*parse_effective("2026-06-29", now) == june29);
      CHECK(*parse_effective("yesterday", now) == june29);
    }
    SUBCASE("today's date is a date too, and starts before now") {
      const EffectiveTime june30{instant("2026-06-30T00:00:00Z"), true};
      CHECK(*parse_effective("2026-06-30", now) == june30);
      CHECK(*parse_effective("today", now) == june30);
      CHECK(*parse_effective("2026-06-30", kJune30LastSecond + kLastNano) == june30);
    }
    SUBCASE("a later date is refused") {
      auto tomorrow = parse_effective("2026-07-01", now);
      REQUIRE_FALSE(tomorrow);
      CHECK(tomorrow.status().message() == "date \"2026-07-01\" is in the future");
      CHECK_FALSE(parse_effective("2099-01-01", now));
    }
    SUBCASE("malformed text is refused as with cutoffs") {
      auto bad = parse_effective("2026-02-30", now);
      REQUIRE_FALSE(bad);
      CHECK(bad.status().message().find("invalid date \"2026-02-30\"") == 0);
    }
  }

  TEST_CASE("an effective date counts as today by the local calendar") {
    require_zone("Europe/Paris");
    ScopedTz tz("Europe/Paris");
    const int64_t now = instant("2026-06-30T23:30:00Z");  // 01:30 on July 1 in Paris.
    CHECK(*parse_effective("2026-07-01", now) == EffectiveTime{instant("2026-06-30T22:00:00Z"), true});
    CHECK(*parse_effective("2026-06-30", now) == EffectiveTime{instant("2026-06-29T22:00:00Z"), true});
    CHECK_FALSE(parse_effective("2026-07-02", now));
  }

  TEST_CASE("human times are local, to the second, truncated") {
    SUBCASE("UTC") {
      ScopedTz tz("UTC");
      CHECK(format_time_human(kJune30LastSecond + kLastNano) == "2026-06-30 23:59:59 UTC");
      CHECK(format_time_human(0) == "1970-01-01 00:00:00 UTC");
      CHECK(format_time_human(-1) == "1969-12-31 23:59:59 UTC");
    }
    SUBCASE("TZ unset is UTC, whatever /etc/localtime says") {
      ScopedTz tz(nullptr);
      CHECK(format_time_human(kJune30Noon) == "2026-06-30 12:00:00 UTC");
      CHECK(format_time_iso(kJune30Noon) == "2026-06-30T12:00:00Z");
    }
    SUBCASE("Paris") {
      require_zone("Europe/Paris");
      ScopedTz tz("Europe/Paris");
      CHECK(format_time_human(kJune30Noon + kLastNano) == "2026-06-30 14:00:00 CEST");
    }
  }

  TEST_CASE("ISO times carry the local offset and only the fraction needed") {
    SUBCASE("UTC") {
      ScopedTz tz("UTC");
      CHECK(format_time_iso(kJune30Noon) == "2026-06-30T12:00:00Z");
      CHECK(format_time_iso(kJune30Noon + kSecond / 2) == "2026-06-30T12:00:00.5Z");
      CHECK(format_time_iso(kJune30Noon + 1) == "2026-06-30T12:00:00.000000001Z");
      CHECK(format_time_iso(kJune30Noon + 120'000) == "2026-06-30T12:00:00.00012Z");
      CHECK(format_time_iso(-1) == "1969-12-31T23:59:59.999999999Z");
    }
    SUBCASE("a zone east of UTC") {
      require_zone("Asia/Kolkata");
      ScopedTz tz("Asia/Kolkata");
      CHECK(format_time_iso(kJune30Noon) == "2026-06-30T17:30:00+05:30");
    }
    SUBCASE("a zone west of UTC") {
      require_zone("America/New_York");
      ScopedTz tz("America/New_York");
      CHECK(format_time_iso(kJune30Noon) == "2026-06-30T08:00:00-04:00");
      CHECK(format_time_human(kJune30Noon) == "2026-06-30 08:00:00 EDT");
    }
    SUBCASE("an offset of seconds (local mean time) is written in UTC") {
      require_zone("Europe/Paris");
      ScopedTz tz("Europe/Paris");
      const int64_t t = instant("1900-01-01T12:00:00Z");
      CHECK(format_time_iso(t) == "1900-01-01T12:00:00Z");
    }
  }

  TEST_CASE("ISO times read back to the same nanosecond") {
    // A fixed pseudo-random walk over the whole int64 range, plus the edges.
    std::vector<int64_t> values = {0,
                                   -1,
                                   1,
                                   std::numeric_limits<int64_t>::min(),
                                   std::numeric_limits<int64_t>::max(),
                                   kJune30Noon,
                                   kJune30LastSecond + kLastNano};
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 2000; ++i) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      int64_t v = static_cast<int64_t>(x);
      if (i % 3 == 1) v -= v % kSecond;                                 // Whole seconds too.
      if (i % 3 == 2) v = kJune30Noon + v % (400LL * 86400 * kSecond);  // Near now.
      values.push_back(v);
    }
    const char* zones[] = {nullptr,
                           "UTC",
                           kMidnightZone,
                           "Europe/Paris",
                           "America/New_York",
                           "Asia/Kolkata",
                           "Australia/Lord_Howe",
                           "Pacific/Apia"};
    for (const char* zone : zones) {
      if (zone != nullptr && zone != kMidnightZone && std::string_view(zone) != "UTC") {
        require_zone(zone);
      }
      ScopedTz tz(zone);
      CAPTURE(zone);
      for (int64_t v : values) {
        const std::string text = format_time_iso(v);
        auto back = parse_cutoff(text, 0);
        CAPTURE(text);
        REQUIRE(back);
        REQUIRE(*back == v);
      }
    }
  }

  TEST_CASE("local dates follow the zone") {
    const int64_t t = instant("2026-06-30T22:30:00Z");
    {
      ScopedTz tz("UTC");
      CHECK(format_date(t) == "2026-06-30");
      CHECK(format_date(-1) == "1969-12-31");
    }
    require_zone("Europe/Paris");
    ScopedTz tz("Europe/Paris");
    CHECK(format_date(t) == "2026-07-01");
  }

  TEST_CASE("now is the wall clock") {
    // std::time reads the kernel's coarse clock, which may lag the real one by a tick: the
    // bounds come from the same clock as now_ns, at full resolution.
    auto wall_ns = [] {
      return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
    };
    const int64_t before = wall_ns();
    const int64_t now = now_ns();
    const int64_t after = wall_ns();
    CHECK(now >= before);
    CHECK(now <= after);
  }
}
