# history: the raw events in log order with their recorded times (masked: <now>), in every
# format; of one account; bounded by recorded time.
%setup books
$ ledger history --format table
> as of <now>Z
> seq  recorded                 date                  type              op        account  to        amount  currency  owner         overdraft_limit  memo               ref
>   1  <now>               UTC  2026-01-01            AccountOpened     open      CHK-001                    USD       Ada Lovelace           100.00
>   2  <now>               UTC  2026-01-01            AccountOpened     open      SAV-001                    USD       Ada Lovelace             0.00
>   3  <now>               UTC  2026-02-01            AccountOpened     open      EUR-001                    EUR       Bob                      0.00
>   4  <now>               UTC  2026-01-31            MoneyDeposited    deposit   CHK-001           2500.00                                           salary             pay-2026-01
>   5  <now>               UTC  2026-02-03            MoneyWithdrawn    withdraw  CHK-001             89.99                                           groceries, weekly
>   6  <now>               UTC  2026-02-05            MoneyTransferred  transfer  CHK-001  SAV-001   400.00                                           savings
>   7  <now>               UTC  2026-02-28T17:30:00Z  MoneyDeposited    deposit   EUR-001           1200.50                                           Gehalt
>   8  <now>               UTC  2026-01-15            MoneyDeposited    deposit   CHK-001             50.00                                           late cheque
$ ledger history
> seq,recorded,date,type,op,account,to,amount,currency,owner,overdraft_limit,memo,ref
> 1,<now>Z,2026-01-01,AccountOpened,open,CHK-001,,,USD,Ada Lovelace,100.00,,
> 2,<now>Z,2026-01-01,AccountOpened,open,SAV-001,,,USD,Ada Lovelace,0.00,,
> 3,<now>Z,2026-02-01,AccountOpened,open,EUR-001,,,EUR,Bob,0.00,,
> 4,<now>Z,2026-01-31,MoneyDeposited,deposit,CHK-001,,2500.00,,,,salary,pay-2026-01
> 5,<now>Z,2026-02-03,MoneyWithdrawn,withdraw,CHK-001,,89.99,,,,"groceries, weekly",
> 6,<now>Z,2026-02-05,MoneyTransferred,transfer,CHK-001,SAV-001,400.00,,,,savings,
> 7,<now>Z,2026-02-28T17:30:00Z,MoneyDeposited,deposit,EUR-001,,1200.50,,,,Gehalt,
> 8,<now>Z,2026-01-15,MoneyDeposited,deposit,CHK-001,,50.00,,,,late cheque,
$ ledger history --format tsv
> seq	recorded	date	type	op	account	to	amount	currency	owner	overdraft_limit	memo	ref
> 1	<now>Z	2026-01-01	AccountOpened	open	CHK-001			USD	Ada Lovelace	100.00		
> 2	<now>Z	2026-01-01	AccountOpened	open	SAV-001			USD	Ada Lovelace	0.00		
> 3	<now>Z	2026-02-01	AccountOpened	open	EUR-001			EUR	Bob	0.00		
> 4	<now>Z	2026-01-31	MoneyDeposited	deposit	CHK-001		2500.00				salary	pay-2026-01
> 5	<now>Z	2026-02-03	MoneyWithdrawn	withdraw	CHK-001		89.99				groceries, weekly	
> 6	<now>Z	2026-02-05	MoneyTransferred	transfer	CHK-001	SAV-001	400.00				savings	
> 7	<now>Z	2026-02-28T17:30:00Z	MoneyDeposited	deposit	EUR-001		1200.50				Gehalt	
> 8	<now>Z	2026-01-15	MoneyDeposited	deposit	CHK-001		50.00				late cheque	
$ ledger history --format json
> [
>   {"seq":1,"recorded":"<now>Z","date":"2026-01-01","type":"AccountOpened","op":"open","account":"CHK-001","to":"","amount":null,"currency":"USD","owner":"Ada Lovelace","overdraft_limit":"100.00","memo":"","ref":""},
>   {"seq":2,"recorded":"<now>Z","date":"2026-01-01","type":"AccountOpened","op":"open","account":"SAV-001","to":"","amount":null,"currency":"USD","owner":"Ada Lovelace","overdraft_limit":"0.00","memo":"","ref":""},
>   {"seq":3,"recorded":"<now>Z","date":"2026-02-01","type":"AccountOpened","op":"open","account":"EUR-001","to":"","amount":null,"currency":"EUR","owner":"Bob","overdraft_limit":"0.00","memo":"","ref":""},
>   {"seq":4,"recorded":"<now>Z","date":"2026-01-31","type":"MoneyDeposited","op":"deposit","account":"CHK-001","to":"","amount":"2500.00","currency":"","owner":"","overdraft_limit":null,"memo":"salary","ref":"pay-2026-01"},
>   {"seq":5,"recorded":"<now>Z","date":"2026-02-03","type":"MoneyWithdrawn","op":"withdraw","account":"CHK-001","to":"","amount":"89.99","currency":"","owner":"","overdraft_limit":null,"memo":"groceries, weekly","ref":""},
>   {"seq":6,"recorded":"<now>Z","date":"2026-02-05","type":"MoneyTransferred","op":"transfer","account":"CHK-001","to":"SAV-001","amount":"400.00","currency":"","owner":"","overdraft_limit":null,"memo":"savings","ref":""},
>   {"seq":7,"recorded":"<now>Z","date":"2026-02-28T17:30:00Z","type":"MoneyDeposited","op":"deposit","account":"EUR-001","to":"","amount":"1200.50","currency":"","owner":"","overdraft_limit":null,"memo":"Gehalt","ref":""},
>   {"seq":8,"recorded":"<now>Z","date":"2026-01-15","type":"MoneyDeposited","op":"deposit","account":"CHK-001","to":"","amount":"50.00","currency":"","owner":"","overdraft_limit":null,"memo":"late cheque","ref":""}
> ]
$ ledger history --format jsonl
> {"seq":1,"recorded":"<now>Z","date":"2026-01-01","type":"AccountOpened","op":"open","account":"CHK-001","to":"","amount":null,"currency":"USD","owner":"Ada Lovelace","overdraft_limit":"100.00","memo":"","ref":""}
> {"seq":2,"recorded":"<now>Z","date":"2026-01-01","type":"AccountOpened","op":"open","account":"SAV-001","to":"","amount":null,"currency":"USD","owner":"Ada Lovelace","overdraft_limit":"0.00","memo":"","ref":""}
> {"seq":3,"recorded":"<now>Z","date":"2026-02-01","type":"AccountOpened","op":"open","account":"EUR-001","to":"","amount":null,"currency":"EUR","owner":"Bob","overdraft_limit":"0.00","memo":"","ref":""}
> {"seq":4,"recorded":"<now>Z","date":"2026-01-31","type":"MoneyDeposited","op":"deposit","account":"CHK-001","to":"","amount":"2500.00","currency":"","owner":"","overdraft_limit":null,"memo":"salary","ref":"pay-2026-01"}
> {"seq":5,"recorded":"<now>Z","date":"2026-02-03","type":"MoneyWithdrawn","op":"withdraw","account":"CHK-001","to":"","amount":"89.99","currency":"","owner":"","overdraft_limit":null,"memo":"groceries, weekly","ref":""}
> {"seq":6,"recorded":"<now>Z","date":"2026-02-05","type":"MoneyTransferred","op":"transfer","account":"CHK-001","to":"SAV-001","amount":"400.00","currency":"","owner":"","overdraft_limit":null,"memo":"savings","ref":""}
> {"seq":7,"recorded":"<now>Z","date":"2026-02-28T17:30:00Z","type":"MoneyDeposited","op":"deposit","account":"EUR-001","to":"","amount":"1200.50","currency":"","owner":"","overdraft_limit":null,"memo":"Gehalt","ref":""}
> {"seq":8,"recorded":"<now>Z","date":"2026-01-15","type":"MoneyDeposited","op":"deposit","account":"CHK-001","to":"","amount":"50.00","currency":"","owner":"","overdraft_limit":null,"memo":"late cheque","ref":""}
$ ledger history SAV-001 --format table
> as of <now>Z
> seq  recorded                 date        type              op        account  to       amount  currency  owner         overdraft_limit  memo     ref
>   2  <now>               UTC  2026-01-01  AccountOpened     open      SAV-001                   USD       Ada Lovelace             0.00
>   6  <now>               UTC  2026-02-05  MoneyTransferred  transfer  CHK-001  SAV-001  400.00                                           savings
# Every event was recorded today, long after 2026-01-01 and before 2099.
$ ledger history EUR-001 --from 2026-01-01
> seq,recorded,date,type,op,account,to,amount,currency,owner,overdraft_limit,memo,ref
> 3,<now>Z,2026-02-01,AccountOpened,open,EUR-001,,,EUR,Bob,0.00,,
> 7,<now>Z,2026-02-28T17:30:00Z,MoneyDeposited,deposit,EUR-001,,1200.50,,,,Gehalt,
# An account that no event names is unknown, as for balance and statement (exit 1); a near miss
# gets "did you mean".
$ ledger history SAV-01
! ledger: error: unknown account "SAV-01" (did you mean "SAV-001"?)
? 1
$ ledger history NOPE-1
! ledger: error: unknown account "NOPE-1"
? 1
$ ledger history --to 2026-01-01 --format table
> as of 2026-01-01
> seq  recorded  date  type  op  account  to  amount  currency  owner  overdraft_limit  memo  ref
$ ledger history --from 2099-01-01 --to 2026-01-01
! ledger: error: --from "2099-01-01" is after --to "2026-01-01" (the period is empty)
? 65
