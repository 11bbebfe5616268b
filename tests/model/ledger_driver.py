"""Running the real binary: one command at a time, each under a reader TZ of its own."""

import csv
import hashlib
import io
import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from typing import Optional

# The zones a reader may sit in; None runs with TZ unset. None of them may change an answer.
READER_ZONES = ("UTC", "America/Los_Angeles", "Asia/Tokyo", "Europe/Berlin", None)
# A lock file holds the pid of its last holder, so every write, refused or not, rewrites it.
# It is no part of the books; every other file must stay byte for byte as it was.
IGNORED_FILES = {"LOCK"}
COMMAND_TIMEOUT_S = 120


@dataclass
class Result:
    argv: list
    tz: Optional[str]
    rc: int
    out: str
    err: str

    def command_line(self):
        """The command as a shell line that reproduces it (the reader zone included)."""
        prefix = f"TZ={self.tz} " if self.tz else "env -u TZ "
        return prefix + " ".join(shlex.quote(part) for part in self.argv)

    def error_lines(self):
        return [line for line in self.err.splitlines() if line.strip()]


class Runner:
    """Runs the binary against one data directory, picking a reader zone per command."""

    def __init__(self, binary, data_dir, rng, reader_tz, global_options):
        self.binary = binary
        self.data_dir = data_dir
        self.rng = rng
        self.reader_tz = reader_tz
        self.global_options = list(global_options)
        self.count = 0

    def pick_tz(self, ledger_zone):
        if self.reader_tz == "random":
            return self.rng.choice(READER_ZONES)
        if self.reader_tz == "zone":
            return ledger_zone
        return None if self.reader_tz == "unset" else self.reader_tz

    def run(self, args, tz, data_dir=None):
        argv = [self.binary, "--dir", data_dir or self.data_dir] + self.global_options + args
        env = {k: v for k, v in os.environ.items() if k not in ("TZ", "LEDGER_DIR")}
        if tz:
            env["TZ"] = tz
        self.count += 1
        done = subprocess.run(argv, env=env, capture_output=True, timeout=COMMAND_TIMEOUT_S)
        return Result(argv, tz, done.returncode, done.stdout.decode("utf-8", "replace"),
                      done.stderr.decode("utf-8", "replace"))


def help_text(binary, args):
    """--help of the binary or of a subcommand, to learn which options exist."""
    done = subprocess.run([binary] + args + ["--help"], capture_output=True, timeout=30)
    return done.stdout.decode("utf-8", "replace")


def dir_state(path):
    """{relative file name: digest} of a data directory, the lock file left out."""
    state = {}
    if not os.path.isdir(path):
        return state
    for root, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            relative = os.path.relpath(full, path)
            if relative in IGNORED_FILES:
                continue
            with open(full, "rb") as handle:
                state[relative] = hashlib.sha256(handle.read()).hexdigest()
    return state


def parse_rows(text, fmt):
    """The rows a query printed as csv, json (one array) or jsonl, as dicts of strings."""
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    if fmt == "json":
        rows = json.loads(text) if text.strip() else []
    else:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [{k: _as_text(v) for k, v in row.items()} for row in rows]


def _as_text(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)
