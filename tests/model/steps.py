"""Random writes, chosen so that both sides of every rule are exercised: amounts are drawn
from the model's headroom (mostly within it, sometimes past it), dates anywhere in an account's
life (so backdating is the rule, not the exception), and refusals on purpose."""

import dataclasses
import datetime as dt

import zone_time
from book import DECIMALS, Command, parse_amount
from generate import BAD_DATES, FIRST_DAY, FUTURE_DATES, LAST_DAY
from report import SeedDiverged

ONE_DAY = dt.timedelta(days=1)


class Steps:
    def __init__(self, run):
        self.run = run
        self.rng = run.rng
        self.gen = run.gen
        self.weighted = [
            (22, self.deposit), (16, self.withdraw), (12, self.transfer),
            (5, self.open_account), (4, self.drain_and_close), (4, self.bad_close),
            (3, self.money_on_closed), (3, self.before_open), (4, self.opening_day),
            (4, self.bad_input), (4, self.retry_ref), (3, self.conflicting_ref),
            (6, self.run.imports.batch),
        ]

    @property
    def book(self):
        return self.run.book

    def random_step(self):
        total = sum(weight for weight, _ in self.weighted)
        pick = self.rng.uniform(0, total)
        for weight, step in self.weighted:
            pick -= weight
            if pick <= 0:
                step()
                return
        self.weighted[-1][1]()

    # ----- picking

    def usable(self):
        return sorted(a for a, acc in self.book.accounts.items() if acc.close_pos is None)

    def closed(self):
        return sorted(a for a, acc in self.book.accounts.items() if acc.close_pos is not None)

    def pick_usable(self):
        """An open account; a new one is opened when fewer than two are left."""
        if len(self.usable()) < 2:
            self.run.write(self.open_command(self.gen.account_id()))
        if not self.usable():
            raise SeedDiverged("no open account left to write to")
        return self.rng.choice(self.usable())

    def open_day(self, account_id):
        return self.book.day(self.book.accounts[account_id].open_pos)

    def currency(self, account_id):
        return self.book.accounts[account_id].currency

    def life_day(self, account_id):
        """A day between the account's opening and the end of the range (after its last entry
        a third of the time, so that not everything is backdated)."""
        first = self.open_day(account_id)
        if self.rng.random() < 0.3:
            first = self.book.day(self.book.last_position(account_id))
        return self.gen.day_between(first, LAST_DAY)

    def maybe_ref(self):
        return f"r{self.run.seed}-{self.gen.next_serial()}" if self.rng.random() < 0.3 else None

    def money(self, kind, account_id, minor, when, to=None):
        currency = self.currency(account_id)
        return Command(kind, account_id, to=to, amount=self.gen.amount_text(minor, currency),
                       when=when, memo=self.gen.memo(), ref=self.maybe_ref())

    def steered_minor(self, account_id, when):
        """An amount to take at `when`: within the headroom three times in four, now and then
        all of it or one minor unit more (the limit's very edge)."""
        position = self.book.position("withdraw", when)[0]
        headroom = self.book.headroom(account_id, position)
        scale = 10 ** DECIMALS[self.currency(account_id)]
        edge = self.rng.random()
        if headroom > 0 and edge < 0.1:
            return headroom
        if headroom >= 0 and edge < 0.15:
            return headroom + 1
        if headroom > 0 and edge < 0.75:
            return self.rng.randint(1, headroom)
        return max(headroom, 0) + self.rng.randint(1, 200 * scale)

    # ----- the ledger's birth

    def create_ledger(self):
        """The first write fixes the zone: an open with --timezone."""
        cmd = self.open_command(self.gen.account_id())
        extra = []
        tz = "pick"
        if self.run.features.open_timezone:
            extra = ["--timezone", self.run.zone]
        else:
            self.run.reporter.mismatch("cli: open has no --timezone", self.run.seed,
                                       "ledger open --help", "--timezone ZONE", "absent")
            tz = self.run.zone  # without it, only $TZ can set the zone of a new ledger
        self.run.write(cmd, extra, tz)
        for _ in range(self.rng.randint(2, 4)):
            self.open_account()

    # ----- opens and closes

    def open_command(self, account_id, day=None):
        currency = self.gen.currency()
        day = day or self.gen.early_day()
        return Command("open", account_id, currency=currency, owner=self.gen.owner(),
                       limit=self.gen.limit_text(currency), when=self.gen.when_on(day, 0.25),
                       ref=self.maybe_ref())

    def open_account(self):
        if self.book.accounts and self.rng.random() < 0.08:
            self.run.write(self.open_command(self.rng.choice(sorted(self.book.accounts))))
            return
        self.run.write(self.open_command(self.gen.account_id()))

    def drain_and_close(self):
        """Bring an account to zero after its last entry, then close it on or after that."""
        account_id = self.rng.choice(self.usable() or [self.pick_usable()])
        last = self.book.last_position(account_id)
        last_day = self.book.day(last)
        close_day = min(last_day + ONE_DAY * self.rng.choice((0, 0, 1, 5, 30)), LAST_DAY)
        balance = self.book.balance_at(account_id, 2 ** 63)
        when = self.at_or_after(last, close_day)
        if balance:
            kind = "withdraw" if balance > 0 else "deposit"
            self.run.write(self.money(kind, account_id, abs(balance), when))
        close_when = close_day.isoformat()
        if self.rng.random() < 0.3:
            position = self.book.position("deposit", when)[0]
            end = zone_time.day_end(self.run.zone, close_day)
            position = self.rng.choice((position, end, max(position, last)))
            close_when = self.gen.instant_text(position)
        self.run.write(Command("close", account_id, when=close_when, ref=self.maybe_ref()))

    def at_or_after(self, position, day):
        """A date or instant on `day` at or after `position` (which lies on or before `day`)."""
        if self.book.day(position) < day and self.rng.random() < 0.7:
            return day.isoformat()
        end = zone_time.day_end(self.run.zone, day)
        start = max(position, zone_time.day_start(self.run.zone, day))
        return self.gen.instant_text(self.rng.choice((start, end, self.rng.randint(start, end))))

    def bad_close(self):
        """Closes that a rule refuses: with money, before later entries, before the open,
        twice, or of an account that does not exist."""
        account_id = self.pick_usable()
        last_day = self.book.day(self.book.last_position(account_id))
        variants = [
            lambda: self.gen.day_between(last_day, LAST_DAY),             # maybe with money
            lambda: self.gen.day_between(self.open_day(account_id), last_day - ONE_DAY),
            lambda: self.open_day(account_id) - ONE_DAY * self.rng.randint(1, 20),
        ]
        day = self.rng.choice(variants)()
        if day < FIRST_DAY:
            day = FIRST_DAY
        if self.closed() and self.rng.random() < 0.2:
            account_id = self.rng.choice(self.closed())
        elif self.rng.random() < 0.08:
            account_id = "NO-SUCH-" + str(self.gen.next_serial())
        self.run.write(Command("close", account_id, when=self.gen.when_on(day, 0.2)))

    # ----- money

    def deposit(self):
        account_id = self.pick_usable()
        when = self.gen.when_on(self.life_day(account_id))
        minor = self.gen.deposit_minor(self.currency(account_id))
        self.run.write(self.money("deposit", account_id, minor, when))

    def withdraw(self):
        account_id = self.pick_usable()
        when = self.gen.when_on(self.life_day(account_id))
        self.run.write(self.money("withdraw", account_id, self.steered_minor(account_id, when),
                                  when))

    def transfer(self):
        sender = self.pick_usable()
        same = [a for a in self.usable()
                if a != sender and self.currency(a) == self.currency(sender)]
        others = [a for a in self.book.accounts if a != sender]
        if self.rng.random() < 0.03:
            receiver = sender  # refused: a transfer needs two accounts
        elif same and self.rng.random() < 0.85:
            receiver = self.rng.choice(same)
        elif others:
            receiver = self.rng.choice(sorted(others))
        else:
            return self.deposit()
        day = self.gen.day_between(max(self.open_day(sender), self.open_day(receiver)), LAST_DAY)
        if self.rng.random() < 0.1:
            day = self.life_day(sender)  # perhaps before the receiver opened
        when = self.gen.when_on(day)
        minor = self.steered_minor(sender, when)
        if self.currency(receiver) != self.currency(sender):
            # Whole units, so that the amount is good input in both currencies.
            minor = 10 ** DECIMALS[self.currency(sender)] * self.rng.randint(1, 50)
        self.run.write(self.money("transfer", sender, minor, when, to=receiver))

    def money_on_closed(self):
        if not self.closed():
            return self.drain_and_close()
        account_id = self.rng.choice(self.closed())
        when = self.gen.when_on(self.gen.day_between(self.open_day(account_id), LAST_DAY))
        kind = self.rng.choice(("deposit", "withdraw", "transfer", "transfer-in"))
        minor = 10 ** DECIMALS[self.currency(account_id)]
        other = self.pick_usable()
        if kind == "transfer":
            self.run.write(self.money("transfer", account_id, minor, when, to=other))
        elif kind == "transfer-in":
            self.run.write(self.money("transfer", other, minor, when, to=account_id))
        else:
            self.run.write(self.money(kind, account_id, minor, when))

    def before_open(self):
        """Entries just before an account's first day: a day before, or its last nanosecond."""
        account_id = self.pick_usable()
        opened = self.book.accounts[account_id].open_pos
        if self.rng.random() < 0.5:
            when = self.gen.instant_text(opened - self.rng.choice((1, 10**9, 3600 * 10**9)))
        else:
            when = (self.open_day(account_id) - ONE_DAY * self.rng.randint(1, 40)).isoformat()
        if self.book.day(self.book.position("deposit", when)[0]) < FIRST_DAY:
            return self.deposit()
        minor = self.gen.deposit_minor(self.currency(account_id))
        kind = self.rng.choice(("deposit", "deposit", "withdraw"))
        self.run.write(self.money(kind, account_id, minor, when))

    def opening_day(self):
        """Entries on the day an account opened, at its first instant or written at an offset
        whose own date is another day."""
        account_id = self.pick_usable()
        day = self.open_day(account_id)
        opened = self.book.accounts[account_id].open_pos
        when = self.rng.choice((day.isoformat(), self.gen.instant_text(opened),
                                self.gen.instant_on(day)))
        minor = self.gen.deposit_minor(self.currency(account_id))
        self.run.write(self.money("deposit", account_id, minor, when))
        if self.rng.random() < 0.5:
            when = self.gen.instant_on(day)
            self.run.write(self.money("withdraw", account_id,
                                      self.steered_minor(account_id, when), when))

    # ----- bad input and refs

    def bad_input(self):
        """Input the product must reject (exit 65) with one defect only: the account is usable
        and every other part is good."""
        account_id = self.pick_usable()
        currency = self.currency(account_id)
        good_when = self.gen.when_on(self.life_day(account_id))
        flavour = self.rng.choice(("amount", "date", "future", "limit"))
        if flavour == "limit":
            cmd = self.open_command(self.gen.account_id())
            cmd.limit = self.gen.bad_limit(cmd.currency)
        elif flavour == "amount":
            cmd = self.money("deposit", account_id, 1, good_when)
            cmd.amount = self.gen.bad_amount(currency)
        else:
            when = self.rng.choice(BAD_DATES if flavour == "date" else FUTURE_DATES)
            kind = self.rng.choice(("deposit", "withdraw", "close", "open"))
            if kind == "open":
                cmd = self.open_command(self.gen.account_id())
                cmd.when = when
            elif kind == "close":
                cmd = Command("close", account_id, when=when)
            else:
                cmd = self.money(kind, account_id, 1, when)
        self.run.write(cmd)

    def retry_ref(self):
        """The same command with the same ref: exit 0, nothing written."""
        if not self.run.ref_commands:
            return self.deposit()
        self.run.write(dataclasses.replace(self.rng.choice(self.run.ref_commands)))

    def conflicting_ref(self):
        """A used ref on a command whose content differs: refused."""
        if not self.run.ref_commands:
            return self.withdraw()
        original = self.rng.choice(self.run.ref_commands)
        cmd = dataclasses.replace(original)
        if cmd.kind == "open":
            cmd.currency = "JPY" if (cmd.currency or "USD") != "JPY" else "BHD"
            cmd.limit = "0"
        elif cmd.kind == "close":
            cmd.account = self.pick_usable()
        else:
            currency = self.currency(cmd.account)
            minor = parse_amount(original.amount, DECIMALS[currency]) + self.rng.randint(1, 99)
            cmd.amount = self.gen.amount_text(minor, currency)
        self.run.write(cmd)
