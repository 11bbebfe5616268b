#include "util/time.h"

#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>

namespace ledger::util {
namespace {

namespace chr = std::chrono;

constexpr int64_t kSecondsPerDay = 86'400;
// Probing the zone this far on either side of a wall time finds the offsets in force before
// and after any transition near it; real transitions are months apart.
constexpr int64_t kProbeSeconds = 2 * kSecondsPerDay;
constexpr size_t kQuotedTextMax = 64;

struct Civil {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;
};

// A broken-down local time and the zone's offset east of UTC and abbreviation at that instant.
struct LocalTime {
  Civil date;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int64_t offset_seconds = 0;
  std::string zone = "UTC";
};

// What the text names before any zone is applied.
struct Parsed {
  bool is_date = false;
  int64_t days = 0;  // For a date: the local date, as days since 1970-01-01.
  int64_t ns = 0;    // For an instant: nanoseconds since the epoch.
};

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

int64_t days_from_civil(const Civil& c) {
  const chr::sys_days days{chr::year{c.year} / chr::month{c.month} / chr::day{c.day}};
  return days.time_since_epoch().count();
}

Civil civil_from_days(int64_t days) {
  const chr::year_month_day ymd{chr::sys_days{chr::days{days}}};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day())};
}

// Set by use_time_zone, so that the hot paths of an import need not read the environment for
// every row; until then, TZ as it is.
std::optional<bool> g_zone_is_utc;

bool zone_is_utc() { return g_zone_is_utc ? *g_zone_is_utc : std::getenv("TZ") == nullptr; }

LocalTime utc_time(int64_t seconds) {
  LocalTime lt;
  const int64_t days = floor_div(seconds, kSecondsPerDay);
  const int64_t in_day = seconds - days * kSecondsPerDay;
  lt.date = civil_from_days(days);
  lt.hour = static_cast<int>(in_day / 3600);
  lt.minute = static_cast<int>(in_day / 60 % 60);
  lt.second = static_cast<int>(in_day % 60);
  return lt;
}

LocalTime local_time(int64_t seconds) {
  if (zone_is_utc()) return utc_time(seconds);
  // localtime_r need not notice a changed TZ by itself; tzset makes it.
  tzset();
  const time_t t = static_cast<time_t>(seconds);
  struct tm tm {};
  if (localtime_r(&t, &tm) == nullptr) return utc_time(seconds);
  LocalTime lt;
  lt.date = {tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
             static_cast<unsigned>(tm.tm_mday)};
  lt.hour = tm.tm_hour;
  lt.minute = tm.tm_min;
  lt.second = tm.tm_sec;
  lt.offset_seconds = tm.tm_gmtoff;
  lt.zone = tm.tm_zone != nullptr ? tm.tm_zone : "";
  return lt;
}

int64_t offset_at(int64_t seconds) { return local_time(seconds).offset_seconds; }

int64_t local_days(int64_t seconds) {
  const LocalTime lt = local_time(seconds);
  return days_from_civil(lt.date);
}

// The last second (UTC) whose local date is `days`; see the header for gaps and overlaps.
int64_t end_of_local_day_seconds(int64_t days) {
  const int64_t wall = days * kSecondsPerDay + kSecondsPerDay - 1;
  if (zone_is_utc()) return wall;
  const std::array<int64_t, 3> offsets = {offset_at(wall - kProbeSeconds), offset_at(wall),
                                          offset_at(wall + kProbeSeconds)};
  // A candidate is valid when the zone really shows `wall` at it; two valid ones mean the wall
  // time happens twice, and the later one ends the day.
  std::optional<int64_t> latest;
  for (int64_t offset : offsets) {
    const int64_t t = wall - offset;
    if (offset_at(t) == offset && (!latest || t > *latest)) latest = t;
  }
  if (latest) return *latest;
  // The clocks jumped over `wall`: find the jump, whose second before ends the day.
  const auto [min_offset, max_offset] = std::minmax_element(offsets.begin(), offsets.end());
  int64_t lo = wall - *max_offset;  // Still before the jump.
  int64_t hi = wall - *min_offset;  // Already after it.
  const int64_t before = offset_at(lo);
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (offset_at(mid) == before) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text.substr(0, kQuotedTextMax)) {
    if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kQuotedTextMax) out += "...";
  return out + "\"";
}

