# deposit: a plain one, a retry by --ref, a ref conflict, and every kind of bad amount.
%setup books
$ ledger deposit CHK-001 10 --date 2026-03-01
> recorded event 9: deposit 10.00 USD to CHK-001
$ ledger deposit CHK-001 0.5 --memo tip --ref tip-1 --date 2026-03-02
> recorded event 10: deposit 0.50 USD to CHK-001
$ ledger deposit CHK-001 0.5 --memo tip --ref tip-1 --date 2026-03-02
> already recorded as event 10: deposit 0.50 USD to CHK-001 (nothing written)
$ ledger deposit CHK-001 0.75 --memo tip --ref tip-1 --date 2026-03-02
! ledger: error: ref "tip-1" was already used for different content (event 10)
? 1
$ ledger deposit CHK-001 0 --date 2026-03-02
! ledger: error: invalid amount "0": it must be greater than zero
? 65
$ ledger deposit CHK-001 -5 --date 2026-03-02
! ledger: error: invalid amount "-5": it must be positive (a withdrawal or transfer says the direction)
? 65
$ ledger deposit CHK-001 1e3 --date 2026-03-02
! ledger: error: invalid amount "1e3" (expected a decimal like 12.34)
? 65
$ ledger deposit CHK-001 500.255 --date 2026-03-02
! ledger: error: invalid amount "500.255": USD has 2 decimal places
? 65
$ ledger deposit CHK-001 12abc --date 2026-03-02
! ledger: error: invalid amount "12abc" (expected a decimal like 12.34)
? 65
$ ledger deposit CHK-001 99999999999999999999 --date 2026-03-02
! ledger: error: invalid amount "99999999999999999999": too large
? 65
$ ledger deposit CHK-001 92233720368547758.07 --date 2026-03-02
! ledger: error: on 2026-03-02 the balance of "CHK-001" would overflow
? 1
$ ledger deposit EUR-001 1.234 --date 2026-03-02
! ledger: error: invalid amount "1.234": EUR has 2 decimal places
? 65
# Unknown accounts: a near miss gets "did you mean", a far one does not.
$ ledger deposit CHK-01 10 --date 2026-03-02
! ledger: error: unknown account "CHK-01" (did you mean "CHK-001"?); open it first with: ledger open CHK-01
? 1
$ ledger deposit ZZZ-999 10 --date 2026-03-02
! ledger: error: unknown account "ZZZ-999"; open it first with: ledger open ZZZ-999
? 1
# Before the account was opened, and in the future.
$ ledger deposit EUR-001 10 --date 2026-01-31
! ledger: error: date 2026-01-31 is before account "EUR-001" was opened (2026-02-01)
? 1
$ ledger deposit CHK-001 10 --date 2099-01-01
! ledger: error: --date: date "2099-01-01" is in the future
? 65
$ ledger deposit CHK-001 10 --date 2026-13-01
! ledger: error: --date: invalid date "2026-13-01" (expected YYYY-MM-DD, RFC 3339 like 2026-06-30T12:00:00Z, today or yesterday)
? 65
$ ledger balance CHK-001
> account,balance,currency
> CHK-001,2070.51,USD
