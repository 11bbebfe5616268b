# stats: what the ledger holds, one line per value in a table, one record in the other formats.
%setup books
$ ledger stats --format table
> stat                        value
> events                      8
> frames                      8
> segments                    1
> segment_bytes               1285
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
> accounts_open               3
> accounts_closed             0
> seq_first                   1
> seq_last                    8
> recorded_first              <now>               UTC
> recorded_last               <now>               UTC
> time_zone                   UTC
$ ledger stats
> events,frames,segments,segment_bytes,archive_segments,archive_bytes,archive_bytes_uncompressed,purged_before,snapshots,snapshot_bytes,snapshot_seq_oldest,snapshot_seq_newest,ref_index_runs,ref_index_entries,ref_index_covered_through,account_indexes,account_index_bytes,accounts_open,accounts_closed,seq_first,seq_last,recorded_first,recorded_last,time_zone
> 8,8,1,1285,0,0,0,,0,0,,,0,0,,0,0,3,0,1,8,<now>Z,<now>Z,UTC
$ ledger stats --format tsv
> events	frames	segments	segment_bytes	archive_segments	archive_bytes	archive_bytes_uncompressed	purged_before	snapshots	snapshot_bytes	snapshot_seq_oldest	snapshot_seq_newest	ref_index_runs	ref_index_entries	ref_index_covered_through	account_indexes	account_index_bytes	accounts_open	accounts_closed	seq_first	seq_last	recorded_first	recorded_last	time_zone
> 8	8	1	1285	0	0	0		0	0			0	0		0	0	3	0	1	8	<now>Z	<now>Z	UTC
$ ledger stats --format json
> [
>   {"events":8,"frames":8,"segments":1,"segment_bytes":1285,"archive_segments":0,"archive_bytes":0,"archive_bytes_uncompressed":0,"purged_before":null,"snapshots":0,"snapshot_bytes":0,"snapshot_seq_oldest":null,"snapshot_seq_newest":null,"ref_index_runs":0,"ref_index_entries":0,"ref_index_covered_through":null,"account_indexes":0,"account_index_bytes":0,"accounts_open":3,"accounts_closed":0,"seq_first":1,"seq_last":8,"recorded_first":"<now>Z","recorded_last":"<now>Z","time_zone":"UTC"}
> ]
$ ledger stats --format jsonl
> {"events":8,"frames":8,"segments":1,"segment_bytes":1285,"archive_segments":0,"archive_bytes":0,"archive_bytes_uncompressed":0,"purged_before":null,"snapshots":0,"snapshot_bytes":0,"snapshot_seq_oldest":null,"snapshot_seq_newest":null,"ref_index_runs":0,"ref_index_entries":0,"ref_index_covered_through":null,"account_indexes":0,"account_index_bytes":0,"accounts_open":3,"accounts_closed":0,"seq_first":1,"seq_last":8,"recorded_first":"<now>Z","recorded_last":"<now>Z","time_zone":"UTC"}
