# Usage errors (exit 64): no command, an unknown command or option, a missing or extra
# argument, an option twice, a value not among the choices, numbers out of range.
$ ledger
! ledger: error: no command given (see `ledger --help`)
? 64
$ ledger frobnicate
! ledger: error: unknown command "frobnicate" (see `ledger --help`)
? 64
$ ledger balance --no-such-option
! ledger: error: unknown option "--no-such-option" for balance (see `ledger balance --help`)
? 64
$ ledger deposit CHK-001
! ledger: error: missing AMOUNT (usage: ledger deposit ACC AMOUNT [options])
? 64
$ ledger deposit CHK-001 10 20
! ledger: error: unexpected argument "20" (usage: ledger deposit ACC AMOUNT [options])
? 64
$ ledger deposit CHK-001 10 --memo a --memo b
! ledger: error: --memo given twice (it takes one value)
? 64
$ ledger --format yaml balance
! ledger: error: --format: unknown format "yaml" (expected table, csv, tsv, json, jsonl or chart) (see `ledger --help`)
? 64
$ ledger --color sometimes balance
! ledger: error: --color: "sometimes" is not one of auto, always, never (see `ledger --help`)
? 64
$ ledger --snapshot-every -1 balance
! ledger: error: --snapshot-every: expected a count of events, 0 or more, not -1 (see `ledger --help`)
? 64
$ ledger --segment-size 100 balance
! ledger: error: --segment-size: expected a whole number from 4096 to 2147483648, not 100 (see `ledger --help`)
? 64
$ ledger import
! ledger: error: missing FILE (usage: ledger import FILE [options])
? 64
$ ls
