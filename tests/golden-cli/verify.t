# verify: a sound ledger in every format; then one byte of a sealed frame changed, which verify
# reports (exit 1) and every other command refuses to read past (exit 74).
%setup books
$ ledger verify
> verified 8 events in 8 frames across 1 segment; chain intact; 0 indexes current; 3 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked
$ ledger verify --format table
> type  check  file  offset  seq_first  seq_last  effective_min  effective_max  accounts  events  frames  segments  message
> ok    all                          1         8                                               8       8         1  verified 8 events in 8 frames across 1 segment; chain intact; 0 indexes current; 3 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked
$ ledger verify --format csv
> type,check,file,offset,seq_first,seq_last,effective_min,effective_max,accounts,events,frames,segments,message
> ok,all,,,1,8,,,,8,8,1,verified 8 events in 8 frames across 1 segment; chain intact; 0 indexes current; 3 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked
$ ledger verify --format json
> [
>   {"type":"ok","check":"all","file":"","offset":null,"seq_first":1,"seq_last":8,"effective_min":null,"effective_max":null,"accounts":"","events":8,"frames":8,"segments":1,"message":"verified 8 events in 8 frames across 1 segment; chain intact; 0 indexes current; 3 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked"}
> ]
$ ledger verify --format jsonl
> {"type":"ok","check":"all","file":"","offset":null,"seq_first":1,"seq_last":8,"effective_min":null,"effective_max":null,"accounts":"","events":8,"frames":8,"segments":1,"message":"verified 8 events in 8 frames across 1 segment; chain intact; 0 indexes current; 3 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked"}
# Byte 200 of the only segment lies in the frame of event 1 (the opening of CHK-001); the
# frames after it are intact, but the four later entries of CHK-001 cannot be replayed.
$ printf 'X' | dd of=data/00000000000000000001.seg bs=1 seek=200 conv=notrunc status=none
$ ledger verify
! ledger: verify: 00000000000000000001.seg offset 128 (sequence 1): frame checksum mismatch; its event is unreadable; accounts CHK-001 (read from damaged records, unverified); effective 2026-01-01 00:00:00 UTC (per its damaged header)
! ledger: verify: note: 4 later events could not be replayed because they depend on events lost to the damage above
! ledger: verify: FAILED: 1 problem found; verified 7 events in 7 frames across 1 segment; chain BROKEN; 0 indexes current; 2 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked
? 1
$ ledger verify --format csv
> type,check,file,offset,seq_first,seq_last,effective_min,effective_max,accounts,events,frames,segments,message
> failed,all,,,2,8,,,,7,7,1,verified 7 events in 7 frames across 1 segment; chain BROKEN; 0 indexes current; 2 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked
> problem,frame,00000000000000000001.seg,128,1,1,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z,CHK-001,,,,frame checksum mismatch; its event is unreadable
> note,,,,,,,,,,,,4 later events could not be replayed because they depend on events lost to the damage above
! ledger: verify: 00000000000000000001.seg offset 128 (sequence 1): frame checksum mismatch; its event is unreadable; accounts CHK-001 (read from damaged records, unverified); effective 2026-01-01 00:00:00 UTC (per its damaged header)
! ledger: verify: note: 4 later events could not be replayed because they depend on events lost to the damage above
! ledger: verify: FAILED: 1 problem found; verified 7 events in 7 frames across 1 segment; chain BROKEN; 0 indexes current; 2 accounts replayed; 0 of 0 snapshots compared with the replay; 0 account indexes checked
? 1
$ ledger balance
! ledger: error: corrupt log: 00000000000000000001.seg offset 128 (sequence 1): frame checksum mismatch
? 74
$ ledger deposit CHK-001 1 --date 2026-03-01
! ledger: error: corrupt log: 00000000000000000001.seg offset 128 (sequence 1): frame checksum mismatch
? 74