Status invalid_date(std::string_view text) {
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("invalid date {} (expected YYYY-MM-DD, RFC 3339 like "
                            "2026-06-30T12:00:00Z, today or yesterday)",
                            quoted(text)));
}

Status out_of_range(std::string_view text) {
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("date {} is out of range (the ledger keeps times from "
                            "1677-09-21T00:12:44Z to 2262-04-11T23:47:16Z)",
                            quoted(text)));
}

bool equals_lowercase(std::string_view text, std::string_view word) {
  return std::equal(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
    return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
  });
}

// A left-to-right reader of fixed-width fields; any mismatch makes ok() false for good.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  int digits(size_t count) {
    int value = 0;
    for (size_t i = 0; i < count; ++i) {
      const char c = peek();
      if (c < '0' || c > '9') return fail();
      value = value * 10 + (c - '0');
      ++pos_;
    }
    return value;
  }

  bool accept(std::string_view one_of) {
    if (at_end() || one_of.find(text_[pos_]) == std::string_view::npos) return false;
    ++pos_;
    return true;
  }

  void expect(std::string_view one_of) {
    if (!accept(one_of)) fail();
  }

  // 1 to 9 digits after a decimal point, as nanoseconds.
  int64_t fraction() {
    int64_t nanos = 0;
    size_t count = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (++count > 9) return fail();
      nanos = nanos * 10 + (text_[pos_++] - '0');
    }
    if (count == 0) return fail();
    for (; count < 9; ++count) nanos *= 10;
    return nanos;
  }

 private:
  int fail() {
    ok_ = false;
    return 0;
  }

  std::string_view text_;
  size_t pos_ = 0;
  bool ok_ = true;
};

std::optional<Civil> scan_date(Scanner& s) {
  Civil c;
  c.year = s.digits(4);
  s.expect("-");
  c.month = static_cast<unsigned>(s.digits(2));
  s.expect("-");
  c.day = static_cast<unsigned>(s.digits(2));
  const chr::year_month_day ymd{chr::year{c.year}, chr::month{c.month}, chr::day{c.day}};
  if (!s.ok() || !ymd.ok()) return std::nullopt;
  return c;
}

// The rest of an RFC 3339 timestamp after its date: the time, fraction and offset, as seconds
// since local midnight, nanoseconds and the offset in seconds east of UTC.
struct Clock {
  int64_t seconds = 0;
  int64_t nanos = 0;
  int64_t offset_seconds = 0;
};

std::optional<Clock> scan_clock(Scanner& s) {
  s.expect("Tt ");
  const int hour = s.digits(2);
  s.expect(":");
  const int minute = s.digits(2);
  s.expect(":");
  const int second = s.digits(2);
  Clock clock;
  if (s.accept(".")) clock.nanos = s.fraction();
  if (!s.accept("Zz")) {
    const bool east = s.accept("+");
    if (!east) s.expect("-");
    const int offset_hours = s.digits(2);
    s.expect(":");
    const int offset_minutes = s.digits(2);
    if (offset_hours > 23 || offset_minutes > 59) return std::nullopt;
    clock.offset_seconds = (east ? 1 : -1) * (offset_hours * 3600 + offset_minutes * 60);
  }
  if (!s.ok() || !s.at_end() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  clock.seconds = hour * 3600 + minute * 60 + second;
  return clock;
}

// seconds * 1e9 + nanos (0 <= nanos < 1e9), unless that leaves int64_t.
std::optional<int64_t> to_nanos(int64_t seconds, int64_t nanos) {
  // Borrow a second for a negative count, so that the earliest representable instant, whose
  // whole seconds alone would overflow, still converts.
  if (seconds < 0 && nanos > 0) {
    seconds += 1;
    nanos -= kNanosPerSecond;
  }
  int64_t ns = 0;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &ns) ||
      __builtin_add_overflow(ns, nanos, &ns)) {
    return std::nullopt;
  }
  return ns;
}

