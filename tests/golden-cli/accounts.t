# accounts: status, currency, balance, owner, overdraft limit and opening, in every format.
%setup books
$ ledger close EUR-001 --date 2026-03-01
! ledger: error: cannot close "EUR-001": on 2026-03-01 its balance is 1200.50 EUR (it must be zero)
? 1
$ ledger withdraw EUR-001 1200.50 --memo 'to close' --date 2026-03-01
> recorded event 9: withdrawal 1200.50 EUR from EUR-001
$ ledger close EUR-001 --date 2026-03-01
> recorded event 10: closed EUR-001
$ ledger accounts
> account,balance,currency,status,owner,overdraft_limit,opened
> CHK-001,2060.01,USD,open,Ada Lovelace,100.00,2026-01-01
> EUR-001,0.00,EUR,closed,Bob,0.00,2026-02-01
> SAV-001,400.00,USD,open,Ada Lovelace,0.00,2026-01-01
$ ledger accounts --format table
> as of <now>Z
> account  balance  currency  status  owner         overdraft_limit  opened
> CHK-001  2060.01  USD       open    Ada Lovelace           100.00  2026-01-01
> EUR-001     0.00  EUR       closed  Bob                      0.00  2026-02-01
> SAV-001   400.00  USD       open    Ada Lovelace             0.00  2026-01-01
> digest ledger-digest-v1:10:<root>
$ ledger accounts --format tsv
> account	balance	currency	status	owner	overdraft_limit	opened
> CHK-001	2060.01	USD	open	Ada Lovelace	100.00	2026-01-01
> EUR-001	0.00	EUR	closed	Bob	0.00	2026-02-01
> SAV-001	400.00	USD	open	Ada Lovelace	0.00	2026-01-01
$ ledger accounts --format json
> [
>   {"account":"CHK-001","balance":"2060.01","currency":"USD","status":"open","owner":"Ada Lovelace","overdraft_limit":"100.00","opened":"2026-01-01","digest":"ledger-digest-v1:10:<root>"},
>   {"account":"EUR-001","balance":"0.00","currency":"EUR","status":"closed","owner":"Bob","overdraft_limit":"0.00","opened":"2026-02-01","digest":"ledger-digest-v1:10:<root>"},
>   {"account":"SAV-001","balance":"400.00","currency":"USD","status":"open","owner":"Ada Lovelace","overdraft_limit":"0.00","opened":"2026-01-01","digest":"ledger-digest-v1:10:<root>"}
> ]
$ ledger accounts --format jsonl
> {"account":"CHK-001","balance":"2060.01","currency":"USD","status":"open","owner":"Ada Lovelace","overdraft_limit":"100.00","opened":"2026-01-01","digest":"ledger-digest-v1:10:<root>"}
> {"account":"EUR-001","balance":"0.00","currency":"EUR","status":"closed","owner":"Bob","overdraft_limit":"0.00","opened":"2026-02-01","digest":"ledger-digest-v1:10:<root>"}
> {"account":"SAV-001","balance":"400.00","currency":"USD","status":"open","owner":"Ada Lovelace","overdraft_limit":"0.00","opened":"2026-01-01","digest":"ledger-digest-v1:10:<root>"}
$ ledger accounts --at 2026-01-31 --format table
> as of 2026-01-31
> account  balance  currency  status  owner         overdraft_limit  opened
> CHK-001  2550.00  USD       open    Ada Lovelace           100.00  2026-01-01
> SAV-001     0.00  USD       open    Ada Lovelace             0.00  2026-01-01
> digest ledger-digest-v1:10:<root>
$ ledger accounts --at 2026-02-28 --known-at "$(recorded_at 8)" --format csv
> account,balance,currency,status,owner,overdraft_limit,opened
> CHK-001,2060.01,USD,open,Ada Lovelace,100.00,2026-01-01
> EUR-001,1200.50,EUR,open,Bob,0.00,2026-02-01
> SAV-001,400.00,USD,open,Ada Lovelace,0.00,2026-01-01
