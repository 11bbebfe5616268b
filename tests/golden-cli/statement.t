# statement: movements in effective order with the running balance; in a table also the
# opening and closing balances; --from/--to by effective time; --known-at.
%setup books
$ ledger statement CHK-001 --format table
> statement of CHK-001 (USD), as of <now>Z
> opening balance 0.00 USD
> date        seq  type          counterparty   amount  balance  currency  memo               ref
> 2026-01-15    8  deposit                       50.00    50.00  USD       late cheque
> 2026-01-31    4  deposit                     2500.00  2550.00  USD       salary             pay-2026-01
> 2026-02-03    5  withdrawal                   -89.99  2460.01  USD       groceries, weekly
> 2026-02-05    6  transfer out  SAV-001       -400.00  2060.01  USD       savings
> closing balance 2060.01 USD
> digest ledger-digest-v1:8:<root>
$ ledger statement CHK-001
> date,seq,type,counterparty,amount,balance,currency,memo,ref
> 2026-01-15,8,deposit,,50.00,50.00,USD,late cheque,
> 2026-01-31,4,deposit,,2500.00,2550.00,USD,salary,pay-2026-01
> 2026-02-03,5,withdrawal,,-89.99,2460.01,USD,"groceries, weekly",
> 2026-02-05,6,transfer out,SAV-001,-400.00,2060.01,USD,savings,
$ ledger statement CHK-001 --format tsv
> date	seq	type	counterparty	amount	balance	currency	memo	ref
> 2026-01-15	8	deposit		50.00	50.00	USD	late cheque	
> 2026-01-31	4	deposit		2500.00	2550.00	USD	salary	pay-2026-01
> 2026-02-03	5	withdrawal		-89.99	2460.01	USD	groceries, weekly	
> 2026-02-05	6	transfer out	SAV-001	-400.00	2060.01	USD	savings	
$ ledger statement CHK-001 --format json
> [
>   {"date":"2026-01-15","seq":8,"type":"deposit","counterparty":"","amount":"50.00","balance":"50.00","currency":"USD","memo":"late cheque","ref":"","digest":"ledger-digest-v1:8:<root>"},
>   {"date":"2026-01-31","seq":4,"type":"deposit","counterparty":"","amount":"2500.00","balance":"2550.00","currency":"USD","memo":"salary","ref":"pay-2026-01","digest":"ledger-digest-v1:8:<root>"},
>   {"date":"2026-02-03","seq":5,"type":"withdrawal","counterparty":"","amount":"-89.99","balance":"2460.01","currency":"USD","memo":"groceries, weekly","ref":"","digest":"ledger-digest-v1:8:<root>"},
>   {"date":"2026-02-05","seq":6,"type":"transfer out","counterparty":"SAV-001","amount":"-400.00","balance":"2060.01","currency":"USD","memo":"savings","ref":"","digest":"ledger-digest-v1:8:<root>"}
> ]
$ ledger statement CHK-001 --format jsonl
> {"date":"2026-01-15","seq":8,"type":"deposit","counterparty":"","amount":"50.00","balance":"50.00","currency":"USD","memo":"late cheque","ref":"","digest":"ledger-digest-v1:8:<root>"}
> {"date":"2026-01-31","seq":4,"type":"deposit","counterparty":"","amount":"2500.00","balance":"2550.00","currency":"USD","memo":"salary","ref":"pay-2026-01","digest":"ledger-digest-v1:8:<root>"}
> {"date":"2026-02-03","seq":5,"type":"withdrawal","counterparty":"","amount":"-89.99","balance":"2460.01","currency":"USD","memo":"groceries, weekly","ref":"","digest":"ledger-digest-v1:8:<root>"}
> {"date":"2026-02-05","seq":6,"type":"transfer out","counterparty":"SAV-001","amount":"-400.00","balance":"2060.01","currency":"USD","memo":"savings","ref":"","digest":"ledger-digest-v1:8:<root>"}
$ ledger statement SAV-001 --format table
> statement of SAV-001 (USD), as of <now>Z
> opening balance 0.00 USD
> date        seq  type         counterparty  amount  balance  currency  memo     ref
> 2026-02-05    6  transfer in  CHK-001       400.00   400.00  USD       savings
> closing balance 400.00 USD
> digest ledger-digest-v1:8:<root>
$ ledger statement EUR-001 --format table
> statement of EUR-001 (EUR), as of <now>Z
> opening balance 0.00 EUR
> date                  seq  type     counterparty   amount  balance  currency  memo    ref
> 2026-02-28T17:30:00Z    7  deposit                1200.50  1200.50  EUR       Gehalt
> closing balance 1200.50 EUR
> digest ledger-digest-v1:8:<root>
$ ledger statement CHK-001 --from 2026-02-01 --to 2026-02-28 --format table
> statement of CHK-001 (USD), from 2026-02-01, as of 2026-02-28
> opening balance 2550.00 USD
> date        seq  type          counterparty   amount  balance  currency  memo               ref
> 2026-02-03    5  withdrawal                   -89.99  2460.01  USD       groceries, weekly
> 2026-02-05    6  transfer out  SAV-001       -400.00  2060.01  USD       savings
> closing balance 2060.01 USD
> digest ledger-digest-v1:8:<root>
$ ledger statement CHK-001 --from 2026-02-01 --to 2026-02-28
> date,seq,type,counterparty,amount,balance,currency,memo,ref
> 2026-02-03,5,withdrawal,,-89.99,2460.01,USD,"groceries, weekly",
> 2026-02-05,6,transfer out,SAV-001,-400.00,2060.01,USD,savings,
$ ledger statement CHK-001 --to 2026-01-20 --format table
> statement of CHK-001 (USD), as of 2026-01-20
> opening balance 0.00 USD
> date        seq  type     counterparty  amount  balance  currency  memo         ref
> 2026-01-15    8  deposit                 50.00    50.00  USD       late cheque
> closing balance 50.00 USD
> digest ledger-digest-v1:8:<root>
# As it stood before the late cheque was recorded.
$ ledger statement CHK-001 --known-at "$(recorded_at 7)" --format table
> statement of CHK-001 (USD), as of <now>Z, as known at <now>Z
> opening balance 0.00 USD
> date        seq  type          counterparty   amount  balance  currency  memo               ref
> 2026-01-31    4  deposit                     2500.00  2500.00  USD       salary             pay-2026-01
> 2026-02-03    5  withdrawal                   -89.99  2410.01  USD       groceries, weekly
> 2026-02-05    6  transfer out  SAV-001       -400.00  2010.01  USD       savings
> closing balance 2010.01 USD
> digest ledger-digest-v1:7:<root>
$ ledger statement CHK-001 --from 2026-03-01 --to 2026-02-01
! ledger: error: --from "2026-03-01" is after --to "2026-02-01" (the period is empty)
? 65
$ ledger statement CHK-0001
! ledger: error: unknown account "CHK-0001" (did you mean "CHK-001"?)
? 1
$ ledger statement
! ledger: error: missing ACC (usage: ledger statement ACC [options])
? 64
$ ledger --quiet statement CHK-001 --format table
> date        seq  type          counterparty   amount  balance  currency  memo               ref
> 2026-01-15    8  deposit                       50.00    50.00  USD       late cheque
> 2026-01-31    4  deposit                     2500.00  2550.00  USD       salary             pay-2026-01
> 2026-02-03    5  withdrawal                   -89.99  2460.01  USD       groceries, weekly
> 2026-02-05    6  transfer out  SAV-001       -400.00  2060.01  USD       savings
