#!/usr/bin/env python3
"""Writes the seed corpora of the snapshot, csv_import, jsonl_import, amount, date and proof
fuzz targets into tests/fuzz/corpus/<target>/ (the segment decoder's seeds were made by hand).

Usage: tests/fuzz/make_seeds.py LEDGER_BINARY
The snapshot seeds are real snapshot files, taken by LEDGER_BINARY from small ledgers, and
damaged copies of them; files named regression-* are never touched. Run it again after a
format change and commit what changed."""

import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(ROOT, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def clean(target):
    folder = os.path.join(CORPUS, target)
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            if not name.startswith("regression-"):
                os.remove(os.path.join(folder, name))


# --- snapshot: real files from the CLI, then damaged ---------------------------------------

def ledger_snapshots(binary):
    """Snapshot files of a few small ledgers, by a short name."""
    scripts = {
        "empty": [["open", "A"], ["close", "A"]],
        "one_account": [["open", "ACC-1", "--owner", "Ada"], ["deposit", "ACC-1", "12.34"]],
        "currencies": [
            ["open", "EUR-1", "--currency", "EUR", "--overdraft-limit", "50"],
            ["open", "JPY-1", "--currency", "JPY", "--owner", "Bob \"the\" ,owner"],
            ["open", "BHD-1", "--currency", "BHD"],
            ["open", "CLF-1", "--currency", "CLF"],
            ["deposit", "EUR-1", "100.50"],
            ["deposit", "JPY-1", "5000"],
            ["withdraw", "EUR-1", "120"],
            ["deposit", "BHD-1", "1.234"],
            ["deposit", "CLF-1", "0.0001"],
        ],
        "transfers": [
            ["open", "a"], ["open", "b"], ["open", "c.d_e:f-g"],
            ["deposit", "a", "1000"], ["transfer", "a", "b", "250.25"],
            ["transfer", "b", "c.d_e:f-g", "0.25"], ["withdraw", "a", "1"],
            ["open", "z", "--owner", "Zoë Ünicode"], ["close", "z"],
        ],
    }
    out = {}
    for name, commands in scripts.items():
        d = tempfile.mkdtemp(prefix="ledger-seeds-")
        try:
            for c in commands:
                subprocess.run([binary, "--dir", d, "-q"] + c, check=True,
                               env=dict(os.environ, TZ="UTC"))
            subprocess.run([binary, "--dir", d, "-q", "snapshot"], check=True)
            snaps = sorted(os.listdir(os.path.join(d, "snapshots")))
            with open(os.path.join(d, "snapshots", snaps[-1]), "rb") as f:
                out[name] = f.read()
        finally:
            shutil.rmtree(d)
    return out


def flip(data, at, mask=0x01):
    b = bytearray(data)
    b[at % len(b)] ^= mask
    return bytes(b)


def snapshot_seeds(binary):
    clean("snapshot")
    snaps = ledger_snapshots(binary)
    for name, data in snaps.items():
        write("snapshot", f"valid_{name}.snap", data)
        write("snapshot", f"payload_{name}.bin", b"P" + data[128:])
        write("snapshot", f"reseal_{name}.snap", b"C" + data)
    big = snaps["currencies"]
    write("snapshot", "empty_file.snap", b"")
    write("snapshot", "header_only_truncated.snap", big[:100])
    write("snapshot", "header_without_payload.snap", big[:128])
    write("snapshot", "payload_truncated.snap", big[:-3])
    write("snapshot", "payload_extra_bytes.snap", big + b"\0\0\0")
    write("snapshot", "bitflip_magic.snap", flip(big, 0))
    write("snapshot", "bitflip_version.snap", flip(big, 8))
    write("snapshot", "bitflip_seq_last.snap", flip(big, 16))
    write("snapshot", "bitflip_payload_size.snap", flip(big, 80))
    write("snapshot", "bitflip_header_checksum.snap", flip(big, 120))
    write("snapshot", "bitflip_payload.snap", flip(big, 140))
    # Behind recomputed checksums: the state codec meets the damage.
    payload = big[128:]
    # Cereal's portable archive: a flag byte, then u32 version, u64 last_seq, u64 count, and
    # per account u64-length strings (id, owner, currency) and the numbers.
    write("snapshot", "reseal_bad_state_version.snap", b"C" + big[:129] + b"\x02" + payload[2:])
    write("snapshot", "reseal_huge_count.snap",
          b"C" + big[:128 + 13] + struct.pack("<Q", 1 << 40) + payload[21:])
    # (A huge string length is regression-huge-string-length-in-state.)
    write("snapshot", "reseal_huge_owner_length.snap",
          b"C" + big[:128 + 21] + struct.pack("<Q", 5) + b"EUR-1" + struct.pack("<Q", 1 << 33)
          + payload[34 + 8:])
    write("snapshot", "reseal_truncated_state.snap", b"C" + big[:-20])
    write("snapshot", "reseal_trailing_bytes.snap", b"C" + big + b"\x01")
    write("snapshot", "payload_empty.bin", b"P")
    write("snapshot", "payload_unknown_currency.bin",
          b"P" + snaps["one_account"][128:].replace(b"USD", b"XXX"))


# --- csv_import ---------------------------------------------------------------------------

CSV_FILES = {
    "basic.csv": "op,account,amount,to,date,memo,ref\n"
                 "open,ACC-1,,,2026-01-01,,\n"
                 "deposit,ACC-1,100.00,,2026-01-02,salary,r1\n"
                 "withdraw,ACC-1,20,,,,\n",
    "transfer.csv": "op,account,to,amount\nopen,a,,\nopen,b,,\ndeposit,a,,50\n"
                    "transfer,a,b,12.5\nclose,b,,\n",
    "open_options.csv": "op,account,currency,owner,overdraft_limit\n"
                        "open,E1,EUR,Ada,100\nopen,J1,JPY,\"Bob, Jr.\",0\nopen,B1,BHD,,1.005\n",
    "crlf.csv": "op,account,amount\r\nopen,A,\r\ndeposit,A,1.00\r\n",
    "bom.csv": "\ufeffop,account,amount\nopen,A,\ndeposit,A,3\n",
    "quoted_fields.csv": "op,account,memo\nopen,A,\"line one\nline two\"\n"
                         "open,B,\"a \"\"quoted\"\" word\"\n",
    "blank_lines.csv": "\n\r\nop,account\n\nopen,A\n\n\nclose,A\n",
    "ignored_columns.csv": "seq,recorded,type,op,account,amount\n1,x,y,open,A,\n",
    "any_order.csv": "amount,account,op\n,A,open\n7,A,deposit\n",
    "unknown_column.csv": "op,account,colour\nopen,A,red\n",
    "no_op_column.csv": "account,amount\nA,1\n",
    "field_count.csv": "op,account\nopen,A,extra\nopen\n",
    "unterminated_quote.csv": "op,account,memo\nopen,A,\"never closed\n",
    "quote_in_unquoted.csv": "op,account\nopen,A\"B\n",
    "after_closing_quote.csv": "op,account\nopen,\"A\"x\n",
    "lone_cr.csv": "op,account\ropen,A\n",
    "bad_values.csv": "op,account,amount,date\nfly,A,1,\ndeposit,,1,\ndeposit,A,-1,\n"
                      "deposit,A,1.999,\ndeposit,A,1,2026-13-01\ndeposit,A,1,2999-01-01\n",
    "missing_amount.csv": "op,account,amount,to\ndeposit,A,,\ntransfer,A,,\ntransfer,A,5,\n",
    "refused_rules.csv": "op,account,amount,to\nopen,A,,\nopen,A,,\nwithdraw,A,5,\n"
                         "transfer,A,5,A\nclose,Q,,\n",
    "duplicate_rows.csv": "op,account,amount\nopen,A,\ndeposit,A,1\ndeposit,A,1\n",
    "ref_reuse.csv": "op,account,amount,ref\nopen,A,,r\ndeposit,A,1,r\ndeposit,A,2,x\ndeposit,A,2,x\n",
    "empty.csv": "",
    "header_only.csv": "op,account,amount\n",
    "empty_quoted_field.csv": "op,account,memo\nopen,A,\"\"\n\"\"\n",
    "dates.csv": "op,account,amount,date\nopen,A,,2026-06-30T12:00:00Z\n"
                 "deposit,A,1,2026-06-29 08:00:00.5+02:00\ndeposit,A,2,yesterday\n"
                 "deposit,A,3,today\n",
    "overflow.csv": "op,account,amount\nopen,A,\ndeposit,A,92233720368547758.07\n"
                    "deposit,A,1\n",
}


def csv_seeds():
    clean("csv_import")
    for i, (name, text) in enumerate(sorted(CSV_FILES.items())):
        write("csv_import", name, b"\0" + text.encode())
        if i % 4 == 0:  # Some with the stream's chunk boundary inside them.
            write("csv_import", "chunked_" + name, bytes([1 + 2 * ((7 * i + 3) % 100)]) + text.encode())


# --- jsonl_import -------------------------------------------------------------------------

JSONL_FILES = {
    "basic.jsonl": '{"op":"open","account":"ACC-1","date":"2026-01-01"}\n'
                   '{"op":"deposit","account":"ACC-1","amount":"100.00","memo":"salary"}\n'
                   '{"op":"withdraw","account":"ACC-1","amount":20}\n',
    "numbers.jsonl": '{"op":"open","account":"A","overdraft_limit":12.30}\n'
                     '{"op":"deposit","account":"A","amount":1e3}\n'
                     '{"op":"deposit","account":"A","amount":123456789012345678901234567890}\n',
    "transfer.jsonl": '{"op":"open","account":"a"}\n{"op":"open","account":"b"}\n'
                      '{"op":"deposit","account":"a","amount":"9"}\n'
                      '{"op":"transfer","account":"a","to":"b","amount":"4.5","ref":"t1"}\n',
    "history_export.jsonl": '{"seq":1,"recorded":"2026-06-30T00:00:00Z","type":"AccountOpened",'
                            '"op":"open","account":"A","currency":"EUR","owner":"Ada"}\n',
    "escapes.jsonl": '{"op":"open","account":"A","owner":"tab\\tquote\\"slash\\\\ \\u00e9 \\ud83d\\ude00"}\n',
    "utf8.jsonl": '{"op":"open","account":"A","owner":"Zoë 😀"}\n',
    "crlf.jsonl": '{"op":"open","account":"A"}\r\n{"op":"close","account":"A"}\r\n',
    "blank_lines.jsonl": '\n  \n{"op":"open","account":"A"}\n\t\r\n',
    "null_member.jsonl": '{"op":"open","account":"A","memo":null}\n',
    "booleans.jsonl": '{"op":"open","account":"A","memo":true}\n',
    "duplicate_key.jsonl": '{"op":"open","op":"close","account":"A"}\n',
    "nested.jsonl": '{"op":"open","account":{"id":"A"}}\n{"op":["open"]}\n',
    "not_object.jsonl": '[1,2]\n"text"\n42\nnull\n',
    "malformed.jsonl": '{"op":"open","account":"A"\n{"op" "open"}\n{op:1}\n{"a":1,}\n',
    "trailing.jsonl": '{"op":"open","account":"A"} x\n',
    "invalid_utf8.jsonl": b'{"op":"open","account":"A","owner":"\xff\xfe"}\n'.decode("latin-1"),
    "high_surrogate.jsonl": '{"op":"open","account":"B","owner":"\\ud800"}\n',
    "nul_escape.jsonl": '{"op":"open","account":"A","owner":"a\\u0000b"}\n',
    "unknown_key.jsonl": '{"op":"open","account":"A","colour":"red","size":1}\n',
    "bad_values.jsonl": '{"op":"fly","account":"A"}\n{"op":"deposit","account":"A"}\n'
                        '{"op":"deposit","account":"A","amount":"1","date":"2026-02-30"}\n',
    "refused_rules.jsonl": '{"op":"open","account":"A"}\n{"op":"withdraw","account":"A","amount":"1"}\n'
                           '{"op":"close","account":"B"}\n',
    "empty.jsonl": "",
    "no_final_newline.jsonl": '{"op":"open","account":"A"}',
    "dates.jsonl": '{"op":"open","account":"A","date":"2026-06-30T12:00:00+14:00"}\n'
                   '{"op":"deposit","account":"A","amount":"1","date":"1677-09-21"}\n',
}


def jsonl_seeds():
    clean("jsonl_import")
    for name, text in sorted(JSONL_FILES.items()):
        data = text.encode("latin-1") if name == "invalid_utf8.jsonl" else text.encode()
        write("jsonl_import", name, data)
    write("jsonl_import", "nul_byte.jsonl", b'{"op":"open","account":"A\0"}\n')


# --- amount -------------------------------------------------------------------------------

AMOUNTS = ["0", "1", "12.34", "500", "500.5", "0.01", "00012.30", "1.999", "1.", ".5", "-5",
           "+5", "1e3", "1,000.00", " 1", "12.3.4", "", "92233720368547758.07",
           "92233720368547758.08", "9223372036854775807", "99999999999999999999", "0.0001"]


def amount_seeds():
    clean("amount")
    for i, text in enumerate(AMOUNTS):
        # The control byte picks the currency: 0 JPY, 1 USD, 2 BHD, 3 CLF.
        write("amount", f"amount_{i:02}_{i % 4}", bytes([i % 4]) + text.encode())
    write("amount", "int64_min_pair", b"\1" + struct.pack("<qq", -(1 << 63), -1))
    write("amount", "int64_max_pair", b"\3" + struct.pack("<qq", (1 << 63) - 1, 1))
    write("amount", "currency_code", b"\2BHD" + b"\0" * 13)


# --- date ---------------------------------------------------------------------------------

DATES = ["2026-06-30", "2026-06-30T12:00:00Z", "2026-06-30t12:00:00z",
         "2026-06-30 12:00:00.5+02:00", "2026-06-30T12:00:00.123456789-03:30", "today",
         "YESTERDAY", "ToDay", "2026-13-01", "2026-02-29", "2024-02-29", "1677-09-21",
         "1677-09-22", "2262-04-11", "2262-04-11T23:47:16.854775807Z",
         "1677-09-21T00:12:43.145224192Z", "2026-06-30T24:00:00Z", "2026-06-30T12:00:60Z",
         "2026-06-30T12:00Z", "2026-06-30T12:00:00+24:00", "2011-12-30", "2011-12-31",
         "2026-03-29", "2026-10-25", "1900-01-01", " 2026-06-30", "2026-06-30T12:00:00.Z",
         "2026-06-30T12:00:00.1234567890Z"]
NOW_2026 = 1_782_777_600 * 1_000_000_000 + 12 * 3600 * 1_000_000_000
ZONES = 8  # date_target.cpp: unset, UTC, Paris, New York, Apia, Lord Howe, Kathmandu, St John's


def date_seeds():
    clean("date")
    from_1900 = -2_208_988_800 * 1_000_000_000
    span = 6_311_433_600 * 1_000_000_000
    for i, text in enumerate(DATES):
        zone = i % ZONES
        # Folded into 1900-2100 by the target: store the offset from 1900.
        write("date", f"date_{i:02}_zone{zone}", bytes([zone]) +
              struct.pack("<q", (NOW_2026 - from_1900) % span) + text.encode())
    write("date", "raw_now_max", bytes([0x80]) + struct.pack("<q", (1 << 63) - 1) + b"today")
    write("date", "raw_now_min", bytes([0x84]) + struct.pack("<q", -(1 << 63)) + b"yesterday")


# --- proof: a digest line, then a proof that `prove` printed, from a small ledger ------------

def proof_seeds(binary):
    clean("proof")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TZ="UTC")

        def ledger(*args):
            return subprocess.run([binary, "--dir", os.path.join(tmp, "l"), *args], env=env,
                                  check=True, capture_output=True, text=True).stdout

        ledger("open", "A", "--date", "2026-01-01", "--owner", "Ada \"Countess\"")
        ledger("open", "B", "--date", "2026-01-01", "--currency", "JPY")
        for i in range(1, 12):
            ledger("deposit", "A", f"{i}.{i:02}", "--memo", f"pay {i}", "--ref", f"r-{i}")
        ledger("withdraw", "A", "2.50", "--memo", "caf\u00e9")
        ledger("close", "B")
        size = 14
        n = 0
        for tree_size in (1, 2, 3, 7, 8, 13, 14):
            digest = ledger("digest", "--at-seq", str(tree_size)).strip()
            for seq in sorted({1, (tree_size + 1) // 2, tree_size}):
                proof = ledger("prove", str(seq), "--digest", digest)
                write("proof", f"proof_{tree_size:02}_{seq:02}", digest + "\n" + proof)
                n += 1
        digest = ledger("digest").strip()
        proof = ledger("prove", "5", "--digest", digest)
        write("proof", "wrong_digest", digest.replace(f":{size}:", f":{size - 1}:") + "\n" + proof)
        write("proof", "upper_hex", digest.upper().replace("LEDGER-DIGEST-V1", "ledger-digest-v1"))
        write("proof", "digest_only", digest)
        write("proof", "not_a_digest", "ledger-digest-v1:x:00\n{}")
        write("proof", "empty_object", digest + "\n{}")
        write("proof", "not_json", digest + "\n" + proof[: len(proof) // 2])


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    snapshot_seeds(sys.argv[1])
    csv_seeds()
    jsonl_seeds()
    amount_seeds()
    date_seeds()
    proof_seeds(sys.argv[1])


if __name__ == "__main__":
    main()
