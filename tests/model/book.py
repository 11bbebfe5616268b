"""The model: a ledger's accounts and entries on one effective timeline, and its rules.

This is the contract written a second time, independently of the product: where an entry
stands (a date is the first instant of its day in the ledger's zone, a close the last), the
order of the timeline (position, then open < money < close, then acceptance), which commands a
rule refuses and at which dates, and what balance, accounts and statement answer.
"""

import itertools
import dataclasses
import re
import time
from dataclasses import dataclass, field
from typing import Optional

import zone_time

DECIMALS = {"USD": 2, "JPY": 0, "BHD": 3}
RANK = {"open": 0, "deposit": 1, "withdraw": 1, "transfer": 1, "close": 2}
MONEY_KINDS = ("deposit", "withdraw", "transfer")
_AMOUNT_RE = re.compile(r"^(\d+)(?:\.(\d+))?$")
# Anything later than this is "in the future" for the product; the harness only ever types
# dates in 2024-2025 or far past the machine's clock, so the exact boundary never matters.
NOW_NS = time.time_ns()


class BadInput(Exception):
    """Input the product must reject as bad data (exit 65), whatever the ledger holds."""


@dataclass
class Command:
    """One write as typed: a command line or an import row (texts, parsed by the model)."""
    kind: str
    account: str
    to: Optional[str] = None
    amount: Optional[str] = None
    when: Optional[str] = None
    memo: str = ""
    ref: Optional[str] = None
    currency: Optional[str] = None
    owner: Optional[str] = None
    limit: Optional[str] = None


@dataclass
class Account:
    id: str
    currency: str
    limit: int
    owner: str
    open_pos: int
    close_pos: Optional[int] = None


@dataclass(frozen=True)
class Entry:
    """A money movement on the timeline; `dated` when it was typed as a date, not an instant."""
    kind: str
    pos: int
    seq: int
    account: str
    to: Optional[str]
    amount: int
    memo: str
    ref: Optional[str]
    dated: bool
    # An import row without a ref is keyed by its content; the product may show that key.
    row_keyed: bool = False

    def key(self):
        return (self.pos, RANK[self.kind], self.seq)

    def touches(self, account_id):
        return account_id in (self.account, self.to)

    def delta(self, account_id):
        """What this entry does to one account's balance."""
        if self.kind == "deposit" or (self.kind == "transfer" and self.to == account_id):
            return self.amount
        return -self.amount


@dataclass(frozen=True)
class Refusal:
    """One broken rule. `dates` are the dates (in the zone) that a message may name; None when
    the rule has no date (unknown account, currencies, refs)."""
    rule: str
    dates: Optional[frozenset] = None


@dataclass
class Decision:
    """What the product must do with a command: write, noop (same ref, same content), refuse
    (exit 1) or reject as bad input (exit 65)."""
    outcome: str
    refusals: list = field(default_factory=list)
    reason: str = ""
    position: Optional[int] = None
    dated: bool = True

    @property
    def exit_code(self):
        return {"write": 0, "noop": 0, "refuse": 1, "bad": 65}[self.outcome]


def parse_amount(text, decimals, allow_zero=False):
    """Minor units of a decimal text with at most `decimals` places; BadInput otherwise."""
    match = _AMOUNT_RE.match(text or "")
    if not match:
        raise BadInput(f"amount {text!r} is not a plain decimal")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > decimals:
        raise BadInput(f"amount {text!r} has more than {decimals} decimals")
    minor = int(whole) * 10 ** decimals + int(fraction.ljust(decimals, "0") or "0")
    if minor == 0 and not allow_zero:
        raise BadInput(f"amount {text!r} is not greater than zero")
    return minor


def format_amount(minor, currency):
    """Amounts as the product prints them: exactly the currency's decimals."""
    decimals = DECIMALS[currency]
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10 ** decimals)
    return f"{sign}{whole}.{fraction:0{decimals}d}" if decimals else f"{sign}{whole}"


