# close: refused with money in the account, then emptied and closed; a closed account takes no
# money, and accounts shows its status.
%setup books
$ ledger close SAV-001 --date 2026-03-01
! ledger: error: cannot close "SAV-001": on 2026-03-01 its balance is 400.00 USD (it must be zero)
? 1
$ ledger transfer SAV-001 CHK-001 400 --date 2026-03-01
> recorded event 9: transfer 400.00 USD from SAV-001 to CHK-001
# An entry after the close date would break the rule "no entry after a close".
$ ledger close SAV-001 --date 2026-02-28
! ledger: error: cannot close "SAV-001" on 2026-02-28: it has entries after that (the first on 2026-03-01)
? 1
$ ledger close SAV-001 --date 2026-03-01 --ref close-sav
> recorded event 10: closed SAV-001
$ ledger close SAV-001 --date 2026-03-01 --ref close-sav
> already recorded as event 10: closed SAV-001 (nothing written)
$ ledger deposit SAV-001 1 --date 2026-03-02
! ledger: error: account "SAV-001" is closed (since 2026-03-01): it takes no money at any date
? 1
$ ledger close SAV-001 --date 2026-03-02
! ledger: error: account "SAV-001" is closed already (since 2026-03-01)
? 1
$ ledger close NOPE-1 --date 2026-03-02
! ledger: error: unknown account "NOPE-1"; open it first with: ledger open NOPE-1
? 1
$ ledger accounts
> account,balance,currency,status,owner,overdraft_limit,opened
> CHK-001,2460.01,USD,open,Ada Lovelace,100.00,2026-01-01
> EUR-001,1200.50,EUR,open,Bob,0.00,2026-02-01
> SAV-001,0.00,USD,closed,Ada Lovelace,0.00,2026-01-01
$ ledger balance SAV-001 --at 2026-02-28
> account,balance,currency
> SAV-001,400.00,USD
