"""Import batches: rows written in a shuffled order (newest first, reversed, random), checked
against the model's import, which applies them in timeline order; all rows or none."""

import csv
import dataclasses
import json
import os
import re

from book import DECIMALS, BadInput, Command, decide_import
from generate import BAD_DATES, FIRST_DAY, FUTURE_DATES, LAST_DAY
from ledger_driver import dir_state
from report import SeedDiverged

BASE_COLUMNS = ["op", "account", "amount", "to", "date", "memo", "ref"]
OPEN_COLUMNS = ["currency", "owner", "overdraft_limit"]
ORDERS = ("shuffled", "newest first", "oldest first", "reversed", "as generated")


@dataclasses.dataclass
class Batch:
    """Rows in file order; `ids` says which generated row each line holds."""
    rows: list
    ids: list
    fmt: str
    path: str = ""

    def line_of(self, index):
        return index + (2 if self.fmt == "csv" else 1)

    def numbered(self):
        return [(self.line_of(i), row) for i, row in enumerate(self.rows)]

    def id_of_line(self, line):
        index = line - self.line_of(0)
        return self.ids[index] if 0 <= index < len(self.ids) else None


class ImportSteps:
    def __init__(self, run):
        self.run = run
        self.rng = run.rng
        self.gen = run.gen
        self.files = 0

    @property
    def book(self):
        return self.run.book

    @property
    def steps(self):
        return self.run.steps

    # ----- a batch from start to end

    def batch(self):
        rows = self.clean(self.fresh_rows())
        if not rows:
            return
        if self.rng.random() < 0.35:
            self.insert(rows, self.bad_row())
        if self.rng.random() < 0.12 and self.run.ref_commands:
            self.insert(rows, dataclasses.replace(self.rng.choice(self.run.ref_commands)))
        fmt = "csv" if self.rng.random() < 0.7 else "jsonl"
        batch = self.ordered(rows, fmt)
        if self.rng.random() < 0.2:
            self.run_batch(batch, dry_run=True)
        outcome = self.run_batch(batch)
        if outcome.bad_lines and self.rng.random() < 0.5:
            self.run_batch(self.ordered(rows, fmt, "reversed"))
        elif not outcome.bad_lines and self.rng.random() < 0.2:
            self.run_batch(self.ordered(rows, fmt))  # a re-run: every row already recorded

    def insert(self, rows, row):
        if row is not None:
            rows.insert(self.rng.randint(0, len(rows)), row)

    def clean(self, rows):
        """Leave out the rows the model would refuse (and those that fall with them), so that a
        batch is bad only when a bad row is put in on purpose."""
        for _ in range(8):
            outcome = decide_import(self.book, [(i, row) for i, row in enumerate(rows)])
            if not outcome.bad_lines:
                return rows
            rows = [row for i, row in enumerate(rows) if i not in outcome.bad_lines]
        return []

    def ordered(self, rows, fmt, order=None):
        order = order or self.rng.choice(ORDERS)
        ids = list(range(len(rows)))
        if order == "shuffled":
            self.rng.shuffle(ids)
        elif order == "reversed":
            ids.reverse()
        elif order in ("newest first", "oldest first"):
            ids.sort(key=lambda i: self.sort_position(rows[i]), reverse=order == "newest first")
        return Batch([rows[i] for i in ids], ids, fmt)

    def sort_position(self, row):
        try:
            return self.book.position(row.kind, row.when)[0]
        except BadInput:  # a bad date sorts first; where it goes does not matter
            return 0

    # ----- running and judging

    def run_batch(self, batch, dry_run=False):
        self.write_file(batch)
        outcome = decide_import(self.book, batch.numbered())
        args = ["import", batch.path] + (["--format", batch.fmt] if self.rng.random() < 0.5 else [])
        args += ["--dry-run"] if dry_run else []
        before = self.run_state()
        result = self.run.runner.run(args, self.run.runner.pick_tz(self.run.zone))
        written = self.run_state() != before
        self.judge(batch, outcome, result, written, dry_run)
        if not dry_run:
            self.follow(batch, outcome, written)
        return outcome

    def run_state(self):
        return dir_state(self.run.data_dir)

    def judge(self, batch, outcome, result, written, dry_run):
        name = "import --dry-run" if dry_run else "import"
        expected_rc = 65 if outcome.bad_lines else 0
        should_write = not dry_run and not outcome.bad_lines and outcome.new_count > 0
        expected = (f"exit 65, bad lines {sorted(outcome.bad_lines.items())}" if outcome.bad_lines
                    else f"exit 0, {outcome.new_count} new, {outcome.recorded_count} recorded")
        actual = (f"exit {result.rc}{', files changed' if written else ''}: "
                  f"{result.out.strip()} {result.err.strip()[:1500]}")
        category = None
        if result.rc != expected_rc:
            verdict = "refuses rows" if outcome.bad_lines else "accepts"
            category = f"{name}: model {verdict}, binary exit {result.rc}"
        elif written != should_write:
            category = f"{name}: {'nothing' if should_write else 'something'} written, " \
                       f"model expects {'writes' if should_write else 'none'}"
        command = result.command_line() + f"   # file: {batch.path}"
        if category:
            self.run.reporter.mismatch(category, self.run.seed, command, expected, actual)
        elif outcome.bad_lines:
            self.check_errors(batch, outcome, result, command)
        else:
            self.check_counts(outcome, result, command)
        self.count(batch, outcome, result.rc == expected_rc, dry_run)

    def check_counts(self, outcome, result, command):
        """"N new, M already recorded", where the binary says it."""
        match = re.search(r"(\d+) new, (\d+) already recorded", result.out + result.err)
        if match and (int(match.group(1)), int(match.group(2))) != (
                outcome.new_count, outcome.recorded_count):
            self.run.reporter.mismatch("import: counts of new and recorded rows", self.run.seed,
                                       command, (outcome.new_count, outcome.recorded_count),
                                       match.group(0))

    def check_errors(self, batch, outcome, result, command):
        """Errors name FILE:LINE:COL of rows that are bad, and every bad row is named."""
        pattern = re.compile(re.escape(batch.path) + r":(\d+)(?::(\d+))?:")
        found = [pattern.match(line) for line in result.error_lines()]
        found = [m for m in found if m]
        reported = {int(m.group(1)) for m in found}
        report = self.run.reporter.mismatch
        seed = self.run.seed
        if not reported:
            report("import: errors name no FILE:LINE", seed, command,
                   "FILE:LINE:COL: ...", result.err.strip())
            return
        if batch.fmt == "csv" and any(m.group(2) is None for m in found):
            report("import: csv error without a column", seed, command, "FILE:LINE:COL",
                   result.err.strip())
        bad = set(outcome.bad_lines)
        if reported - bad:
            report("import: error on a row the model accepts", seed, command,
                   sorted(outcome.bad_lines.items()), self.rows_text(batch, reported - bad))
        if bad - reported and len(bad) <= 10:
            report("import: bad row not reported", seed, command,
                   sorted(outcome.bad_lines.items()), result.err.strip())

    def rows_text(self, batch, lines):
        return {line: dataclasses.asdict(batch.rows[line - batch.line_of(0)])
                for line in sorted(lines) if 0 <= line - batch.line_of(0) < len(batch.rows)}

    def count(self, batch, outcome, agreed, dry_run):
        tally = self.run.tally
        tally["import runs"] += 1
        if dry_run:
            tally["import dry runs"] += 1
        elif outcome.bad_lines:
            tally["imports refused"] += 1
        elif outcome.new_count:
            tally["imports written"] += 1
            tally["import rows written"] += outcome.new_count
        else:
            tally["imports already recorded"] += 1

    def follow(self, batch, outcome, written):
        """Take the model's books after the import when the binary wrote it too."""
        if not written:
            return
        if outcome.bad_lines:
            raise SeedDiverged("the binary wrote an import that the model refuses")
        self.run.book = outcome.book
        self.run.ref_commands += [row for row in batch.rows
                                  if row.ref is not None and row.ref in outcome.book.refs]

    # ----- files

    def write_file(self, batch):
        self.files += 1
        batch.path = os.path.join(self.run.tmp, f"batch-{self.files}.{batch.fmt}")
        if batch.fmt == "csv":
            self.write_csv(batch)
        else:
            self.write_jsonl(batch)

    def write_csv(self, batch):
        columns = list(BASE_COLUMNS)
        if any(row.kind == "open" for row in batch.rows) or self.rng.random() < 0.3:
            columns += OPEN_COLUMNS
        if self.rng.random() < 0.5:
            self.rng.shuffle(columns)
        with open(batch.path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in batch.rows:
                fields = row_fields(row)
                writer.writerow([fields.get(column, "") for column in columns])

    def write_jsonl(self, batch):
        with open(batch.path, "w", encoding="utf-8") as handle:
            for row in batch.rows:
                fields = {k: v for k, v in row_fields(row).items() if v}
                handle.write(json.dumps(fields, ensure_ascii=False) + "\n")

    # ----- rows

    def fresh_rows(self):
        """New accounts (one of them perhaps opened, used and closed within the file) and money
        rows on every usable account, dated anywhere in their lives."""
        rows, info = [], {}
        for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
            row = self.steps.open_command(self.gen.account_id())
            rows.append(row)
            info[row.account] = (row.currency, self.day_of(row))
        if info and self.rng.random() < 0.3:
            account_id = next(iter(info))
            rows += self.life_in_file(account_id, *info.pop(account_id))
        for account_id in self.steps.usable():
            info[account_id] = (self.steps.currency(account_id), self.steps.open_day(account_id))
        for _ in range(self.rng.randint(2, 14)):
            row = self.money_row(info)
            if row is not None:
                rows.append(row)
        return rows

    def day_of(self, row):
        return self.book.day(self.book.position(row.kind, row.when)[0])

    def life_in_file(self, account_id, currency, opened):
        """A deposit, a withdrawal of all of it, and the close, all in one file."""
        minor = self.gen.deposit_minor(currency)
        amount = self.gen.amount_text(minor, currency)
        days = sorted(self.gen.day_between(opened, LAST_DAY) for _ in range(3))
        first_when = self.gen.when_on(days[0])
        return [
            self.keyed(Command("deposit", account_id, amount=amount, when=first_when)),
            self.keyed(Command("withdraw", account_id, amount=amount, when=days[1].isoformat())),
            self.keyed(Command("close", account_id, when=self.gen.when_on(days[2], 0.2))),
        ]

    def money_row(self, info):
        account_id = self.rng.choice(sorted(info))
        currency, opened = info[account_id]
        when = self.gen.when_on(self.gen.day_between(opened, LAST_DAY))
        kind = self.rng.choice(("deposit", "deposit", "deposit", "withdraw", "withdraw",
                                "transfer"))
        to = None
        minor = self.gen.deposit_minor(currency)
        if kind != "deposit":
            minor = self.takeable(account_id, when, minor)
        if kind == "transfer":
            peers = [a for a, (c, _d) in info.items() if c == currency and a != account_id]
            if not peers:
                return None
            to = self.rng.choice(sorted(peers))
        return self.keyed(Command(kind, account_id, to=to, when=when,
                                  amount=self.gen.amount_text(minor, currency)))

    def takeable(self, account_id, when, minor):
        """Less than the headroom the books give now, for accounts that exist already."""
        if account_id not in self.book.accounts:
            return max(1, minor // 20)
        headroom = self.book.headroom(account_id, self.book.position("withdraw", when)[0])
        return self.rng.randint(1, headroom) if headroom > 0 else minor

    def keyed(self, row):
        """A ref on some rows; a unique memo on the others, which are keyed by content."""
        if self.rng.random() < 0.4:
            row.ref = f"i{self.run.seed}-{self.gen.next_serial()}"
            row.memo = self.gen.memo()
        else:
            row.memo = self.gen.unique_memo()
        return row

    def bad_row(self):
        """One row that a rule or the input checks refuse."""
        makers = [self.overdraft_row, self.closed_row, self.before_open_row, self.unknown_row,
                  self.cross_currency_row, self.bad_amount_row, self.bad_date_row,
                  self.close_with_money_row, self.ref_conflict_row]
        return self.rng.choice(makers)()

    def overdraft_row(self):
        account_id = self.steps.pick_usable()
        day = self.gen.day_between(self.steps.open_day(account_id),
                                   self.book.day(self.book.last_position(account_id)))
        position = self.book.position("withdraw", day.isoformat())[0]
        headroom = self.book.headroom(account_id, position)
        currency = self.steps.currency(account_id)
        minor = max(headroom, 0) + self.rng.randint(1, 10 ** DECIMALS[currency] * 100)
        return self.keyed(Command("withdraw", account_id, when=self.gen.when_on(day),
                                  amount=self.gen.amount_text(minor, currency)))

    def closed_row(self):
        if not self.steps.closed():
            return self.unknown_row()
        account_id = self.rng.choice(self.steps.closed())
        day = self.gen.day_between(self.steps.open_day(account_id), LAST_DAY)
        return self.keyed(Command("deposit", account_id, when=day.isoformat(), amount="1"))

    def before_open_row(self):
        account_id = self.steps.pick_usable()
        day = self.gen.day_between(FIRST_DAY, self.steps.open_day(account_id))
        when = self.gen.instant_text(self.book.accounts[account_id].open_pos - 1)
        if day < self.steps.open_day(account_id) and self.rng.random() < 0.6:
            when = day.isoformat()
        return self.keyed(Command("deposit", account_id, when=when, amount="1"))

    def unknown_row(self):
        return self.keyed(Command("deposit", f"GHOST-{self.gen.next_serial()}", amount="5",
                                  when=self.gen.random_day_text()))

    def cross_currency_row(self):
        usable = self.steps.usable()
        pairs = [(a, b) for a in usable for b in usable
                 if self.steps.currency(a) != self.steps.currency(b)]
        if not pairs:
            return self.unknown_row()
        sender, receiver = self.rng.choice(pairs)
        day = self.gen.day_between(max(self.steps.open_day(sender), self.steps.open_day(receiver)),
                                   LAST_DAY)
        return self.keyed(Command("transfer", sender, to=receiver, amount="1",
                                  when=day.isoformat()))

    def bad_amount_row(self):
        account_id = self.steps.pick_usable()
        return self.keyed(Command("deposit", account_id,
                                  amount=self.gen.bad_amount(self.steps.currency(account_id)),
                                  when=self.steps.life_day(account_id).isoformat()))

    def bad_date_row(self):
        account_id = self.steps.pick_usable()
        when = self.rng.choice(BAD_DATES + FUTURE_DATES)
        return self.keyed(Command("deposit", account_id, amount="1", when=when))

    def close_with_money_row(self):
        funded = [a for a in self.steps.usable() if self.book.balance_at(a, 2 ** 63)]
        if not funded:
            return self.overdraft_row()
        account_id = self.rng.choice(funded)
        day = self.gen.day_between(self.book.day(self.book.last_position(account_id)), LAST_DAY)
        return self.keyed(Command("close", account_id, when=day.isoformat()))

    def ref_conflict_row(self):
        money = [c for c in self.run.ref_commands if c.kind in ("deposit", "withdraw")]
        if not money:
            return self.overdraft_row()
        row = dataclasses.replace(self.rng.choice(money))
        row.kind = "withdraw" if row.kind == "deposit" else "deposit"
        return row


def row_fields(row):
    """A Command as the columns of an import row."""
    return {"op": row.kind, "account": row.account, "amount": row.amount or "",
            "to": row.to or "", "date": row.when or "", "memo": row.memo or "",
            "ref": row.ref or "", "currency": row.currency or "" if row.kind == "open" else "",
            "owner": row.owner or "", "overdraft_limit": row.limit or ""}
