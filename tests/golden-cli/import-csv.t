# import of CSV: a dry run, the import, a re-run that adds nothing, and a file with bad rows
# (every one reported by line and column; nothing written). Rows apply in date order, so this
# file, newest first, imports as it is; the two identical coffees stay two.
<<< bank.csv
< op,account,amount,to,date,memo,ref,currency,owner,overdraft_limit
< transfer,CHK-001,200,SAV-001,2026-02-03,"savings, monthly",,,,
< withdraw,CHK-001,4.5,,2026-02-02,coffee,,,,
< withdraw,CHK-001,4.5,,2026-02-02,coffee,,,,
< deposit,CHK-001,1200,,2026-01-31,salary,pay-1,,,
< open,SAV-001,,,2026-01-01,,,,,
< open,CHK-001,,,2026-01-01,,,USD,Ada Lovelace,50
$ ledger import bank.csv --dry-run
> dry run: 6 new, 0 already recorded; nothing written
$ ledger history
! ledger: error: no ledger at <dir>/data; `ledger open` creates one
? 66
$ ledger import bank.csv
> 6 new, 0 already recorded
$ ledger import bank.csv
> 0 new, 6 already recorded
$ ledger balance --format table
> as of <now>Z
> account  balance  currency
> CHK-001   991.00  USD
> SAV-001   200.00  USD
> digest ledger-digest-v1:6:<root>
$ ledger history --format table
> as of <now>Z
> seq  recorded                 date        type              op        account  to        amount  currency  owner         overdraft_limit  memo              ref
>   1  <now>               UTC  2026-01-01  AccountOpened     open      SAV-001                    USD                                0.00                    row:5905af9117d07b89
>   2  <now>               UTC  2026-01-01  AccountOpened     open      CHK-001                    USD       Ada Lovelace            50.00                    row:1ffbf669b412cdea
>   3  <now>               UTC  2026-01-31  MoneyDeposited    deposit   CHK-001           1200.00                                           salary            pay-1
>   4  <now>               UTC  2026-02-02  MoneyWithdrawn    withdraw  CHK-001              4.50                                           coffee            row:ad9944b4a7c2f007
>   5  <now>               UTC  2026-02-02  MoneyWithdrawn    withdraw  CHK-001              4.50                                           coffee            row:be465a2f88b65044
>   6  <now>               UTC  2026-02-03  MoneyTransferred  transfer  CHK-001  SAV-001   200.00                                           savings, monthly  row:9f2e06e1e6f233b7
# Bad rows: an amount, an op, a date, an unknown account, a row that overdraws, a short record.
<<< bad.csv
< op,account,amount,date,memo
< deposit,CHK-001,1x0,2026-03-01,typo
< refund,CHK-001,5,2026-03-01,
< deposit,CHK-001,5,2026-03-32,
< deposit,CHK-002,5,2026-03-01,
< withdraw,SAV-001,1000,2026-03-01,too much
< deposit,CHK-001
< deposit,CHK-001,7,2026-03-01,fine
$ ledger import bad.csv
! bad.csv:2:3: error: invalid amount "1x0" (expected a decimal like 12.34)
! bad.csv:3:1: error: invalid op "refund" (expected open, deposit, withdraw, transfer or close)
! bad.csv:4:4: error: invalid date "2026-03-32" (expected YYYY-MM-DD, RFC 3339 like 2026-06-30T12:00:00Z, today or yesterday)
! bad.csv:5:2: error: unknown account "CHK-002" (did you mean "CHK-001"?); open it first with: ledger open CHK-002
! bad.csv:6:3: error: insufficient funds in "SAV-001": on 2026-03-01 it would be at -800.00 USD (overdraft limit 0.00 USD)
! bad.csv:7: error: 2 fields, but the header has 5
! ledger: error: 6 bad rows in bad.csv; nothing was imported
? 65
$ ledger import bad.csv --dry-run
! bad.csv:2:3: error: invalid amount "1x0" (expected a decimal like 12.34)
! bad.csv:3:1: error: invalid op "refund" (expected open, deposit, withdraw, transfer or close)
! bad.csv:4:4: error: invalid date "2026-03-32" (expected YYYY-MM-DD, RFC 3339 like 2026-06-30T12:00:00Z, today or yesterday)
! bad.csv:5:2: error: unknown account "CHK-002" (did you mean "CHK-001"?); open it first with: ledger open CHK-002
! bad.csv:6:3: error: insufficient funds in "SAV-001": on 2026-03-01 it would be at -800.00 USD (overdraft limit 0.00 USD)
! bad.csv:7: error: 2 fields, but the header has 5
! ledger: error: 6 bad rows in bad.csv; nothing was imported
? 65
<<< columns.csv
< op,account,amount,colour
< deposit,CHK-001,5,red
$ ledger import columns.csv
! columns.csv:1:4: error: unknown column "colour" (expected op, account, amount, to, date, memo, ref, currency, owner, overdraft_limit)
! ledger: error: 1 bad row in columns.csv; nothing was imported
? 65
<<< empty.csv
$ ledger import empty.csv
! empty.csv:1: error: no header row (the file is empty; expected a header like op,account,amount)
! ledger: error: 1 bad row in empty.csv; nothing was imported
? 65
$ ledger import missing.csv
! ledger: error: cannot open missing.csv: No such file or directory
? 66
$ ledger import bank.csv --format xml
! ledger: error: --format: "xml" is not one of csv, jsonl (see `ledger import --help`)
? 64
$ ledger balance
> account,balance,currency
> CHK-001,991.00,USD
> SAV-001,200.00,USD
