#!/usr/bin/env python3
"""An independent model of ledger's effective timeline, checked against the real binary.

Each seed creates a ledger in one zone (UTC, America/New_York or Asia/Tokyo), writes a random
history to it (heavy backdating, instants at offsets, opening days, refs and their retries,
refusals on purpose, shuffled imports) and compares every exit code and every answer (balance
and accounts --at a day or an instant, statements) with a model of its own, each command under
a random reader TZ. At the end, exports (csv, jsonl) imported into fresh ledgers must answer
the same. The model shares no code and no formula with the product: its dates come from
zoneinfo, its balances and rules from the contract (see book.py).

  timeline_model.py --ledger build/ledger                   # 6 seeds, stop at the first mismatch
  timeline_model.py --ledger build/ledger --seed 17 --one-seed --keep   # reproduce one seed
  timeline_model.py --ledger build/ledger --seeds 40 --steps 600        # a longer run
  timeline_model.py --ledger build/ledger --report-all      # every mismatch, by category
"""

import argparse
import dataclasses
import io
import os
import sys
import time
import unittest

# The modules beside this file; no __pycache__ left in the source tree by a test run.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from ledger_driver import help_text  # noqa: E402
from report import Mismatch, Reporter, Tally  # noqa: E402
from seed_run import SeedRun  # noqa: E402

DEFAULT_STEPS = 200
# What one seed of DEFAULT_STEPS must at least exercise; fewer means the run proved little.
MINIMUMS_PER_SEED = {
    "accepted": 40, "refused": 10, "bad input": 2, "backdated accepted": 5,
    "instants accepted": 3, "ref no-ops": 1, "balance comparisons": 15,
    "statement comparisons": 8, "export copies": 2,
}
# Over the whole run (a seed has few imports, so these are not per seed).
MINIMUMS_PER_RUN = {"imports written": 2, "imports refused": 1, "refused: overdraft in the past": 1,
                    "refused: account closed": 1, "refused: before the open": 1}


@dataclasses.dataclass
class Features:
    """Options the binary offers, learnt from its --help."""
    open_timezone: bool
    import_timezone: bool


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ledger", required=True, help="the ledger binary")
    parser.add_argument("--seeds", type=int, default=6, help="how many seeds (default 6)")
    parser.add_argument("--seed", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--one-seed", action="store_true", help="run --seed only")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="random steps per seed")
    parser.add_argument("--keep", action="store_true", help="keep every temporary directory")
    parser.add_argument("--report-all", action="store_true",
                        help="list every mismatch by category instead of stopping at the first")
    parser.add_argument("--examples", type=int, default=3,
                        help="with --report-all, examples printed per category (default 3)")
    parser.add_argument("--reader-tz", default="random",
                        help="the TZ of each command: random (default), zone (the ledger's), "
                             "unset, or a zone name; only for narrowing a failure down")
    return parser.parse_args(argv)


def detect_features(binary):
    """--timezone may be the subcommand's own option or a global one (which CLI11 also takes
    after the subcommand)."""
    is_global = "--timezone" in help_text(binary, [])
    return Features(open_timezone=is_global or "--timezone" in help_text(binary, ["open"]),
                    import_timezone=is_global or "--timezone" in help_text(binary, ["import"]))


def run_seeds(options, features, reporter, tally):
    """Every seed in turn; the first mismatch ends the run unless --report-all."""
    seeds = [options.seed] if options.one_seed else range(options.seed,
                                                          options.seed + options.seeds)
    ran = 0
    for seed in seeds:
        run = SeedRun(seed, options, features, reporter, tally)
        print(run.describe(), flush=True)
        ran += 1
        mismatches_before = reporter.total
        try:
            run.execute()
        except Mismatch:
            print_reproduce(options, seed, run.tmp)
            return ran, False
        if reporter.total > mismatches_before:
            print_reproduce(options, seed, run.tmp)  # its data is kept for a look
        else:
            run.cleanup()
    return ran, True


def print_reproduce(options, seed, data):
    print(f"reproduce: {sys.argv[0]} --ledger {options.ledger} --seed {seed} --one-seed "
          f"--steps {options.steps} --keep   (data kept in {data})", flush=True)


def unmet_minimums(tally, seeds_run, steps):
    scale = seeds_run * min(1.0, steps / DEFAULT_STEPS)
    wanted = {name: int(n * scale) for name, n in MINIMUMS_PER_SEED.items()}
    if scale >= 1:
        wanted.update(MINIMUMS_PER_RUN)
    return {name: (tally[name], n) for name, n in wanted.items() if tally[name] < n}


def print_summary(tally, seconds):
    print(f"\nsummary ({seconds:.1f} s): commands run {tally['commands']}; "
          f"writes {tally['writes']}: " + tally.line("accepted", "refused", "bad input",
                                                      "ref no-ops"))
    print("  " + tally.line("backdated accepted", "instants accepted", "opening-day entries",
                            "refused: overdraft in the past"))
    refusals = sorted(k for k in tally if k.startswith("refused: "))
    print("  refusals by rule: " + tally.line(*refusals))
    print("  " + tally.line("import runs", "imports written", "import rows written",
                            "imports refused", "imports already recorded", "import dry runs"))
    print("  queries compared " + str(tally["queries"]) + ": " + tally.line(
        "balance comparisons", "accounts comparisons", "statement comparisons"))
    print("  " + tally.line("export copies"))


def model_passes_its_own_tests():
    """The oracle is only as good as its model: check it on hand-worked answers first."""
    import model_test
    suite = unittest.defaultTestLoader.loadTestsFromModule(model_test)
    log = io.StringIO()
    outcome = unittest.TextTestRunner(stream=log, verbosity=0).run(suite)
    if not outcome.wasSuccessful():
        print(log.getvalue())
        return False
    print(f"model self-test: {outcome.testsRun} hand-worked cases pass")
    return True


def main(argv):
    options = parse_args(argv)
    if not model_passes_its_own_tests():
        print("FAIL: the model fails its own tests (model_test.py)")
        return 1
    options.ledger = os.path.abspath(options.ledger)
    features = detect_features(options.ledger)
    reporter = Reporter(options.report_all, options.examples)
    tally = Tally()
    started = time.monotonic()
    seeds_run, finished = run_seeds(options, features, reporter, tally)
    print_summary(tally, time.monotonic() - started)
    reporter.print_all() if options.report_all else None
    if reporter.total:
        print(f"\nFAIL: {reporter.total} mismatch(es)")
        return 1
    unmet = unmet_minimums(tally, seeds_run, options.steps) if finished else {}
    if unmet:
        print("\nFAIL: the run exercised too little: " +
              ", ".join(f"{name} {got} < {want}" for name, (got, want) in unmet.items()))
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
