# withdraw: down into the overdraft, and refusals that name the date where the rule breaks,
# also for a backdated withdrawal that a later entry would not cover.
%setup books
# CHK-001 holds 2060.01 with an overdraft limit of 100.00.
$ ledger withdraw CHK-001 2100 --memo rent --date 2026-03-01
> recorded event 9: withdrawal 2100.00 USD from CHK-001
$ ledger withdraw CHK-001 60.02 --date 2026-03-02
! ledger: error: insufficient funds in "CHK-001": on 2026-03-02 it would be at -100.01 USD (overdraft limit 100.00 USD)
? 1
$ ledger withdraw SAV-001 400.01 --date 2026-03-01
! ledger: error: insufficient funds in "SAV-001": on 2026-03-01 it would be at -0.01 USD (overdraft limit 0.00 USD)
? 1
# SAV-001 received 400 on 2026-02-05: before that it held nothing.
$ ledger withdraw SAV-001 10 --date 2026-02-04
! ledger: error: insufficient funds in "SAV-001": on 2026-02-04 it would be at -10.00 USD (overdraft limit 0.00 USD)
? 1
$ ledger withdraw SAV-001 -1 --date 2026-03-01
! ledger: error: invalid amount "-1": it must be positive (a withdrawal or transfer says the direction)
? 65
$ ledger balance
> account,balance,currency
> CHK-001,-39.99,USD
> EUR-001,1200.50,EUR
> SAV-001,400.00,USD
