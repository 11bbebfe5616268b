# --quiet: no confirmations and no import summary; tables without cutoff or opening and
# closing balance lines; errors still print.
$ ledger --quiet open CHK-001 --date 2026-01-01
$ ledger -q deposit CHK-001 25 --date 2026-01-02
<<< rows.csv
< op,account,amount,date
< deposit,CHK-001,5,2026-01-03
$ ledger -q import rows.csv
$ ledger -q balance --format table
> account  balance  currency
> CHK-001    30.00  USD
$ ledger -q accounts --format table
> account  balance  currency  status  owner  overdraft_limit  opened
> CHK-001    30.00  USD       open                      0.00  2026-01-01
$ ledger -q statement CHK-001 --format table
> date        seq  type     counterparty  amount  balance  currency  memo  ref
> 2026-01-02    2  deposit                 25.00    25.00  USD
> 2026-01-03    3  deposit                  5.00    30.00  USD             row:2d38c8c87e37cc24
$ ledger -q withdraw CHK-001 1000 --date 2026-01-04
! ledger: error: insufficient funds in "CHK-001": on 2026-01-04 it would be at -970.00 USD (overdraft limit 0.00 USD)
? 1
