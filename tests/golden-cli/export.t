# export: the journal for ledger-cli and hledger, and rows that import reads back (CSV, JSON
# lines); with --at, into a file, and a global --format.
%setup books
$ ledger close SAV-001 --date 2026-03-01
! ledger: error: cannot close "SAV-001": on 2026-03-01 its balance is 400.00 USD (it must be zero)
? 1
$ ledger transfer SAV-001 CHK-001 400 --memo 'back (all)' --date 2026-03-01
> recorded event 9: transfer 400.00 USD from SAV-001 to CHK-001
$ ledger close SAV-001 --date 2026-03-01
> recorded event 10: closed SAV-001
$ ledger export
> ; Exported by `ledger export --format ledger`: 10 events.
> ; Accounts are Assets:<id>, each ':' of an id written '~' (not a sub-account);
> ; deposits and withdrawals have the counter-account Equity:External:<currency>.
> ; Tags: seq (event number), recorded (when it was written to the log), ref (its
> ; external reference). Opening and closing an account are comments.
>
> commodity EUR
>     format 1000.00 EUR
> commodity USD
>     format 1000.00 USD
>
> account Assets:CHK-001
> account Assets:EUR-001
> account Assets:SAV-001
> account Equity:External:EUR
> account Equity:External:USD
>
> tag seq
> tag recorded
> tag ref
>
> ; 2026-01-01 open Assets:CHK-001 (USD, owner Ada Lovelace, overdraft limit 100.00 USD) seq 1 recorded <now>Z
>
> ; 2026-01-01 open Assets:SAV-001 (USD, owner Ada Lovelace, overdraft limit 0.00 USD) seq 2 recorded <now>Z
>
> 2026-01-15 * late cheque
>     ; seq: 8
>     ; recorded: <now>Z
>     Assets:CHK-001  50.00 USD = 50.00 USD
>     Equity:External:USD  -50.00 USD = -50.00 USD
>
> 2026-01-31 * salary
>     ; seq: 4
>     ; recorded: <now>Z
>     ; ref: pay-2026-01
>     Assets:CHK-001  2500.00 USD = 2550.00 USD
>     Equity:External:USD  -2500.00 USD = -2550.00 USD
>
> ; 2026-02-01 open Assets:EUR-001 (EUR, owner Bob, overdraft limit 0.00 EUR) seq 3 recorded <now>Z
>
> 2026-02-03 * groceries weekly
>     ; seq: 5
>     ; recorded: <now>Z
>     Assets:CHK-001  -89.99 USD = 2460.01 USD
>     Equity:External:USD  89.99 USD = -2460.01 USD
>
> 2026-02-05 * savings
>     ; seq: 6
>     ; recorded: <now>Z
>     Assets:CHK-001  -400.00 USD = 2060.01 USD
>     Assets:SAV-001  400.00 USD = 400.00 USD
>
> 2026-02-28 * Gehalt
>     ; seq: 7
>     ; recorded: <now>Z
>     Assets:EUR-001  1200.50 EUR = 1200.50 EUR
>     Equity:External:EUR  -1200.50 EUR = -1200.50 EUR
>
> 2026-03-01 * back all
>     ; seq: 9
>     ; recorded: <now>Z
>     Assets:SAV-001  -400.00 USD = 0.00 USD
>     Assets:CHK-001  400.00 USD = 2460.01 USD
>
> ; 2026-03-01 close Assets:SAV-001 seq 10 recorded <now>Z
$ ledger export --format ledger --at 2026-01-31
> ; Exported by `ledger export --format ledger`, as of 2026-01-31T23:59:59.999999999Z: 4 events.
> ; Accounts are Assets:<id>, each ':' of an id written '~' (not a sub-account);
> ; deposits and withdrawals have the counter-account Equity:External:<currency>.
> ; Tags: seq (event number), recorded (when it was written to the log), ref (its
> ; external reference). Opening and closing an account are comments.
>
> commodity USD
>     format 1000.00 USD
>
> account Assets:CHK-001
> account Assets:SAV-001
> account Equity:External:USD
>
> tag seq
> tag recorded
> tag ref
>
> ; 2026-01-01 open Assets:CHK-001 (USD, owner Ada Lovelace, overdraft limit 100.00 USD) seq 1 recorded <now>Z
>
> ; 2026-01-01 open Assets:SAV-001 (USD, owner Ada Lovelace, overdraft limit 0.00 USD) seq 2 recorded <now>Z
>
> 2026-01-15 * late cheque
>     ; seq: 8
>     ; recorded: <now>Z
>     Assets:CHK-001  50.00 USD = 50.00 USD
>     Equity:External:USD  -50.00 USD = -50.00 USD
>
> 2026-01-31 * salary
>     ; seq: 4
>     ; recorded: <now>Z
>     ; ref: pay-2026-01
>     Assets:CHK-001  2500.00 USD = 2550.00 USD
>     Equity:External:USD  -2500.00 USD = -2550.00 USD
$ ledger export --format csv
> op,account,amount,to,date,memo,ref,currency,owner,overdraft_limit
> open,CHK-001,,,2026-01-01,,seq:1,USD,Ada Lovelace,100.00
> open,SAV-001,,,2026-01-01,,seq:2,USD,Ada Lovelace,0.00
> deposit,CHK-001,50.00,,2026-01-15,late cheque,seq:8,USD,,
> deposit,CHK-001,2500.00,,2026-01-31,salary,pay-2026-01,USD,,
> open,EUR-001,,,2026-02-01,,seq:3,EUR,Bob,0.00
> withdraw,CHK-001,89.99,,2026-02-03,"groceries, weekly",seq:5,USD,,
> transfer,CHK-001,400.00,SAV-001,2026-02-05,savings,seq:6,USD,,
> deposit,EUR-001,1200.50,,2026-02-28T17:30:00Z,Gehalt,seq:7,EUR,,
> transfer,SAV-001,400.00,CHK-001,2026-03-01,back (all),seq:9,USD,,
> close,SAV-001,,,2026-03-01,,seq:10,USD,,
$ ledger export --format jsonl
> {"op":"open","account":"CHK-001","date":"2026-01-01","ref":"seq:1","currency":"USD","owner":"Ada Lovelace","overdraft_limit":"100.00"}
> {"op":"open","account":"SAV-001","date":"2026-01-01","ref":"seq:2","currency":"USD","owner":"Ada Lovelace","overdraft_limit":"0.00"}
> {"op":"deposit","account":"CHK-001","amount":"50.00","date":"2026-01-15","memo":"late cheque","ref":"seq:8","currency":"USD"}
> {"op":"deposit","account":"CHK-001","amount":"2500.00","date":"2026-01-31","memo":"salary","ref":"pay-2026-01","currency":"USD"}
> {"op":"open","account":"EUR-001","date":"2026-02-01","ref":"seq:3","currency":"EUR","owner":"Bob","overdraft_limit":"0.00"}
> {"op":"withdraw","account":"CHK-001","amount":"89.99","date":"2026-02-03","memo":"groceries, weekly","ref":"seq:5","currency":"USD"}
> {"op":"transfer","account":"CHK-001","amount":"400.00","to":"SAV-001","date":"2026-02-05","memo":"savings","ref":"seq:6","currency":"USD"}
> {"op":"deposit","account":"EUR-001","amount":"1200.50","date":"2026-02-28T17:30:00Z","memo":"Gehalt","ref":"seq:7","currency":"EUR"}
> {"op":"transfer","account":"SAV-001","amount":"400.00","to":"CHK-001","date":"2026-03-01","memo":"back (all)","ref":"seq:9","currency":"USD"}
> {"op":"close","account":"SAV-001","date":"2026-03-01","ref":"seq:10","currency":"USD"}
$ ledger --format csv export --at 2026-02-05
> op,account,amount,to,date,memo,ref,currency,owner,overdraft_limit
> open,CHK-001,,,2026-01-01,,seq:1,USD,Ada Lovelace,100.00
> open,SAV-001,,,2026-01-01,,seq:2,USD,Ada Lovelace,0.00
> deposit,CHK-001,50.00,,2026-01-15,late cheque,seq:8,USD,,
> deposit,CHK-001,2500.00,,2026-01-31,salary,pay-2026-01,USD,,
> open,EUR-001,,,2026-02-01,,seq:3,EUR,Bob,0.00
> withdraw,CHK-001,89.99,,2026-02-03,"groceries, weekly",seq:5,USD,,
> transfer,CHK-001,400.00,SAV-001,2026-02-05,savings,seq:6,USD,,
$ ledger --format jsonl export --at 2026-01-15
> {"op":"open","account":"CHK-001","date":"2026-01-01","ref":"seq:1","currency":"USD","owner":"Ada Lovelace","overdraft_limit":"100.00"}
> {"op":"open","account":"SAV-001","date":"2026-01-01","ref":"seq:2","currency":"USD","owner":"Ada Lovelace","overdraft_limit":"0.00"}
> {"op":"deposit","account":"CHK-001","amount":"50.00","date":"2026-01-15","memo":"late cheque","ref":"seq:8","currency":"USD"}
$ ledger --format table export
! ledger: error: export writes ledger, csv or jsonl, not table (see `ledger export --help`)
? 64
$ ledger export --format xml
! ledger: error: --format: "xml" is not one of ledger, csv, jsonl (see `ledger export --help`)
? 64
$ ledger export --format csv books.csv
$ cat books.csv
> op,account,amount,to,date,memo,ref,currency,owner,overdraft_limit
> open,CHK-001,,,2026-01-01,,seq:1,USD,Ada Lovelace,100.00
> open,SAV-001,,,2026-01-01,,seq:2,USD,Ada Lovelace,0.00
> deposit,CHK-001,50.00,,2026-01-15,late cheque,seq:8,USD,,
> deposit,CHK-001,2500.00,,2026-01-31,salary,pay-2026-01,USD,,
> open,EUR-001,,,2026-02-01,,seq:3,EUR,Bob,0.00
> withdraw,CHK-001,89.99,,2026-02-03,"groceries, weekly",seq:5,USD,,
> transfer,CHK-001,400.00,SAV-001,2026-02-05,savings,seq:6,USD,,
> deposit,EUR-001,1200.50,,2026-02-28T17:30:00Z,Gehalt,seq:7,EUR,,
> transfer,SAV-001,400.00,CHK-001,2026-03-01,back (all),seq:9,USD,,
> close,SAV-001,,,2026-03-01,,seq:10,USD,,
# The CSV export copies the books into a fresh ledger.
$ ledger --dir copy import books.csv
> 10 new, 0 already recorded
$ ledger --dir copy balance
> account,balance,currency
> CHK-001,2460.01,USD
> EUR-001,1200.50,EUR
> SAV-001,0.00,USD
$ ledger balance
> account,balance,currency
> CHK-001,2460.01,USD
> EUR-001,1200.50,EUR
> SAV-001,0.00,USD
