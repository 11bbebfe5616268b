"""Days and instants in a ledger's zone, computed here from zoneinfo alone.

Every effective position is an integer count of nanoseconds since the Unix epoch (UTC), so
that the last nanosecond of a day, which a close stands on, is exact and ties compare exactly.
Nothing here calls the product: the model must not share its date arithmetic.
"""

import calendar
import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

NS_PER_S = 1_000_000_000
SECONDS_PER_DAY = 86_400

_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_INSTANT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$")
# What the product prints may use a space instead of the T (tables do); accept it when reading.
_PRINTED_INSTANT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:?\d{2})$")


def parse_day(text):
    """A YYYY-MM-DD calendar date, or None when the text is not one."""
    match = _DAY_RE.match(text)
    if not match:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_instant(text, printed=False):
    """An RFC 3339 instant as epoch nanoseconds, or None when the text is not one."""
    match = (_PRINTED_INSTANT_RE if printed else _INSTANT_RE).match(text)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    offset_minutes = _offset_minutes(offset)
    if offset_minutes is None or hour > 23 or minute > 59 or second > 59:
        return None
    try:
        days = dt.date(year, month, day).toordinal() - dt.date(1970, 1, 1).toordinal()
    except ValueError:
        return None
    seconds = days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second - offset_minutes * 60
    nanos = int((fraction or "").ljust(9, "0"))
    return seconds * NS_PER_S + nanos


def _offset_minutes(offset):
    if offset in ("Z", "z"):
        return 0
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        return None
    return sign * (hours * 60 + minutes)


@functools.lru_cache(maxsize=None)
def zone_day_of_second(zone, seconds):
    """The calendar date in the zone of the second that starts at epoch `seconds`."""
    return dt.datetime.fromtimestamp(seconds, ZoneInfo(zone)).date()


def zone_day(zone, position_ns):
    """The date in the zone of an instant (floor to the second: days start on whole seconds)."""
    return zone_day_of_second(zone, position_ns // NS_PER_S)


@functools.lru_cache(maxsize=None)
def day_start(zone, day):
    """The first instant of `day` in the zone.

    A binary search over seconds rather than building local midnight, so that a day whose
    midnight is skipped by a clock change still starts at the first instant that belongs to it.
    """
    utc_midnight = calendar.timegm(day.timetuple())
    low, high = utc_midnight - 15 * 3600, utc_midnight + 15 * 3600
    while low < high:
        middle = (low + high) // 2
        if zone_day_of_second(zone, middle) < day:
            low = middle + 1
        else:
            high = middle
    return low * NS_PER_S


def day_end(zone, day):
    """The last nanosecond of `day` in the zone, where a close dated `day` stands."""
    return day_start(zone, day + dt.timedelta(days=1)) - 1


def zone_offset_minutes(zone, position_ns):
    """The zone's UTC offset, in minutes, at an instant."""
    moment = dt.datetime.fromtimestamp(position_ns // NS_PER_S, ZoneInfo(zone))
    return int(moment.utcoffset().total_seconds()) // 60


def format_instant(position_ns, offset_minutes, zulu=False):
    """Exact RFC 3339 text of an instant as seen at a fixed offset (`zulu`: a zero offset as Z)."""
    seconds, nanos = divmod(position_ns, NS_PER_S)
    local = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds + offset_minutes * 60)
    text = local.strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{nanos:09d}".rstrip("0")
    if fraction:
        text += "." + fraction
    if zulu and offset_minutes == 0:
        return text + "Z"
    return text + _format_offset(offset_minutes)


def _format_offset(offset_minutes):
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def days_between(first, last):
    """Every date from `first` to `last`, both included."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
