"""Questions asked of the binary (balance, accounts, statement) and answered by the model."""

import zone_time
from book import format_amount
from ledger_driver import parse_rows

TYPE_NAMES = {"deposit": "deposit", "withdraw": "withdrawal"}


class QueryChecks:
    """Compares query answers of one data directory with the model of a seed run.

    `run` is the SeedRun: its book, runner, reporter, tally, zone and generator.
    """

    def __init__(self, run, data_dir=None, label="", copy=False):
        self.run = run
        self.data_dir = data_dir
        self.label = label
        # A copy made from an export holds "seq:N" refs where the original had none (or the
        # content key of an import row without one).
        self.copy = copy

    # ----- plumbing

    def ask(self, args):
        fmt = self.run.rng.choice(("csv", "json", "jsonl"))
        tz = self.run.runner.pick_tz(self.run.zone)
        result = self.run.runner.run(["--format", fmt] + args, tz, self.data_dir)
        self.run.tally["queries"] += 1
        return result, fmt

    def rows(self, result, fmt, expected_text):
        """The rows printed, or None (reported) when the query failed or printed garbage."""
        if result.rc != 0:
            self.mismatch("query failed", result, expected_text,
                          f"exit {result.rc}: {result.err.strip()}")
            return None
        try:
            return parse_rows(result.out, fmt)
        except ValueError as error:
            self.mismatch("unreadable output", result, expected_text, f"{error}: {result.out!r}")
            return None

    def mismatch(self, category, result, expected, actual):
        self.run.reporter.mismatch(self.label + category, self.run.seed, result.command_line(),
                                   expected, actual)

    def expect_unknown(self, category, result, account_id):
        """An account not opened by the cutoff: a refusal (exit 1), not an answer."""
        if result.rc != 1:
            self.mismatch(category, result, f"exit 1: {account_id} not opened by then",
                          f"exit {result.rc}: {result.out.strip()[:200]} {result.err.strip()}")

    # ----- balance

    def balance_one(self, account_id, cutoff_text, cutoff):
        """balance ACC --at T."""
        result, fmt = self.ask(["balance", account_id, "--at", cutoff_text])
        expected = self.run.book.balance_at(account_id, cutoff)
        self.run.tally["balance comparisons"] += 1
        if expected is None:
            self.expect_unknown("balance --at: not opened yet", result, account_id)
            return
        currency = self.run.book.accounts[account_id].currency
        want = [(account_id, format_amount(expected, currency), currency)]
        rows = self.rows(result, fmt, want)
        if rows is None:
            return
        got = [(r.get("account"), r.get("balance"), r.get("currency")) for r in rows]
        if got != want:
            self.mismatch("balance --at", result, want, got)

    def balance_all(self, cutoff_text, cutoff):
        """balance --at T: every account opened by then."""
        result, fmt = self.ask(["balance", "--at", cutoff_text])
        expected = {
            account_id: (format_amount(row["balance"], row["currency"]), row["currency"])
            for account_id, row in self.run.book.accounts_at(cutoff).items()}
        self.run.tally["balance comparisons"] += 1
        rows = self.rows(result, fmt, expected)
        if rows is None:
            return
        got = {r.get("account"): (r.get("balance"), r.get("currency")) for r in rows}
        if got != expected:
            self.mismatch("balance --at (all accounts)", result, *_diff(expected, got))

    # ----- accounts

    def accounts(self, cutoff_text, cutoff):
        """accounts [--at T]: status, balance, currency, owner, limit and opening day."""
        args = ["accounts"] + (["--at", cutoff_text] if cutoff_text else [])
        result, fmt = self.ask(args)
        self.run.tally["accounts comparisons"] += 1
        expected = {k: self._account_row(v) for k, v in self.run.book.accounts_at(cutoff).items()}
        rows = self.rows(result, fmt, expected)
        if rows is None:
            return
        got = {r.get("account"): self._printed_account(r) for r in rows}
        if got != expected:
            self.mismatch("accounts --at", result, *_diff(expected, got))
        self._check_opened_forms(result, rows)

    def _account_row(self, row):
        currency = row["currency"]
        return (format_amount(row["balance"], currency), currency, row["status"], row["owner"],
                format_amount(row["overdraft_limit"], currency),
                zone_time.zone_day(self.run.zone, row["opened"]).isoformat())

    def _printed_account(self, row):
        opened = self.printed_position(row.get("opened", ""))
        opened_day = (zone_time.zone_day(self.run.zone, opened[1]).isoformat()
                      if opened else row.get("opened"))
        return (row.get("balance"), row.get("currency"), row.get("status"), row.get("owner"),
                row.get("overdraft_limit"), opened_day)

    def _check_opened_forms(self, result, rows):
        """Accounts open for whole days: the opening is a date, printed as one."""
        for row in rows:
            opened = self.printed_position(row.get("opened", ""))
            if opened and opened[0] != "date":
                self.mismatch("accounts: opening day printed as an instant", result,
                              "YYYY-MM-DD", row.get("opened"))
                return

    # ----- statement

    def statement(self, account_id, from_text, first, to_text, last):
        """statement ACC --from A --to B: the lines, in effective order, with running balances."""
        result, fmt = self.ask(["statement", account_id, "--from", from_text, "--to", to_text])
        self.run.tally["statement comparisons"] += 1
        lines = self.run.book.statement(account_id, first, last)
        want = [self._expected_line(account_id, *line) for line in lines]
        rows = self.rows(result, fmt, [w[1] for w in want])
        if rows is None:
            return
        got = [self._printed_line(row) for row in rows]
        got = [_row_key_shown_or_not(w, g) for w, g in zip(want, got)] + got[len(want):]
        if [w[0] for w in want] != [g[0] for g in got]:
            # Say so when only the printed positions differ: order and balances are right.
            only_dates = [w[0][1:] for w in want] == [g[0][1:] for g in got]
            category = "statement: printed dates" if only_dates else "statement lines"
            self.mismatch(category, result, *_lines_text(want, got))
            return
        self._check_date_forms(result, lines, rows)

    def _expected_line(self, account_id, entry, delta, running):
        """(comparable tuple, text for a report) of one expected statement line."""
        currency = self.run.book.accounts[account_id].currency
        if entry.kind == "transfer":
            kind = "transfer out" if delta < 0 else "transfer in"
            other = entry.to if delta < 0 else entry.account
        else:
            kind, other = TYPE_NAMES[entry.kind], ""
        ref = entry.ref or ("*" if self.copy else "row key" if entry.row_keyed else "")
        key = (entry.pos, kind, other, format_amount(delta, currency),
               format_amount(running, currency), currency, entry.memo, ref)
        zone = self.run.zone
        shown = zone_time.zone_day(zone, entry.pos).isoformat() if entry.dated else (
            zone_time.format_instant(entry.pos, zone_time.zone_offset_minutes(zone, entry.pos)))
        return key, f"{shown} {kind} {other} {key[3]} -> {key[4]} {entry.memo!r} {ref}"

    def _printed_line(self, row):
        printed = self.printed_position(row.get("date", ""))
        ref = row.get("ref", "")
        if self.copy and ref.startswith(("seq:", "row:")):
            ref = "*"
        elif ref.startswith("row:"):
            ref = "row key"
        key = (printed[1] if printed else row.get("date"), row.get("type"),
               row.get("counterparty"), row.get("amount"), row.get("balance"),
               row.get("currency"), row.get("memo"), ref)
        return key, (f"{row.get('date')} {key[1]} {key[2]} {key[3]} -> {key[4]} "
                     f"{key[6]!r} {key[7]}")

    def _check_date_forms(self, result, lines, rows):
        """Dated entries print as YYYY-MM-DD. (An instant is judged by its position alone: one
        at the very start of a day may print as that day.)"""
        for (entry, _delta, _running), row in zip(lines, rows):
            form = self.printed_position(row.get("date", ""))[0]
            if entry.dated and form != "date":
                expected = "the date " + zone_time.zone_day(self.run.zone, entry.pos).isoformat()
                self.mismatch("statement: a dated entry printed as an instant", result, expected,
                              row.get("date"))
                return

    def printed_position(self, text):
        """("date", first instant of the day) or ("instant", position) of a printed date."""
        day = zone_time.parse_day(text)
        if day is not None:
            return "date", zone_time.day_start(self.run.zone, day)
        position = zone_time.parse_instant(text, printed=True)
        return ("instant", position) if position is not None else None


def _row_key_shown_or_not(want, got):
    """An import row without a ref may print with no ref or with its content key."""
    if want[0][7] == "row key" and got[0][7] == "":
        return got[0][:7] + ("row key",), got[1]
    return got


def _diff(expected, got):
    """(expected, printed) of only the keys that differ, for a readable report."""
    keys = sorted(k for k in set(expected) | set(got) if expected.get(k) != got.get(k))
    return ({k: expected.get(k, "<absent>") for k in keys},
            {k: got.get(k, "<absent>") for k in keys})


def _lines_text(want, got):
    """Expected and printed lines from the first that differs (a few of each)."""
    first = next((i for i, (w, g) in enumerate(zip(want, got)) if w[0] != g[0]),
                 min(len(want), len(got)))
    span = slice(max(first - 1, 0), first + 4)
    mark = lambda i: " <<" if i == first else ""  # noqa: E731
    expected = [f"{i + 1}: {w[1]}{mark(i)}" for i, w in enumerate(want)][span]
    actual = [f"{i + 1}: {g[1]}{mark(i)}" for i, g in enumerate(got)][span]
    return (f"{len(want)} lines, from line {first + 1}: {expected}",
            f"{len(got)} lines: {actual}")
