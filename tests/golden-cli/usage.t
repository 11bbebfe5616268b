# Usage errors (exit 64): no command, an unknown command or option, a missing or extra
# argument, an option twice, a value not among the choices, numbers out of range.
$ ledger
! ledger: error: no command given (see `ledger --help`)
? 64
$ ledger frobnicate
! ledger: error: The following argument was not expected: frobnicate (see `ledger --help`)
? 64
$ ledger balance --no-such-option
! ledger: error: The following argument was not expected: --no-such-option (see `ledger --help`)
? 64
$ ledger deposit CHK-001
! ledger: error: AMOUNT is required (see `ledger --help`)
? 64
$ ledger deposit CHK-001 10 20
! ledger: error: The following argument was not expected: 20 (see `ledger --help`)
? 64
$ ledger deposit CHK-001 10 --memo a --memo b
! ledger: error: --memo: At Most 1 required but received 2 (see `ledger --help`)
? 64
$ ledger --format yaml balance
! ledger: error: --format: unknown format "yaml" (expected table, csv, tsv, json, jsonl or chart) (see `ledger --help`)
? 64
$ ledger --color sometimes balance
! ledger: error: --color: sometimes not in {auto,always,never} (see `ledger --help`)
? 64
$ ledger --snapshot-every -1 balance
! ledger: error: --snapshot-every: expected a count of events, 0 or more, not -1 (see `ledger --help`)
? 64
$ ledger --segment-size 100 balance
! ledger: error: --segment-size: Value 100 not in range 4096 to 2147483648 (see `ledger --help`)
? 64
$ ledger import
! ledger: error: FILE is required (see `ledger --help`)
? 64
$ ls
