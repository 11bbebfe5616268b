"""The model against answers worked out by hand, so that the oracle is itself tested.

Run alone with `python3 -m unittest model_test` in this folder; timeline_model.py runs it first.
"""

import datetime as dt
import unittest

import zone_time
from book import Book, Command, decide_import


def day(text):
    return dt.date.fromisoformat(text)


def instant(text):
    return zone_time.parse_instant(text)


class Ledger:
    """A model book driven like the command line, for short scenarios."""

    def __init__(self, zone="UTC"):
        self.book = Book(zone)

    def do(self, kind, account, amount=None, when=None, to=None, **more):
        cmd = Command(kind, account, to=to, amount=amount, when=when, **more)
        decision = self.book.decide(cmd)
        if decision.outcome == "write":
            self.book.apply(cmd, decision)
        return decision

    def rules(self, *args, **kwargs):
        return {r.rule: sorted(d.isoformat() for d in (r.dates or ()))
                for r in self.do(*args, **kwargs).refusals}


class Positions(unittest.TestCase):
    def test_a_date_is_the_first_instant_and_a_close_the_last_of_the_day_in_the_zone(self):
        book = Book("Asia/Tokyo")
        self.assertEqual(book.position("deposit", "2024-03-10"),
                         (instant("2024-03-09T15:00:00Z"), True))
        self.assertEqual(book.position("close", "2024-03-10")[0],
                         instant("2024-03-10T14:59:59.999999999Z"))

    def test_an_open_at_an_instant_opens_the_whole_day_of_that_instant_in_the_zone(self):
        book = Book("Asia/Tokyo")
        position, dated = book.position("open", "2024-05-10T23:30:00-05:00")
        self.assertEqual(position, instant("2024-05-11T00:00:00+09:00"))
        self.assertFalse(dated)

    def test_days_around_a_clock_change_keep_their_length(self):
        first = zone_time.day_start("America/New_York", day("2024-03-10"))
        after = zone_time.day_end("America/New_York", day("2024-03-10")) + 1
        self.assertEqual(after - first, 23 * 3600 * zone_time.NS_PER_S)
        self.assertEqual(first, instant("2024-03-10T00:00:00-05:00"))


class Rules(unittest.TestCase):
    def setUp(self):
        self.ledger = Ledger()
        self.ledger.do("open", "A", when="2024-01-01")
        self.ledger.do("deposit", "A", "100", "2024-01-10")
        self.ledger.do("withdraw", "A", "80", "2024-01-20")

    def test_a_backdated_withdrawal_is_refused_at_the_later_point_it_breaks(self):
        self.assertEqual(self.ledger.rules("withdraw", "A", "30", "2024-01-15"),
                         {"overdraft": ["2024-01-20"]})
        self.assertEqual(self.ledger.rules("withdraw", "A", "30", "2024-01-05"),
                         {"overdraft": ["2024-01-05", "2024-01-20"]})
        self.assertEqual(self.ledger.do("withdraw", "A", "20", "2024-01-15").outcome, "write")

    def test_an_entry_before_the_opening_day_is_refused_and_one_on_it_accepted(self):
        self.assertIn("before the open",
                      self.ledger.rules("deposit", "A", "1", "2023-12-31T23:59:59.999999999Z"))
        self.assertEqual(self.ledger.do("deposit", "A", "1", "2024-01-01T00:00:00Z").outcome,
                         "write")

    def test_a_close_needs_zero_and_nothing_after_it(self):
        self.assertIn("close with money", self.ledger.rules("close", "A", when="2024-01-25"))
        self.ledger.do("withdraw", "A", "20", "2024-01-25T23:59:59.999999999Z")
        self.assertEqual(self.ledger.rules("close", "A", when="2024-01-24"),
                         {"entries after the close": ["2024-01-24", "2024-01-25"],
                          "close with money": ["2024-01-24"]})
        self.assertEqual(self.ledger.do("close", "A", when="2024-01-25").outcome, "write")
        self.assertIn("account closed", self.ledger.rules("deposit", "A", "1", "2024-01-02"))

    def test_a_retry_with_the_same_ref_is_a_no_op_and_other_content_a_conflict(self):
        self.assertEqual(self.ledger.do("deposit", "A", "5", "2024-02-01", ref="r").outcome,
                         "write")
        self.assertEqual(self.ledger.do("deposit", "A", "5.00", "2024-02-01", ref="r").outcome,
                         "noop")
        self.assertIn("ref conflict", self.ledger.rules("deposit", "A", "6", "2024-02-01",
                                                        ref="r"))

    def test_bad_input_is_rejected_before_any_rule(self):
        self.assertEqual(self.ledger.do("deposit", "A", "1.234", "2024-02-01").outcome, "bad")
        self.assertEqual(self.ledger.do("deposit", "A", "1", "2024-02-30").outcome, "bad")
        self.assertEqual(self.ledger.do("deposit", "A", "1", "2099-01-01").outcome, "bad")


class Queries(unittest.TestCase):
    def test_ties_keep_the_order_of_acceptance_and_days_include_their_last_instant(self):
        ledger = Ledger("America/New_York")
        ledger.do("open", "A", when="2024-01-01")
        ledger.do("deposit", "A", "100", "2024-02-01")
        ledger.do("withdraw", "A", "100", "2024-02-01T00:00:00-05:00")
        ledger.do("deposit", "A", "7", "2024-02-01T23:59:59.999999999-05:00")
        book = ledger.book
        end = zone_time.day_end("America/New_York", day("2024-02-01"))
        self.assertEqual([line[2] for line in book.statement("A", 0, end)], [10000, 0, 700])
        self.assertEqual(book.balance_at("A", end), 700)
        self.assertEqual(book.balance_at("A", end - 1), 0)
        self.assertIsNone(book.balance_at("A", instant("2024-01-01T04:59:59Z")))


class Imports(unittest.TestCase):
    def rows(self, *rows):
        return [(line, Command(*row[:2], amount=row[2], when=row[3]))
                for line, row in enumerate(rows, start=2)]

    def test_rows_apply_in_timeline_order_whatever_the_file_order(self):
        outcome = decide_import(Book("UTC"), self.rows(
            ("withdraw", "A", "50", "2024-01-20"), ("deposit", "A", "100", "2024-01-10"),
            ("open", "A", None, "2024-01-01")))
        self.assertEqual((outcome.bad_lines, outcome.new_count), ({}, 3))

    def test_rows_of_one_position_count_together_whatever_their_order(self):
        opened = decide_import(Book("UTC"), self.rows(("open", "A", None, "2024-01-01"))).book
        for rows in ((("deposit", "A", "9", "2024-01-02"), ("withdraw", "A", "9", "2024-01-02")),
                     (("withdraw", "A", "9", "2024-01-02"), ("deposit", "A", "9", "2024-01-02"))):
            outcome = decide_import(opened, self.rows(*rows))
            self.assertEqual((outcome.bad_lines, outcome.new_count), ({}, 2))
        # Too much for the day: the account's first row there is named, in either order.
        for rows in ((("withdraw", "A", "10", "2024-01-02"), ("deposit", "A", "9", "2024-01-02")),
                     (("deposit", "A", "9", "2024-01-02"), ("withdraw", "A", "10", "2024-01-02"))):
            bad = decide_import(opened, self.rows(*rows))
            self.assertEqual(list(bad.bad_lines), [2])
            self.assertIs(bad.book, opened)

if __name__ == "__main__":
    unittest.main()
