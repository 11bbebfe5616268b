# Questions on a data directory that does not exist yet: empty answers, no directory created.
$ ledger balance
> account,balance,currency
$ ledger balance --format table
> as of <now>Z
> account  balance  currency
$ ledger accounts --format json
> []
$ ledger history --format jsonl
$ ledger balance CHK-001
! ledger: error: unknown account "CHK-001"
? 1
$ ledger statement CHK-001
! ledger: error: unknown account "CHK-001"
? 1
$ ledger export
> ; Exported by `ledger export --format ledger`: 0 events.
> ; Accounts are Assets:<id>, each ':' of an id written '~' (not a sub-account);
> ; deposits and withdrawals have the counter-account Equity:External:<currency>.
> ; Tags: seq (event number), recorded (when it was written to the log), ref (its
> ; external reference). Opening and closing an account are comments.
>
>
>
> tag seq
> tag recorded
> tag ref
$ ledger stats --format table
> stat                        value
> events                      0
> frames                      0
> segments                    0
> segment_bytes               0
> archive_segments            0
> archive_bytes               0
> archive_bytes_uncompressed  0
> purged_before
> snapshots                   0
> snapshot_bytes              0
> snapshot_seq_oldest
> snapshot_seq_newest
> ref_index_runs              0
> ref_index_entries           0
> ref_index_covered_through
> account_indexes             0
> account_index_bytes         0
> accounts_open               0
> accounts_closed             0
> seq_first
> seq_last
> recorded_first
> recorded_last
> time_zone
$ ledger verify
> verified 0 events in 0 frames across 0 segments; chain intact; 0 indexes current; 0 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked
! ledger: verify: note: there is no ledger in <dir>/data yet (the directory does not exist)
$ ledger compact
! ledger: error: the ledger is empty: there is nothing to snapshot
? 1
$ ls