Result<Parsed> parse_text(std::string_view text, int64_t now) {
  const bool is_today = equals_lowercase(text, "today");
  if (is_today || equals_lowercase(text, "yesterday")) {
    const int64_t today = local_days(floor_div(now, kNanosPerSecond));
    return Parsed{true, is_today ? today : today - 1, 0};
  }
  Scanner s(text);
  const std::optional<Civil> date = scan_date(s);
  if (!date) return invalid_date(text);
  if (s.at_end()) return Parsed{true, days_from_civil(*date), 0};
  const std::optional<Clock> clock = scan_clock(s);
  if (!clock) return invalid_date(text);
  const int64_t seconds =
      days_from_civil(*date) * kSecondsPerDay + clock->seconds - clock->offset_seconds;
  const std::optional<int64_t> ns = to_nanos(seconds, clock->nanos);
  if (!ns) return out_of_range(text);
  return Parsed{false, 0, *ns};
}

Result<int64_t> end_of_local_day(int64_t days, std::string_view text) {
  const std::optional<int64_t> ns = to_nanos(end_of_local_day_seconds(days), kNanosPerSecond - 1);
  if (!ns) return out_of_range(text);
  return *ns;
}

// The first instant of local day `days`: one after the end of the day before (so that a day
// whose midnight the clocks skip starts when it really does; for a day the zone skipped
// entirely, the start of the day before, whose end its cutoff is).
int64_t start_of_local_day(int64_t days) {
  // The day that the end of `days` falls in (the day before, if the zone skipped this one).
  const int64_t day = local_days(end_of_local_day_seconds(days));
  const std::optional<int64_t> day_before_end =
      to_nanos(end_of_local_day_seconds(day - 1), kNanosPerSecond - 1);
  // That day ends before the earliest time the ledger keeps, so this one starts there too.
  if (!day_before_end) return INT64_MIN;
  return *day_before_end + 1;
}

Status in_future(std::string_view text) {
  return Status(ErrorCode::kInvalidArgument, fmt::format("date {} is in the future", quoted(text)));
}

}  // namespace

Result<int64_t> parse_cutoff(std::string_view text, int64_t now) {
  Result<Parsed> parsed = parse_text(text, now);
  if (!parsed) return parsed.status();
  if (!parsed->is_date) return parsed->ns;
  return end_of_local_day(parsed->days, text);
}

Result<EffectiveTime> parse_effective(std::string_view text, int64_t now) {
  Result<Parsed> parsed = parse_text(text, now);
  if (!parsed) return parsed.status();
  if (!parsed->is_date) {
    if (parsed->ns > now) return in_future(text);
    return EffectiveTime{parsed->ns, false};
  }
  if (parsed->days > local_days(floor_div(now, kNanosPerSecond))) return in_future(text);
  // A day must lie whole within the times the ledger keeps.
  if (Result<int64_t> end = end_of_local_day(parsed->days, text); !end) return end.status();
  const int64_t start = start_of_local_day(parsed->days);
  if (start == INT64_MIN) return out_of_range(text);
  return EffectiveTime{start, true};
}

std::string format_time_human(int64_t ns) {
  const LocalTime lt = local_time(floor_div(ns, kNanosPerSecond));
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}", lt.date.year, lt.date.month,
                     lt.date.day, lt.hour, lt.minute, lt.second, lt.zone);
}

std::string format_time_iso(int64_t ns) {
  const int64_t seconds = floor_div(ns, kNanosPerSecond);
  // The remainder, not ns - seconds * 1e9, which overflows for the earliest instants.
  const int64_t nanos = (ns % kNanosPerSecond + kNanosPerSecond) % kNanosPerSecond;
  LocalTime lt = local_time(seconds);
  if (lt.offset_seconds % 60 != 0) lt = utc_time(seconds);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", lt.date.year, lt.date.month,
                                lt.date.day, lt.hour, lt.minute, lt.second);
  if (nanos != 0) {
    std::string fraction = fmt::format("{:09}", nanos);
    fraction.erase(fraction.find_last_not_of('0') + 1);
    out += "." + fraction;
  }
  if (lt.offset_seconds == 0) return out + "Z";
  const int64_t magnitude = lt.offset_seconds < 0 ? -lt.offset_seconds : lt.offset_seconds;
  return out + fmt::format("{}{:02}:{:02}", lt.offset_seconds < 0 ? '-' : '+', magnitude / 3600,
                           magnitude / 60 % 60);
}

