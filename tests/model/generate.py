"""Random texts as a user would type them: dates, instants, amounts, names."""

import datetime as dt

import zone_time
from book import DECIMALS, format_amount

FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
# Offsets an instant may be written with, in minutes (Z and +00:00 both for UTC).
OFFSETS = (0, 0, 540, -300, -240, -480, 60, 120, 330, -600, 345, 780)
# Days whose edges are easy to get wrong: a leap day, the clock changes of New York (23 and 25
# hour days there), and a year's end.
EDGE_DAYS = tuple(dt.date.fromisoformat(d) for d in (
    "2024-02-29", "2024-03-10", "2024-11-03", "2024-12-31", "2025-01-01", "2025-03-09",
    "2025-11-02"))
BAD_DATES = ("2024-02-30", "2024-13-01", "2025-02-29", "20240301", "2024-03-01T25:00:00Z",
             "2024-03-01T10:61:00+09:00", "2024-3-1", "next tuesday", "2024-03-01T10:00:00+25:00")
FUTURE_DATES = ("2027-01-15", "2031-06-01T00:00:00Z", "2099-12-31", "2028-02-29T23:00:00-05:00")
OWNERS = ("Ada Lovelace", "Grace Hopper", "Zoë Ł. Ñandú", "O'Brien, Pat", "Kim \"KJ\" Jong",
          "", "Émile Borel")
MEMOS = ("salary", "rent, March", "coffee", "refund \"late\"", "café au lait", "fee", "gift")


class Gen:
    """Draws every random text of one seed from that seed's generator."""

    def __init__(self, rng, zone):
        self.rng = rng
        self.zone = zone
        self.serial = 0

    def next_serial(self):
        self.serial += 1
        return self.serial

    # ----- days and instants

    def day_between(self, first, last):
        first, last = max(first, FIRST_DAY), min(last, LAST_DAY)
        if last <= first:
            return first
        edges = [d for d in EDGE_DAYS if first <= d <= last]
        if edges and self.rng.random() < 0.06:
            return self.rng.choice(edges)
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def early_day(self):
        """Opening days lean to the start, so that later entries have room to land."""
        span = (LAST_DAY - FIRST_DAY).days
        return FIRST_DAY + dt.timedelta(days=int(span * self.rng.random() ** 2.5))

    def instant_on(self, day):
        """An instant whose date in the ledger's zone is `day`, now and then on its very edges."""
        start = zone_time.day_start(self.zone, day)
        end = zone_time.day_end(self.zone, day)
        style = self.rng.random()
        if style < 0.12:
            position = start
        elif style < 0.22:
            position = end
        elif style < 0.35:
            position = self.rng.randint(start, end)
        else:
            seconds = self.rng.randint(0, (end + 1 - start) // zone_time.NS_PER_S - 1)
            position = start + seconds * zone_time.NS_PER_S
        return self.instant_text(position)

    def instant_text(self, position):
        """`position` written at a random offset, or at the zone's own."""
        if self.rng.random() < 0.3:
            offset = zone_time.zone_offset_minutes(self.zone, position)
        else:
            offset = self.rng.choice(OFFSETS)
        return zone_time.format_instant(position, offset, zulu=self.rng.random() < 0.5)

    def when_on(self, day, instant_share=0.3):
        """A date as typed: mostly the day itself, sometimes an instant on it."""
        if self.rng.random() < instant_share:
            return self.instant_on(day)
        return day.isoformat()

    def random_day_text(self):
        return self.day_between(FIRST_DAY, LAST_DAY).isoformat()

    # ----- amounts and names

    def amount_text(self, minor, currency):
        """`minor` as a user might type it: trailing zeros of the fraction kept or dropped."""
        text = format_amount(minor, currency)
        if "." in text and self.rng.random() < 0.5:
            text = text.rstrip("0").rstrip(".")
        return text

    def deposit_minor(self, currency):
        scale = 10 ** DECIMALS[currency]
        if self.rng.random() < 0.3:
            return self.rng.randint(1, 50 * scale)
        return self.rng.randint(1, 3000 * scale)

    def limit_text(self, currency):
        scale = 10 ** DECIMALS[currency]
        minor = self.rng.choice((0, 0, 0, self.rng.randint(1, 500 * scale)))
        return self.amount_text(minor, currency) if minor else "0"

    def bad_amount(self, currency):
        """A typed amount the product must reject as bad input, for an account of `currency`."""
        too_fine = {"USD": "12.345", "JPY": "1.5", "BHD": "1.2345"}[currency]
        return self.rng.choice((too_fine, too_fine, "0", "0.00", "abc", "1e3", "12abc", "1,5"))

    def bad_limit(self, currency):
        """An overdraft limit the product must reject as bad input."""
        too_fine = {"USD": "10.001", "JPY": "0.5", "BHD": "1.2345"}[currency]
        return self.rng.choice((too_fine, "abc", "1e3", "5,00"))

    def account_id(self):
        shapes = ("ACC-{:03d}", "cash.{}", "sav_{}", "x:{}", "Biz-{}")
        return self.rng.choice(shapes).format(self.next_serial())

    def owner(self):
        return self.rng.choice(OWNERS)

    def memo(self):
        return self.rng.choice(MEMOS) if self.rng.random() < 0.4 else ""

    def unique_memo(self):
        """Import rows without a ref are keyed by their content: a unique memo keeps two
        batches from sharing a key by chance."""
        return f"row {self.next_serial()}" + (", " + self.rng.choice(MEMOS)
                                               if self.rng.random() < 0.3 else "")

    def currency(self):
        return self.rng.choice(("USD", "USD", "JPY", "BHD"))
