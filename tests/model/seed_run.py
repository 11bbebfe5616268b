"""One seed: a ledger in a zone, a random history written to it, and every answer checked."""

import datetime as dt
import os
import random
import re
import shutil
import tempfile

import zone_time
from book import Book, MONEY_KINDS
from checks import QueryChecks
from generate import FIRST_DAY, LAST_DAY, Gen
from import_steps import ImportSteps
from ledger_driver import Runner, dir_state
from report import SeedDiverged
from steps import Steps

LEDGER_ZONES = ("UTC", "America/New_York", "Asia/Tokyo")
# Store options per seed: small segments and frequent snapshots put backdated entries behind
# sealed segments and snapshots, where --at reads derived indexes rather than the log.
STORE_OPTIONS = ([], [], ["--segment-size", "4096"], ["--snapshot-every", "7"],
                 ["--segment-size", "4096", "--snapshot-every", "5"])
ONE_DAY = dt.timedelta(days=1)
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SeedRun:
    def __init__(self, seed, options, features, reporter, tally):
        self.seed = seed
        self.options = options
        self.features = features
        self.reporter = reporter
        self.tally = tally
        self.rng = random.Random(seed)
        # By turns, so that any three seeds in a row cover every zone.
        self.zone = LEDGER_ZONES[seed % len(LEDGER_ZONES)]
        self.tmp = tempfile.mkdtemp(prefix=f"timeline-model-{seed}-")
        self.data_dir = os.path.join(self.tmp, "books")
        self.store_options = self.rng.choice(STORE_OPTIONS)
        self.runner = Runner(options.ledger, self.data_dir, self.rng, options.reader_tz,
                             self.store_options)
        self.book = Book(self.zone)
        self.gen = Gen(self.rng, self.zone)
        self.queries = QueryChecks(self)
        self.imports = ImportSteps(self)
        self.steps = Steps(self)
        self.ref_commands = []   # accepted commands that carry a ref, for retries
        self.cutoffs = []        # (text, position) of every --at asked, for the copies
        self.ranges = []         # (account, from, first, to, last) of statements asked

    def describe(self):
        return (f"seed {self.seed}: zone {self.zone}, store options "
                f"{' '.join(self.store_options) or '(defaults)'}, data {self.data_dir}")

    def execute(self):
        """The whole seed; a SeedDiverged ends it early (reported as a mismatch already)."""
        try:
            self.steps.create_ledger()
            for _ in range(self.options.steps):
                self.steps.random_step()
                if self.rng.random() < 0.45:
                    self.random_queries()
            self.final_checks()
        except SeedDiverged as why:
            print(f"  seed {self.seed} stopped: {why}")
        finally:
            self.tally["commands"] += self.runner.count

    def cleanup(self):
        if not self.options.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # ----- writes

    def write(self, cmd, extra_args=(), tz="pick"):
        """Run one write command and judge it against the model's decision."""
        decision = self.book.decide(cmd)
        before = dir_state(self.data_dir)
        tz = self.runner.pick_tz(self.zone) if tz == "pick" else tz
        result = self.runner.run(command_args(cmd) + list(extra_args), tz)
        written = dir_state(self.data_dir) != before
        self.judge_write(cmd, decision, result, written)
        return decision, result

    def judge_write(self, cmd, decision, result, written):
        expected = describe_decision(decision)
        actual = f"exit {result.rc}{', files changed' if written else ''}: {result.err.strip()}"
        category = None
        if result.rc != decision.exit_code:
            category = f"{cmd.kind}: model {decision_category(decision)}, binary exit {result.rc}"
        elif decision.outcome == "write" and not written:
            category = f"{cmd.kind}: accepted but nothing written"
        elif decision.outcome != "write" and written:
            category = f"{cmd.kind}: {decision.outcome} but files changed"
        if category:
            self.reporter.mismatch(category, self.seed, result.command_line(), expected, actual)
        elif decision.outcome in ("refuse", "bad"):
            self.check_refusal_message(cmd, decision, result)
        self.count_write(cmd, decision, result.rc == decision.exit_code)
        self.follow(cmd, decision, written)

    def check_refusal_message(self, cmd, decision, result):
        """One line on stderr; a rule that breaks at a date names one of its dates."""
        lines = result.error_lines()
        if len(lines) != 1:
            self.reporter.mismatch("refusal message: not one line", self.seed,
                                   result.command_line(), "one line", lines)
        if decision.outcome != "refuse" or not all(r.dates for r in decision.refusals):
            return
        allowed = set()
        for refusal in decision.refusals:
            allowed |= {d.isoformat() for d in refusal.dates}
        if not allowed & set(DAY_RE.findall(result.err)):
            rules = ", ".join(r.rule for r in decision.refusals)
            self.reporter.mismatch(f"refusal message: no date where the rule breaks ({rules})",
                                   self.seed, result.command_line(),
                                   f"one of {sorted(allowed)}", result.err.strip())

    def follow(self, cmd, decision, written):
        """Keep the model on the binary's books: apply what the binary wrote, even when the
        model would have refused it, so that one disagreement does not cascade."""
        if not written:
            return
        if decision.outcome == "write":
            self.remember_accepted(cmd, decision)
            return
        if decision.outcome == "noop" or decision.position is None or not self._followable(cmd):
            raise SeedDiverged(f"the binary wrote {cmd.kind} {cmd.account} that the model "
                               f"cannot follow ({decision.outcome})")
        self.book.apply(cmd, decision)

    def _followable(self, cmd):
        known = cmd.account in self.book.accounts
        if cmd.kind == "open":
            return not known
        if cmd.kind == "transfer":
            return known and cmd.to in self.book.accounts
        return known

    def remember_accepted(self, cmd, decision):
        touched = [cmd.account] + ([cmd.to] if cmd.to else [])
        latest = self.book.last_money_position(touched)
        entry = self.book.apply(cmd, decision)
        if cmd.ref is not None:
            self.ref_commands.append(cmd)
        if entry is None:
            return
        if latest is not None and entry.pos < latest:
            self.tally["backdated accepted"] += 1
        if not entry.dated:
            self.tally["instants accepted"] += 1
        opened = self.book.accounts[cmd.account].open_pos
        if self.book.day(entry.pos) == self.book.day(opened):
            self.tally["opening-day entries"] += 1

    def count_write(self, cmd, decision, agreed):
        self.tally["writes"] += 1
        self.tally[{"write": "accepted", "noop": "ref no-ops", "refuse": "refused",
                    "bad": "bad input"}[decision.outcome]] += 1
        if not agreed:
            return
        for refusal in decision.refusals:
            self.tally["refused: " + refusal.rule] += 1
            if refusal.rule == "overdraft" and self._in_the_past(cmd, decision):
                self.tally["refused: overdraft in the past"] += 1

    def _in_the_past(self, cmd, decision):
        latest = self.book.last_money_position([cmd.account])
        return latest is not None and decision.position < latest

    # ----- queries

    def random_queries(self):
        for _ in range(self.rng.randint(1, 3)):
            self.rng.choice((self.ask_balance_day, self.ask_balance_day, self.ask_balance_instant,
                             self.ask_balance_instant, self.ask_accounts, self.ask_statement,
                             self.ask_statement, self.ask_balance_all))()

    def any_account(self):
        return self.rng.choice(sorted(self.book.accounts))

    def interesting_day(self, account_id):
        """A day near where the account's history happens: its edges and its entries."""
        account = self.book.accounts[account_id]
        positions = [account.open_pos] + [e.pos for e in self.book.entries_of(account_id)]
        if account.close_pos is not None:
            positions.append(account.close_pos)
        if self.rng.random() < 0.25:
            return self.gen.day_between(FIRST_DAY, LAST_DAY)
        day = self.book.day(self.rng.choice(positions))
        return self.gen.day_between(day - ONE_DAY, day + ONE_DAY)

    def interesting_instant(self, account_id):
        """An instant on, just before or just after a position of the account's history."""
        account = self.book.accounts[account_id]
        positions = [account.open_pos] + [e.pos for e in self.book.entries_of(account_id)]
        if account.close_pos is not None:
            positions.append(account.close_pos)
        position = self.rng.choice(positions) + self.rng.choice((0, 0, -1, 1, -10**9, 3600 * 10**9))
        return self.gen.instant_text(position), position

    def ask_balance_day(self):
        account_id = self.any_account()
        day = self.interesting_day(account_id)
        cutoff = zone_time.day_end(self.zone, day)
        self.cutoffs.append((day.isoformat(), cutoff))
        self.queries.balance_one(account_id, day.isoformat(), cutoff)

    def ask_balance_instant(self):
        account_id = self.any_account()
        text, cutoff = self.interesting_instant(account_id)
        self.cutoffs.append((text, cutoff))
        self.queries.balance_one(account_id, text, cutoff)

    def ask_balance_all(self):
        text, cutoff = self.random_cutoff()
        self.queries.balance_all(text, cutoff)

    def ask_accounts(self):
        if self.rng.random() < 0.15:
            self.queries.accounts(None, 2 ** 63)
            return
        text, cutoff = self.random_cutoff()
        self.queries.accounts(text, cutoff)

    def random_cutoff(self):
        if self.rng.random() < 0.5:
            day = self.interesting_day(self.any_account())
            text, cutoff = day.isoformat(), zone_time.day_end(self.zone, day)
        else:
            text, cutoff = self.interesting_instant(self.any_account())
        self.cutoffs.append((text, cutoff))
        return text, cutoff

    def ask_statement(self):
        account_id = self.any_account()
        opened = self.book.day(self.book.accounts[account_id].open_pos)
        first_day, last_day = sorted((self.interesting_day(account_id),
                                      self.interesting_day(account_id)))
        last_day = max(last_day, opened)
        if self.rng.random() < 0.2:
            from_text = self.gen.instant_on(first_day)
            first = zone_time.parse_instant(from_text)
        else:
            from_text, first = first_day.isoformat(), zone_time.day_start(self.zone, first_day)
        to_text, last = last_day.isoformat(), zone_time.day_end(self.zone, last_day)
        self.ranges.append((account_id, from_text, first, to_text, last))
        self.queries.statement(account_id, from_text, first, to_text, last)

    # ----- the end of a seed

    def final_checks(self):
        whole = (FIRST_DAY.isoformat(), zone_time.day_start(self.zone, FIRST_DAY),
                 LAST_DAY.isoformat(), zone_time.day_end(self.zone, LAST_DAY))
        for account_id in sorted(self.book.accounts):
            self.queries.statement(account_id, *whole)
        self.queries.accounts(None, 2 ** 63)
        self.verify(self.data_dir, "")
        for fmt in ("csv", "jsonl"):
            self.export_copy(fmt)

    def verify(self, data_dir, label):
        result = self.runner.run(["verify"], self.runner.pick_tz(self.zone), data_dir)
        if result.rc != 0:
            self.reporter.mismatch(label + "verify fails", self.seed, result.command_line(),
                                   "exit 0", f"exit {result.rc}: {result.out[-400:]} {result.err}")

    def export_copy(self, fmt):
        """export --format FMT, imported into a fresh ledger of the same zone, must answer every
        question asked of the original as the model does."""
        path = os.path.join(self.tmp, f"export.{fmt}")
        result = self.runner.run(["export", "--format", fmt, path], self.runner.pick_tz(self.zone))
        label = f"export {fmt} copy: "
        if result.rc != 0:
            self.reporter.mismatch(label + "export failed", self.seed, result.command_line(),
                                   "exit 0", f"exit {result.rc}: {result.err.strip()}")
            return
        copy_dir = os.path.join(self.tmp, f"copy-{fmt}")
        if not self.import_copy(path, fmt, copy_dir, label):
            return
        self.compare_copy(copy_dir, label)
        self.tally["export copies"] += 1

    def import_copy(self, path, fmt, copy_dir, label):
        """The import is the copy's first write, so it fixes the copy's zone."""
        args = ["import", path, "--format", fmt]
        if self.features.import_timezone:
            args += ["--timezone", self.zone]
            tz = self.runner.pick_tz(self.zone)
        else:
            tz = self.zone  # the zone of a new ledger defaults to $TZ
        result = self.runner.run(args, tz, copy_dir)
        if result.rc != 0:
            self.reporter.mismatch(label + "import of the export failed", self.seed,
                                   result.command_line(), "exit 0",
                                   f"exit {result.rc}: {result.err.strip()[:600]}")
            return False
        before = dir_state(copy_dir)
        again = self.runner.run(args, self.runner.pick_tz(self.zone), copy_dir)
        if again.rc != 0 or dir_state(copy_dir) != before:
            self.reporter.mismatch(label + "a second import of the export was not a no-op",
                                   self.seed, again.command_line(), "exit 0, nothing written",
                                   f"exit {again.rc}: {again.out.strip()} {again.err.strip()}")
        return True

    def compare_copy(self, copy_dir, label):
        copy = QueryChecks(self, copy_dir, label, copy=True)
        cutoffs = self.rng.sample(self.cutoffs, min(len(self.cutoffs), 24))
        for text, cutoff in cutoffs:
            if self.rng.random() < 0.5:
                copy.balance_all(text, cutoff)
            else:
                copy.accounts(text, cutoff)
        for account_id in sorted(self.book.accounts):
            copy.statement(account_id, FIRST_DAY.isoformat(),
                           zone_time.day_start(self.zone, FIRST_DAY), LAST_DAY.isoformat(),
                           zone_time.day_end(self.zone, LAST_DAY))
        for statement_range in self.rng.sample(self.ranges, min(len(self.ranges), 8)):
            copy.statement(*statement_range)
        self.verify(copy_dir, label)


