# compact: with 4 KiB segments, 57 deposits seal a few segments; compact archives those before
# its snapshot (zstd) and queries still read them; --purge needs --yes and deletes them, after
# which questions before the snapshot fail with "history before T was purged" (a statement from
# T or earlier: "history up to and including T was purged", since entries at T are gone too).
$ ledger --segment-size 4096 open CHK-001 --date 2026-01-01
> recorded event 1: opened CHK-001 (USD)
$ for m in 01 02 03; do for d in $(seq 10 28); do ledger --quiet --segment-size 4096 deposit CHK-001 1 --date 2026-$m-$d --memo "day $d" --ref "d-$m-$d" || exit; done; done
$ ledger --segment-size 4096 deposit CHK-001 5 --date 2026-06-01
> recorded event 59: deposit 5.00 USD to CHK-001
$ ls data data/index
> data:
> 00000000000000000001.seg
> 00000000000000000030.seg
> 00000000000000000059.seg
> LOCK
> index
>
> data/index:
> 00000000000000000001.acx
> 00000000000000000001.eff
> 00000000000000000001.idx
> 00000000000000000001.tre
> 00000000000000000030.acx
> 00000000000000000030.eff
> 00000000000000000030.idx
> 00000000000000000030.tre
$ ledger stats --format table
> stat                        value
> events                      59
> frames                      59
> segments                    3
> segment_bytes               8688
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
> account_indexes             2
> account_index_bytes         6448
> accounts_open               1
> accounts_closed             0
> seq_first                   1
> seq_last                    59
> recorded_first              <now>               UTC
> recorded_last               <now>               UTC
> time_zone                   UTC
$ ledger compact --purge
! ledger: error: --purge deletes history for good: add --yes to confirm
? 64
$ ledger compact
> snapshot at event 59; archived 2 segments: 8.2 KiB -> 2.7 KiB
$ ls data data/archive
> data:
> 00000000000000000059.seg
> LOCK
> archive
> index
> refs
> snapshots
>
> data/archive:
> 00000000000000000001.idx
> 00000000000000000001.seg.zst
> 00000000000000000001.tre
> 00000000000000000030.idx
> 00000000000000000030.seg.zst
> 00000000000000000030.tre
$ ledger compact
> snapshot at event 59; no sealed segment lies wholly before it
$ ledger statement CHK-001 --from 2026-01-12 --to 2026-01-14 --format table
> statement of CHK-001 (USD), from 2026-01-12, as of 2026-01-14
> opening balance 2.00 USD
> date        seq  type     counterparty  amount  balance  currency  memo    ref
> 2026-01-12    4  deposit                  1.00     3.00  USD       day 12  d-01-12
> 2026-01-13    5  deposit                  1.00     4.00  USD       day 13  d-01-13
> 2026-01-14    6  deposit                  1.00     5.00  USD       day 14  d-01-14
> closing balance 5.00 USD
> digest ledger-digest-v1:59:<root>
$ ledger balance --at 2026-01-15 --format table
> as of 2026-01-15
> account  balance  currency
> CHK-001     6.00  USD
> digest ledger-digest-v1:59:<root>
$ ledger verify
> verified 59 events in 59 frames across 3 segments; chain intact; 2 indexes current; 1 account replayed; 2 segments read from the archive; 1 of 1 snapshot compared with the replay; ref index through 59 checked; 0 account indexes checked
$ ledger compact --purge --yes
> snapshot at event 59; purged 2 segments (8.2 KiB): the log now begins at event 59
$ ls data data/archive
> data:
> 00000000000000000059.seg
> LOCK
> PURGED
> archive
> index
> refs
> snapshots
>
> data/archive:
$ ledger balance --format table --at 2026-06-01
> as of 2026-06-01
> account  balance  currency
> CHK-001    62.00  USD
$ ledger balance --at 2026-01-15
! ledger: error: history before 2026-06-01 00:00:00 UTC was purged (the log now begins at event 59; the oldest snapshot kept covers events up to 59)
? 1
$ ledger statement CHK-001 --from 2026-01-01
! ledger: error: history up to and including 2026-06-01 00:00:00 UTC was purged (the log now begins at event 59; the oldest snapshot kept covers events up to 59)
? 1
# After the snapshot, a statement opens from its balance.
$ ledger statement CHK-001 --from 2026-06-02 --format table
> statement of CHK-001 (USD), from 2026-06-02, as of <now>Z
> opening balance 62.00 USD
> date  seq  type  counterparty  amount  balance  currency  memo  ref
> closing balance 62.00 USD
$ ledger export
! ledger: error: cannot export: the history before event 59 was purged (`compact --purge`), and an export needs every event from the first
? 1
$ ledger verify
> verified 1 event in 1 frame across 1 segment; chain intact; 0 indexes current; 1 account replayed; history before 59 purged; 0 of 1 snapshot compared with the replay; ref index through 59 checked; 0 account indexes checked
$ ledger stats --format table
> stat                        value
> events                      1
> frames                      1
> segments                    1
> segment_bytes               256
> archive_segments            0
> archive_bytes               0
> archive_bytes_uncompressed  0
> purged_before               59
> snapshots                   1
> snapshot_bytes              236
> snapshot_seq_oldest         59
> snapshot_seq_newest         59
> ref_index_runs              1
> ref_index_entries           57
> ref_index_covered_through   59
> account_indexes             0
> account_index_bytes         0
> accounts_open               1
> accounts_closed             0
> seq_first                   59
> seq_last                    59
> recorded_first              <now>               UTC
> recorded_last               <now>               UTC
> time_zone                   UTC
