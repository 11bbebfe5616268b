#pragma once
// Times as users type and read them. Every time inside the ledger is an int64_t count of
// nanoseconds since 1970-01-01T00:00:00Z (so the range is 1677-09-21 to 2262-04-11); this module
// turns text into such counts and back.
//
// The local zone is the process's TZ; when TZ is unset it is UTC, not /etc/localtime. A ledger has
// one zone, fixed when it is created: the command line puts it in TZ (use_time_zone) before it
// parses or prints a date, so every date means the same whoever reads. The zone is looked up
// through POSIX (tzset, localtime_r) on every call, so a change of TZ takes effect at once; like
// those functions, this is not safe against a concurrent setenv.
//
// Accepted forms (parse_cutoff and parse_effective):
//   2026-06-30T12:00:00Z           RFC 3339: 'T', 't' or a space between date and time; 'Z' or
//   2026-06-30 12:00:00.5+02:00    'z' or an offset within ±23:59; 1 to 9 fractional digits.
//   2026-06-30                     a cutoff: the END of that day in the local zone, inclusive
//                                  (23:59:59.999999999 local); an effective time: that date.
//   today, yesterday               the end of today or of yesterday, local (any letter case).
// Nothing else: no missing seconds, no leap second :60, no surrounding spaces.
//
// The end of a local day D is the last instant whose local date is D. On the usual DST days
// this is simply 23:59:59.999999999 at that night's offset. Where the clocks go back across
// midnight (23:00-24:00 happens twice), it is the second, later 23:59:59.999999999, so that
// everything dated D counts. Where the clocks jump forward across midnight (23:59:59 of D never
// happens), it is the nanosecond before the jump; if a whole day is skipped (Pacific/Apia,
// 2011-12-30) that is the end of the day before.

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/effective_time.h"
#include "ledger/status.h"

namespace ledger::util {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// A cutoff for --at, --known-at, --from, --to: any accepted form; a date names the end of that
// day, also for today (a cutoff may lie in the future). Errors are kInvalidArgument, e.g.
//   invalid date "2026-13-01" (expected YYYY-MM-DD, RFC 3339 like 2026-06-30T12:00:00Z, today
//   or yesterday)
Result<int64_t> parse_cutoff(std::string_view text, int64_t now_ns);

// For the start of a range (--from): a whole day (YYYY-MM-DD, today, yesterday) means the first
// instant of that day, local; an instant means itself.
Result<int64_t> parse_range_start(std::string_view text, int64_t now_ns);

// An effective time for --date and import rows: the same forms, never after now_ns. A date (today
// included) stays a date: its first instant, local; a later date or instant is refused with
// `date "..." is in the future`.
Result<EffectiveTime> parse_effective(std::string_view text, int64_t now_ns);

// The ledger's zone: "UTC" or an IANA name that tzdata has (a file under $TZDIR or
// /usr/share/zoneinfo), with a leading ':' or that folder dropped. Anything else is refused
// (kInvalidArgument): glibc would silently read an unknown name as UTC.
Result<std::string> check_time_zone(std::string_view name);
// $TZ when it names a zone check_time_zone accepts, else "UTC"; `note` says why TZ was not used.
std::string default_time_zone(std::string* note = nullptr);
// Makes `zone` (checked) the local zone of this process.
void use_time_zone(const std::string& zone);

// The first and the last nanosecond of the local day that holds `ns`.
int64_t start_of_day(int64_t ns);
int64_t end_of_day(int64_t ns);
// Whether `ns` is the first nanosecond of its local day (how an entry's date is held), or the
// last one (how a closing's date is held).
bool is_day_start(int64_t ns);
bool is_day_end(int64_t ns);
// An effective time as every format shows it: "2026-06-30" for a date, else format_time_iso,
// so that what is shown reads back as the same time. A date is held as the first instant of its
// day, or for a closing (`closing`) the last; a closing at a day's first instant is an instant.
// `seconds_only` drops a fraction (tables).
std::string format_effective(int64_t ns, bool seconds_only = false, bool closing = false);

// For reports, in the local zone, to the second (truncated): "2026-06-30 23:59:59 CEST".
std::string format_time_human(int64_t ns);

// For machine formats, in the local zone with its offset: "2026-06-30T23:59:59Z" when the offset
// is zero, else "2026-06-30T23:59:59+02:00"; fractional seconds only when non-zero, without
// trailing zeros. parse_cutoff() reads it back exactly. A historical offset that is not a whole
// minute (local mean time, e.g. Paris before 1911 at +00:09:21) cannot be written in RFC 3339,
// so such times are written in UTC with 'Z'.
std::string format_time_iso(int64_t ns);

// The local date: "2026-06-30".
std::string format_date(int64_t ns);

// The wall clock (CLOCK_REALTIME) in nanoseconds since the epoch.
int64_t now_ns();

}  // namespace ledger::util
