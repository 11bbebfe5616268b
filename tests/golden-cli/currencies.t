# Amounts print with exactly their currency's decimals: JPY 0, USD 2, BHD 3.
$ ledger open JPY-001 --currency JPY --overdraft-limit 500 --date 2026-01-01
> recorded event 1: opened JPY-001 (JPY)
$ ledger open BHD-001 --currency BHD --date 2026-01-01
> recorded event 2: opened BHD-001 (BHD)
$ ledger open USD-001 --date 2026-01-01
> recorded event 3: opened USD-001 (USD)
$ ledger deposit JPY-001 1500 --date 2026-01-02
> recorded event 4: deposit 1500 JPY to JPY-001
$ ledger deposit JPY-001 1.5 --date 2026-01-02
! ledger: error: invalid amount "1.5": JPY has 0 decimal places
? 65
$ ledger deposit BHD-001 1.5 --date 2026-01-02
> recorded event 5: deposit 1.500 BHD to BHD-001
$ ledger deposit USD-001 7 --date 2026-01-02
> recorded event 6: deposit 7.00 USD to USD-001
$ ledger withdraw JPY-001 1800 --date 2026-01-03
> recorded event 7: withdrawal 1800 JPY from JPY-001
$ ledger accounts --format table
> as of <now>Z
> account  balance  currency  status  owner  overdraft_limit  opened
> BHD-001    1.500  BHD       open                     0.000  2026-01-01
> JPY-001     -300  JPY       open                       500  2026-01-01
> USD-001     7.00  USD       open                      0.00  2026-01-01
> digest ledger-digest-v1:7:<root>
$ ledger accounts --format json
> [
>   {"account":"BHD-001","balance":"1.500","currency":"BHD","status":"open","owner":"","overdraft_limit":"0.000","opened":"2026-01-01","digest":"ledger-digest-v1:7:<root>"},
>   {"account":"JPY-001","balance":"-300","currency":"JPY","status":"open","owner":"","overdraft_limit":"500","opened":"2026-01-01","digest":"ledger-digest-v1:7:<root>"},
>   {"account":"USD-001","balance":"7.00","currency":"USD","status":"open","owner":"","overdraft_limit":"0.00","opened":"2026-01-01","digest":"ledger-digest-v1:7:<root>"}
> ]
$ ledger statement BHD-001 --format table
> statement of BHD-001 (BHD), as of <now>Z
> opening balance 0.000 BHD
> date        seq  type     counterparty  amount  balance  currency  memo  ref
> 2026-01-02    5  deposit                 1.500    1.500  BHD
> closing balance 1.500 BHD
> digest ledger-digest-v1:7:<root>
$ ledger export
> ; Exported by `ledger export --format ledger`: 7 events.
> ; Accounts are Assets:<id>, each ':' of an id written '~' (not a sub-account);
> ; deposits and withdrawals have the counter-account Equity:External:<currency>.
> ; Tags: seq (event number), recorded (when it was written to the log), ref (its
> ; external reference). Opening and closing an account are comments.
>
> commodity BHD
>     format 1000.000 BHD
> commodity JPY
> commodity USD
>     format 1000.00 USD
>
> account Assets:BHD-001
> account Assets:JPY-001
> account Assets:USD-001
> account Equity:External:BHD
> account Equity:External:JPY
> account Equity:External:USD
>
> tag seq
> tag recorded
> tag ref
>
> ; 2026-01-01 open Assets:JPY-001 (JPY, owner none, overdraft limit 500 JPY) seq 1 recorded <now>Z
>
> ; 2026-01-01 open Assets:BHD-001 (BHD, owner none, overdraft limit 0.000 BHD) seq 2 recorded <now>Z
>
> ; 2026-01-01 open Assets:USD-001 (USD, owner none, overdraft limit 0.00 USD) seq 3 recorded <now>Z
>
> 2026-01-02 * deposit
>     ; seq: 4
>     ; recorded: <now>Z
>     Assets:JPY-001  1500 JPY = 1500 JPY
>     Equity:External:JPY  -1500 JPY = -1500 JPY
>
> 2026-01-02 * deposit
>     ; seq: 5
>     ; recorded: <now>Z
>     Assets:BHD-001  1.500 BHD = 1.500 BHD
>     Equity:External:BHD  -1.500 BHD = -1.500 BHD
>
> 2026-01-02 * deposit
>     ; seq: 6
>     ; recorded: <now>Z
>     Assets:USD-001  7.00 USD = 7.00 USD
>     Equity:External:USD  -7.00 USD = -7.00 USD
>
> 2026-01-03 * withdrawal
>     ; seq: 7
>     ; recorded: <now>Z
>     Assets:JPY-001  -1800 JPY = -300 JPY
>     Equity:External:JPY  1800 JPY = 300 JPY
