"""Mismatches and tallies: stop at the first mismatch, or list them all by category."""

import collections
import sys


class Mismatch(Exception):
    """Raised at the first mismatch unless every mismatch is to be reported."""


class SeedDiverged(Exception):
    """The binary wrote something the model cannot follow; the rest of the seed is moot."""


class Reporter:
    def __init__(self, report_all, examples_per_category=3, out=sys.stdout):
        self.report_all = report_all
        self.examples_per_category = examples_per_category
        self.out = out
        self.by_category = collections.OrderedDict()
        self.seeds_by_category = collections.defaultdict(set)

    def mismatch(self, category, seed, command, expected, actual):
        """Record one disagreement between the model and the binary."""
        examples = self.by_category.setdefault(category, [])
        examples.append((seed, command, expected, actual))
        self.seeds_by_category[category].add(seed)
        if not self.report_all:
            self._print_example(category, seed, command, expected, actual)
            raise Mismatch(category)

    @property
    def total(self):
        return sum(len(v) for v in self.by_category.values())

    def _print_example(self, category, seed, command, expected, actual):
        print(f"MISMATCH [{category}] seed {seed}", file=self.out)
        print(f"  command:  {command}", file=self.out)
        print(f"  expected: {expected}", file=self.out)
        print(f"  actual:   {actual}", file=self.out)

    def print_all(self):
        if not self.by_category:
            return
        print(f"\n{self.total} mismatches in {len(self.by_category)} categories:", file=self.out)
        ordered = sorted(self.by_category.items(), key=lambda item: -len(item[1]))
        for category, examples in ordered:
            seeds = sorted(self.seeds_by_category[category])
            print(f"\n== {len(examples)} x [{category}] (seeds {_seed_list(seeds)})",
                  file=self.out)
            for seed, command, expected, actual in examples[:self.examples_per_category]:
                self._print_example(category, seed, command, expected, actual)


def _seed_list(seeds):
    text = ", ".join(str(s) for s in seeds[:8])
    return text + (", ..." if len(seeds) > 8 else "")


class Tally(collections.Counter):
    """How much each kind of thing was exercised, for the summary and the minimums."""

    def line(self, *names):
        return ", ".join(f"{name} {self[name]}" for name in names)