class Book:
    """The model ledger of one zone."""

    def __init__(self, zone):
        self.zone = zone
        self.accounts = {}
        self.entries = []
        self.refs = {}          # ref -> content of the command that took it
        self.row_keys = set()   # keys of imported rows without a ref
        self.next_seq = 1

    def clone(self):
        twin = Book(self.zone)
        twin.accounts = {k: dataclasses.replace(v) for k, v in self.accounts.items()}
        twin.entries = list(self.entries)
        twin.refs = dict(self.refs)
        twin.row_keys = set(self.row_keys)
        twin.next_seq = self.next_seq
        return twin

    # ----- where a command stands

    def position(self, kind, when):
        """(position, dated) of a typed date or instant; BadInput when it is neither or future."""
        day = zone_time.parse_day(when or "")
        if day is not None:
            if kind == "close":
                position = zone_time.day_end(self.zone, day)
            else:
                position = zone_time.day_start(self.zone, day)
            dated = True
        else:
            position = zone_time.parse_instant(when or "")
            if position is None:
                raise BadInput(f"date {when!r} is neither YYYY-MM-DD nor RFC 3339")
            dated = False
            if kind == "open":
                # Accounts open for whole days: an instant stands for the start of its day.
                position = zone_time.day_start(self.zone, zone_time.zone_day(self.zone, position))
        if position > NOW_NS:
            raise BadInput(f"date {when!r} is in the future")
        return position, dated

    def day(self, position):
        return zone_time.zone_day(self.zone, position)

    # ----- decisions

    def decide(self, cmd, defer_overdraft=False):
        """The decision for a command line (refs first, then the rules). With
        `defer_overdraft`, the overdraft rule is left to the caller (an import checks the rows
        of one position together)."""
        try:
            position, dated, content = self._parse(cmd)
        except BadInput as error:
            return Decision("bad", reason=str(error))
        if cmd.ref is not None and cmd.ref in self.refs:
            if self.refs[cmd.ref] == content:
                return Decision("noop", position=position, dated=dated)
            return Decision("refuse", [Refusal("ref conflict")], position=position, dated=dated)
        refusals = self.rule_refusals(cmd, position, defer_overdraft)
        outcome = "refuse" if refusals else "write"
        return Decision(outcome, refusals, position=position, dated=dated)

    def _parse(self, cmd):
        position, dated = self.position(cmd.kind, cmd.when)
        if cmd.kind == "open":
            currency = cmd.currency or "USD"
            if currency not in DECIMALS:
                raise BadInput(f"unknown currency {currency!r}")
            limit = parse_amount(cmd.limit or "0", DECIMALS[currency], allow_zero=True)
            content = ("open", cmd.account, currency, cmd.owner or "", limit, position)
            return position, dated, content
        amount = None
        if cmd.kind in MONEY_KINDS:
            amount = self._parse_money_amount(cmd)
        content = (cmd.kind, cmd.account, cmd.to, amount, position, cmd.memo or "")
        return position, dated, content

    def _parse_money_amount(self, cmd):
        account = self.accounts.get(cmd.account)
        # Decimals come from the account's currency; unknown accounts are refused by a rule.
        decimals = DECIMALS[account.currency] if account else 9
        return parse_amount(cmd.amount, decimals)

    def rule_refusals(self, cmd, position, defer_overdraft=False):
        """Every rule the command breaks at `position` (empty: it may be written)."""
        if cmd.kind == "open":
            return [Refusal("account exists")] if cmd.account in self.accounts else []
        if cmd.kind == "close":
            return self._close_refusals(cmd.account, position)
        return self._money_refusals(cmd, position, defer_overdraft)

    def overdrawn_from(self, account_id, position):
        """The days, from `position` on, where the account's balance is below its limit as the
        book stands (for rows already applied)."""
        floor = -self.accounts[account_id].limit
        return {self.day(pos) for pos, balance in self._points_from(account_id, position)
                if balance < floor}

    def _money_refusals(self, cmd, position, defer_overdraft=False):
        touched = [cmd.account] + ([cmd.to] if cmd.kind == "transfer" else [])
        # Every broken rule is listed, not only the first: the product may name any of them.
        refusals = []
        for account_id in dict.fromkeys(touched):
            refusals += self._usable_refusals(account_id, position)
        if cmd.kind == "transfer":
            refusals += self._pair_refusals(cmd.account, cmd.to)
        if cmd.kind in ("withdraw", "transfer") and cmd.account in self.accounts and not defer_overdraft:
            amount = self._parse_money_amount(cmd)
            refusals += self._overdraft_refusals(cmd.account, position, amount)
        return refusals

    def _pair_refusals(self, sender, receiver):
        if sender == receiver:
            return [Refusal("transfer to itself")]
        if sender in self.accounts and receiver in self.accounts:
            if self.accounts[sender].currency != self.accounts[receiver].currency:
                return [Refusal("currencies differ")]
        return []

    def _usable_refusals(self, account_id, position):
        """An account takes money at `position` if it exists, is opened by then, never closed."""
        account = self.accounts.get(account_id)
        if account is None:
            return [Refusal("unknown account")]
        refusals = []
        if account.close_pos is not None:
            dates = {self.day(account.close_pos), self.day(position)}
            refusals.append(Refusal("account closed", frozenset(dates)))
        if account.open_pos > position:
            dates = {self.day(account.open_pos), self.day(position)}
            refusals.append(Refusal("before the open", frozenset(dates)))
        return refusals

    def _overdraft_refusals(self, account_id, position, amount):
        """The points, from the new entry on, where taking `amount` breaks the overdraft limit."""
        floor = -self.accounts[account_id].limit
        broken = {self.day(pos) for pos, balance in self._points_from(account_id, position)
                  if balance - amount < floor}
        return [Refusal("overdraft", frozenset(broken))] if broken else []

    def _points_from(self, account_id, position):
        """(position, balance) at the point a new money entry at `position` would take, and at
        every later point; the new entry, accepted last, follows every entry of its position."""
        balance, later = 0, []
        for entry in self.entries_of(account_id):
            if entry.pos <= position:
                balance += entry.delta(account_id)
            else:
                later.append(entry)
        points = [(position, balance)]
        # The balance at a point is what every entry there leaves: entries sharing a position
        # (a day's dated entries) count together, whatever their order.
        for entry in later:
            balance += entry.delta(account_id)
            if points[-1][0] == entry.pos:
                points[-1] = (entry.pos, balance)
            else:
                points.append((entry.pos, balance))
        return points

    def headroom(self, account_id, position):
        """The most a withdrawal at `position` may take (negative: nothing)."""
        limit = self.accounts[account_id].limit
        return min(balance for _, balance in self._points_from(account_id, position)) + limit

    def _close_refusals(self, account_id, position):
        account = self.accounts.get(account_id)
        if account is None:
            return [Refusal("unknown account")]
        if account.close_pos is not None:
            return [Refusal("already closed")]
        refusals = []
        if account.open_pos > position:
            dates = {self.day(account.open_pos), self.day(position)}
            refusals.append(Refusal("close before the open", frozenset(dates)))
        later = [e for e in self.entries_of(account_id) if e.pos > position]
        if later:
            dates = {self.day(e.pos) for e in later} | {self.day(position)}
            refusals.append(Refusal("entries after the close", frozenset(dates)))
        if self.balance_at(account_id, position, check_open=False) != 0:
            refusals.append(Refusal("close with money", frozenset({self.day(position)})))
        return refusals

    # ----- applying what was accepted

    def apply(self, cmd, decision, row_keyed=False):
        """Record an accepted command (or one the product accepted, to follow it after a
        mismatch). Returns the entry for money commands."""
        position, dated = decision.position, decision.dated
        seq = self.next_seq
        self.next_seq += 1
        if cmd.ref is not None:
            self.refs[cmd.ref] = self._parse(cmd)[2]
        if cmd.kind == "open":
            currency = cmd.currency or "USD"
            limit = parse_amount(cmd.limit or "0", DECIMALS[currency], allow_zero=True)
            self.accounts[cmd.account] = Account(cmd.account, currency, limit, cmd.owner or "",
                                                 position)
            return None
        if cmd.kind == "close":
            self.accounts[cmd.account].close_pos = position
            return None
        entry = Entry(cmd.kind, position, seq, cmd.account, cmd.to,
                      self._parse_money_amount(cmd), cmd.memo or "", cmd.ref, dated,
                      row_keyed)
        self.entries.append(entry)
        return entry

    # ----- queries

    def entries_of(self, account_id):
        return sorted((e for e in self.entries if e.touches(account_id)), key=Entry.key)

    def balance_at(self, account_id, cutoff, check_open=True):
        """Balance of every entry at or before `cutoff`; None if not opened by then."""
        account = self.accounts.get(account_id)
        if account is None or (check_open and account.open_pos > cutoff):
            return None
        return sum(e.delta(account_id) for e in self.entries
                   if e.touches(account_id) and e.pos <= cutoff)

    def accounts_at(self, cutoff):
        """{id: row} of every account opened by `cutoff`, with its status then."""
        rows = {}
        for account in self.accounts.values():
            if account.open_pos > cutoff:
                continue
            closed = account.close_pos is not None and account.close_pos <= cutoff
            rows[account.id] = {
                "balance": self.balance_at(account.id, cutoff),
                "currency": account.currency,
                "status": "closed" if closed else "open",
                "owner": account.owner,
                "overdraft_limit": account.limit,
                "opened": account.open_pos,
            }
        return rows

    def statement(self, account_id, first, last):
        """[(entry, signed amount, running balance)] for entries in [first, last]."""
        lines, balance = [], 0
        for entry in self.entries_of(account_id):
            balance += entry.delta(account_id)
            if first <= entry.pos <= last:
                lines.append((entry, entry.delta(account_id), balance))
        return lines

    def last_money_position(self, account_ids):
        """The latest money entry on any of the accounts (None when they have none)."""
        positions = [e.pos for e in self.entries if any(e.touches(a) for a in account_ids)]
        return max(positions, default=None)

    def last_position(self, account_id):
        """The latest position anything of the account stands on (its open when nothing else)."""
        account = self.accounts[account_id]
        positions = [account.open_pos] + [e.pos for e in self.entries if e.touches(account_id)]
        return max(positions)


