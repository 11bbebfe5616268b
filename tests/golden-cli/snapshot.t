# snapshot: nothing to snapshot in an empty ledger; then a snapshot, and one that exists.
$ ledger snapshot
! ledger: error: the ledger is empty: there is nothing to snapshot
? 1
$ ls
%setup books
$ ledger snapshot
> snapshot at event 8: 3 accounts, 405 bytes
$ ledger snapshot
> snapshot at event 8 already exists (3 accounts)
$ ledger deposit CHK-001 1 --date 2026-03-01
> recorded event 9: deposit 1.00 USD to CHK-001
$ ledger snapshot
> snapshot at event 9: 3 accounts, 405 bytes
$ ledger stats --format table
> stat                        value
> events                      9
> frames                      9
> segments                    1
> segment_bytes               1413
> archive_segments            0
> archive_bytes               0
> archive_bytes_uncompressed  0
> purged_before
> snapshots                   2
> snapshot_bytes              810
> snapshot_seq_oldest         8
> snapshot_seq_newest         9
> ref_index_runs              2
> ref_index_entries           1
> ref_index_covered_through   9
> account_indexes             0
> account_index_bytes         0
> accounts_open               3
> accounts_closed             0
> seq_first                   1
> seq_last                    9
> recorded_first              <now>               UTC
> recorded_last               <now>               UTC
> time_zone                   UTC
$ ledger verify
> verified 9 events in 9 frames across 1 segment; chain intact; 0 indexes current; 3 accounts replayed; 2 of 2 snapshots compared with the replay; ref index through 9 checked; 0 account indexes checked
$ ledger balance --format table --at 2026-02-05
> as of 2026-02-05
> account  balance  currency
> CHK-001  2060.01  USD
> EUR-001     0.00  EUR
> SAV-001   400.00  USD
> digest ledger-digest-v1:9:<root>
