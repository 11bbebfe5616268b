# Questions on a data directory that does not exist yet: each says there is no ledger there
# (exit 66), and no directory is created.
$ ledger balance
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger balance --format table
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger accounts --format json
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger history --format jsonl
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger balance CHK-001
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger statement CHK-001
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger export
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger stats --format table
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger verify
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger compact
! ledger: error: the ledger is empty: there is nothing to snapshot
? 1
$ ls