# ----- imports

@dataclass
class ImportOutcome:
    """What an import must do: `bad_lines` {line: reason} (any: exit 65, nothing written), else
    `new_count` rows written and `recorded_count` skipped as already recorded; `book` is the
    ledger after it (the same book when nothing is written)."""
    bad_lines: dict
    new_count: int
    recorded_count: int
    book: Book


def row_key(cmd, occurrence):
    """The key of a row without a ref: its content and how many identical rows came before it."""
    return ("row", cmd.kind, cmd.account, cmd.to, cmd.amount, cmd.when, cmd.memo, cmd.currency,
            cmd.owner, cmd.limit, occurrence)


def decide_import(book, numbered_rows):
    """Check and apply `numbered_rows` [(line, Command)] as one import.

    Keys and input are checked per row; the rest are then checked and applied in timeline order
    (position, rank, line). A bad row is left out and checking goes on, so that every bad row is
    known; one bad row means nothing at all is written.
    """
    work = book.clone()
    bad, pending, recorded = _sort_rows(work, numbered_rows)
    new_count = 0
    rows = sorted(pending, key=lambda p: p[:3])
    # The rows of one position are checked together: the overdraft rule once all are in, for
    # every account they move, blaming that account's first row there.
    for _group, members in itertools.groupby(rows, key=lambda p: p[:2]):
        moved = {}
        for pos, _rank, line, cmd, key in members:
            decision = work.decide(cmd, defer_overdraft=True)
            if decision.outcome != "write":
                bad[line] = decision.reason or ", ".join(r.rule for r in decision.refusals)
                continue
            work.apply(cmd, decision, row_keyed=cmd.ref is None)
            if cmd.ref is None:
                work.row_keys.add(key)
            new_count += 1
            if cmd.kind in MONEY_KINDS:
                for account_id in [cmd.account] + ([cmd.to] if cmd.kind == "transfer" else []):
                    moved.setdefault(account_id, (pos, line))
        for account_id, (pos, line) in moved.items():
            if work.overdrawn_from(account_id, pos):
                bad.setdefault(line, "overdraft")
    if bad:
        return ImportOutcome(bad, 0, recorded, book)
    return ImportOutcome(bad, new_count, recorded, work)


def _sort_rows(work, numbered_rows):
    """Rows in file order into: bad on their own {line: why}, pending (position, rank, line,
    row, key) for the timeline, and how many are recorded already."""
    bad, pending, recorded = {}, [], 0
    occurrences = {}
    for line, cmd in numbered_rows:
        key = cmd.ref
        if key is None:
            content = row_key(cmd, 0)
            key = row_key(cmd, occurrences.get(content, 0))
            occurrences[content] = occurrences.get(content, 0) + 1
        verdict = _row_verdict(work, cmd, key)
        if verdict == "recorded":
            recorded += 1
        elif verdict is not None:
            bad[line] = verdict
        else:
            pending.append((work.position(cmd.kind, cmd.when)[0], RANK[cmd.kind], line, cmd, key))
    return bad, pending, recorded


def _row_verdict(work, cmd, key):
    """None (to be checked on the timeline), "recorded", or why the row is bad on its own."""
    try:
        _position, _dated, content = work._parse(cmd)
    except BadInput as error:
        return str(error)
    if cmd.ref is None:
        return "recorded" if key in work.row_keys else None
    if cmd.ref in work.refs:
        return "recorded" if work.refs[cmd.ref] == content else "ref conflict"
    return None
