// libFuzzer target for the date and time parser and formatters (util/time.h).
//
// An input is one control byte, 8 bytes of "now" and the text of a date. The control byte picks
// the local zone (TZ unset, that is UTC, or one of a few zones with DST, half-hour offsets,
// a skipped day or a pre-1911 offset that is not a whole minute); "now" is folded into the
// years 1900 to 2100 unless the control byte's high bit asks for the raw 64-bit value. Checks:
//   - a time parse_cutoff accepts formats (format_time_iso) to text that parses to the same
//     instant; a date (YYYY-MM-DD, today, yesterday) gives the last instant of a local day;
//   - parse_range_start gives the instant itself, or for a date the first instant of the day
//     that parse_cutoff ends; parse_effective gives the cutoff, or now when that is later;
//   - the 8 bytes of now, as an instant, format and parse back to themselves too.
// The zone is put back as it was after each input.

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "util/time.h"

namespace {

using ledger::fuzz::check;
namespace util = ledger::util;

constexpr const char* kZones[] = {
    nullptr,           "UTC",           "Europe/Paris",   "America/New_York",
    "Pacific/Apia",    "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns",
};

// Restores TZ as the process had it, whatever an input set.
class ZoneScope {
 public:
  explicit ZoneScope(const char* zone) {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    if (zone == nullptr) {
      unsetenv("TZ");
    } else {
      setenv("TZ", zone, 1);
    }
  }
  ~ZoneScope() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
  }
  ZoneScope(const ZoneScope&) = delete;
  ZoneScope& operator=(const ZoneScope&) = delete;

 private:
  std::optional<std::string> saved_;
};

bool is_word(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (c != word[i]) return false;
  }
  return true;
}

// Whether accepted text names a whole day rather than an instant.
bool names_a_day(std::string_view text) {
  return text.size() == 10 || is_word(text, "today") || is_word(text, "yesterday");
}

// Any instant, written for machines, reads back as itself.
void check_iso_round_trip(int64_t ns, int64_t now) {
  const std::string text = util::format_time_iso(ns);
  auto back = util::parse_cutoff(text, now);
  check(back.is_ok() && *back == ns);
  check(!util::format_time_human(ns).empty());
}

// `end` is the last instant of its local day, and that day is `day` or (when `day` never
// happened, skipped by the zone) the day before it.
void check_end_of_day(int64_t end, std::string_view day) {
  const std::string date = util::format_date(end);
  check(date.size() == 10);
  if (!day.empty()) check(date <= day);
  if (end == INT64_MAX) return;
  const std::string next = util::format_date(end + 1);
  check(next > date);
  if (!day.empty()) check(next > day);
}

void check_text(std::string_view text, int64_t now) {
  auto cutoff = util::parse_cutoff(text, now);
  auto start = util::parse_range_start(text, now);
  auto effective = util::parse_effective(text, now);
  if (!cutoff) {
    // Nothing else reads text that parse_cutoff refuses.
    check(!start.is_ok() && !effective.is_ok());
    check(!cutoff.status().message().empty());
    return;
  }
  check_iso_round_trip(*cutoff, now);
  const bool day = names_a_day(text);
  if (day) check_end_of_day(*cutoff, text.size() == 10 ? text : std::string_view());

  if (start) {
    check(*start <= *cutoff);
    if (day) {
      // The first instant of the day that the cutoff ends.
      check(util::format_date(*start) == util::format_date(*cutoff));
      if (*start != INT64_MIN) check(util::format_date(*start - 1) < util::format_date(*start));
    } else {
      check(*start == *cutoff);
    }
  } else {
    // Only a day can fail here, and only one whose start lies before the earliest instant.
    check(day);
  }

  if (effective) {
    // A date stays a date, held as its first instant; an instant is itself.
    check(effective->ns <= now);
    check(effective->date == day);
    if (day) {
      check(start.is_ok() && effective->ns == *start);
    } else {
      check(effective->ns == *cutoff);
    }
  } else if (!day) {
    check(*cutoff > now);
  }
}

}  // namespace

extern "C" int LEDGER_FUZZ_ENTRY(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  const uint8_t control = data[0];
  ZoneScope zone(kZones[control % (sizeof kZones / sizeof kZones[0])]);
  int64_t raw_now = 0;
  std::memcpy(&raw_now, data + 1, sizeof raw_now);
  // 1900-01-01 to 2100-01-01, unless the high bit asks for any instant at all.
  constexpr int64_t kFrom = -2'208'988'800LL * util::kNanosPerSecond;
  constexpr uint64_t kSpan = 6'311'433'600ULL * util::kNanosPerSecond;
  const int64_t now = (control & 0x80) != 0
                          ? raw_now
                          : kFrom + static_cast<int64_t>(static_cast<uint64_t>(raw_now) % kSpan);
  check_iso_round_trip(raw_now, now);
  check_text(ledger::fuzz::as_text(data + 9, size - 9), now);
  return 0;
}