def command_args(cmd):
    """The command line of a Command (the data directory and store options come first)."""
    args = [cmd.kind, cmd.account]
    if cmd.kind == "transfer":
        args.append(cmd.to)
    if cmd.kind in MONEY_KINDS:
        args.append(cmd.amount)
    if cmd.kind == "open":
        args += _option("--owner", cmd.owner) + _option("--currency", cmd.currency)
        args += _option("--overdraft-limit", cmd.limit)
    # Only money carries a memo on the command line (an import row of another kind may have one;
    # it is not part of what that row's ref stands for).
    memo = cmd.memo if cmd.kind in MONEY_KINDS else None
    args += _option("--date", cmd.when) + _option("--memo", memo) + _option("--ref", cmd.ref)
    return args


def _option(name, value):
    return [name, value] if value else []


def describe_decision(decision):
    if decision.outcome == "bad":
        return f"exit 65 (bad input: {decision.reason})"
    if decision.outcome == "noop":
        return "exit 0, nothing written (same ref, same content)"
    if decision.outcome == "write":
        return "exit 0, written"
    parts = []
    for refusal in decision.refusals:
        dates = f" at {sorted(d.isoformat() for d in refusal.dates)}" if refusal.dates else ""
        parts.append(refusal.rule + dates)
    return "exit 1 (" + "; ".join(parts) + ")"


def decision_category(decision):
    if decision.outcome == "refuse":
        return "refuses (" + ", ".join(sorted({r.rule for r in decision.refusals})) + ")"
    return {"write": "accepts", "noop": "no-op (same ref)", "bad": "bad input"}[decision.outcome]