std::string format_date(int64_t ns) {
  const LocalTime lt = local_time(floor_div(ns, kNanosPerSecond));
  return fmt::format("{:04}-{:02}-{:02}", lt.date.year, lt.date.month, lt.date.day);
}

int64_t now_ns() {
  struct timespec ts {};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNanosPerSecond + ts.tv_nsec;
}

Result<int64_t> parse_range_start(std::string_view text, int64_t now_ns) {
  Result<Parsed> parsed = parse_text(text, now_ns);
  if (!parsed) return parsed.status();
  if (!parsed->is_date) return parsed->ns;
  if (Result<int64_t> end = end_of_local_day(parsed->days, text); !end) return end.status();
  return start_of_local_day(parsed->days);
}

int64_t start_of_day(int64_t ns) {
  const int64_t days = local_days(floor_div(ns, kNanosPerSecond));
  return start_of_local_day(days);
}

int64_t end_of_day(int64_t ns) {
  const int64_t days = local_days(floor_div(ns, kNanosPerSecond));
  const Result<int64_t> end = end_of_local_day(days, "");
  return end ? *end : INT64_MAX;
}

// Only a whole second can start a day, and only its last nanosecond end one: most instants are
// ruled out without asking the zone.
bool is_day_start(int64_t ns) {
  return (ns % kNanosPerSecond + kNanosPerSecond) % kNanosPerSecond == 0 && start_of_day(ns) == ns;
}

bool is_day_end(int64_t ns) {
  return (ns % kNanosPerSecond + kNanosPerSecond) % kNanosPerSecond == kNanosPerSecond - 1 &&
         end_of_day(ns) == ns;
}

std::string format_effective(int64_t ns, bool seconds_only, bool closing) {
  if (closing ? is_day_end(ns) : is_day_start(ns)) return format_date(ns);
  if (seconds_only) ns -= (ns % kNanosPerSecond + kNanosPerSecond) % kNanosPerSecond;
  return format_time_iso(ns);
}

Result<std::string> check_time_zone(std::string_view name) {
  std::string zone(name);
  if (zone.starts_with(':')) zone.erase(0, 1);
  const char* tzdir = std::getenv("TZDIR");
  const std::string folder = tzdir != nullptr && *tzdir != '\0' ? tzdir : "/usr/share/zoneinfo";
  if (zone.starts_with(folder + "/")) zone.erase(0, folder.size() + 1);
  if (zone == "UTC") return zone;
  const bool plain = !zone.empty() && zone.size() <= 64 && zone.front() != '/' &&
                     zone.find("..") == std::string::npos &&
                     std::all_of(zone.begin(), zone.end(), [](char c) {
                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                              (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' ||
                              c == '+';
                     });
  std::error_code ec;
  if (!plain || !std::filesystem::is_regular_file(folder + "/" + zone, ec)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("unknown time zone {} (expected UTC or a name from tzdata such as "
                              "Europe/Berlin; is the tzdata package installed?)",
                              quoted(name)));
  }
  return zone;
}

std::string default_time_zone(std::string* note) {
  const char* tz = std::getenv("TZ");
  if (tz == nullptr || *tz == '\0') return "UTC";
  auto zone = check_time_zone(tz);
  if (zone) return *zone;
  if (note != nullptr) *note = fmt::format("TZ: {}; using UTC", zone.status().message());
  return "UTC";
}

void use_time_zone(const std::string& zone) {
  if (zone == "UTC") {
    unsetenv("TZ");
  } else {
    setenv("TZ", zone.c_str(), 1);
  }
  tzset();
  g_zone_is_utc = zone == "UTC";
}

}  // namespace ledger::util
