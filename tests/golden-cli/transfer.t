# transfer: one event touching two accounts, and what it refuses.
%setup books
$ ledger transfer SAV-001 CHK-001 150.25 --memo back --ref move-1 --date 2026-03-01
> recorded event 9: transfer 150.25 USD from SAV-001 to CHK-001
$ ledger transfer SAV-001 CHK-001 150.25 --memo back --ref move-1 --date 2026-03-01
> already recorded as event 9: transfer 150.25 USD from SAV-001 to CHK-001 (nothing written)
$ ledger transfer SAV-001 SAV-001 1 --date 2026-03-01
! ledger: error: cannot transfer from "SAV-001" to itself
? 1
$ ledger transfer CHK-001 EUR-001 1 --date 2026-03-01
! ledger: error: cannot transfer between currencies: "CHK-001" is in USD, "EUR-001" in EUR
? 1
$ ledger transfer SAV-001 CHK-001 1000 --date 2026-03-01
! ledger: error: insufficient funds in "SAV-001": on 2026-03-01 it would be at -750.25 USD (overdraft limit 0.00 USD)
? 1
$ ledger transfer SAV-001 CHK-0001 1 --date 2026-03-01
! ledger: error: unknown account "CHK-0001" (did you mean "CHK-001"?); open it first with: ledger open CHK-0001
? 1
$ ledger transfer SAV-001 CHK-001 --date 2026-03-01
! ledger: error: missing AMOUNT (usage: ledger transfer FROM TO AMOUNT [options])
? 64
$ ledger balance
> account,balance,currency
> CHK-001,2210.26,USD
> EUR-001,1200.50,EUR
> SAV-001,249.75,USD
$ ledger statement SAV-001
> date,seq,type,counterparty,amount,balance,currency,memo,ref
> 2026-02-05,6,transfer in,CHK-001,400.00,400.00,USD,savings,
> 2026-03-01,9,transfer out,CHK-001,-150.25,249.75,USD,back,move-1
