# import of JSON lines (by the file's name, by --format, and from standard input, where the
# first byte "{" tells JSON lines without --format), with bad rows; history --format jsonl
# imports into another ledger.
<<< rows.jsonl
< {"op":"open","account":"CHK-001","date":"2026-01-01","owner":"Ada Lovelace","overdraft_limit":"10"}
< {"op":"open","account":"JPY-001","date":"2026-01-01","currency":"JPY"}
< {"op":"deposit","account":"CHK-001","amount":"100.25","date":"2026-01-05","memo":"gift","ref":"g-1"}
<
< {"op":"deposit","account":"JPY-001","amount":1500,"date":"2026-01-06T09:00:00+09:00","memo":null}
< {"op":"withdraw","account":"CHK-001","amount":"110","date":"2026-01-07"}
$ ledger import rows.jsonl
> 5 new, 0 already recorded
$ ledger balance
> account,balance,currency
> CHK-001,-9.75,USD
> JPY-001,1500,JPY
<<< bad.jsonl
< {"op":"deposit","account":"CHK-001","amount":"5","date":"2026-02-01"}
< {"op":"deposit","account":"CHK-001","amount":"5.001","date":"2026-02-01"}
< ["deposit","CHK-001"]
< {"op":"deposit","account":"CHK-001","amount":"5","amount":"6"}
< {"op":"deposit","account":"CHK-001","amount":"5","extra":{"a":1}}
< not json
$ ledger import bad.jsonl
! bad.jsonl:2: error: amount: invalid amount "5.001": USD has 2 decimal places
! bad.jsonl:3: error: not a JSON object
! bad.jsonl:4: error: duplicate key "amount"
! bad.jsonl:5: error: nested objects are not allowed (values must be scalars)
! bad.jsonl:6: error: invalid JSON: invalid value
! ledger: error: 5 bad rows in bad.jsonl; nothing was imported
? 65
<<< more.txt
< {"op":"deposit","account":"CHK-001","amount":"1","date":"2026-02-02","ref":"m-1"}
$ ledger import more.txt --format jsonl
> 1 new, 0 already recorded
$ ledger import - --format jsonl < more.txt
> 0 new, 1 already recorded
$ ledger import - < bad.jsonl
! <stdin>:2: error: amount: invalid amount "5.001": USD has 2 decimal places
! <stdin>:3: error: not a JSON object
! <stdin>:4: error: duplicate key "amount"
! <stdin>:5: error: nested objects are not allowed (values must be scalars)
! <stdin>:6: error: invalid JSON: invalid value
! ledger: error: 5 bad rows in <stdin>; nothing was imported
? 65
$ ledger history --format jsonl > audit.jsonl
$ ledger --dir copy import audit.jsonl
> 6 new, 0 already recorded
$ ledger --dir copy balance
> account,balance,currency
> CHK-001,-8.75,USD
> JPY-001,1500,JPY
