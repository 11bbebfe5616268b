# open: defaults, every option, a retry with the same --ref, and what it refuses.
$ ledger open CHK-001 --date 2026-01-01
> recorded event 1: opened CHK-001 (USD)
$ ledger open SAV-001 --owner 'Ada Lovelace' --currency EUR --overdraft-limit 250.5 --date 2026-01-02 --ref open-sav
> recorded event 2: opened SAV-001 (EUR)
# The same --ref and the same content: nothing written, and it says so.
$ ledger open SAV-001 --owner 'Ada Lovelace' --currency EUR --overdraft-limit 250.5 --date 2026-01-02 --ref open-sav
> already recorded as event 2: opened SAV-001 (EUR) (nothing written)
# The same --ref with other content.
$ ledger open SAV-002 --date 2026-01-02 --ref open-sav
! ledger: error: ref "open-sav" was already used for different content (event 2)
? 1
$ ledger open CHK-001 --date 2026-01-03
! ledger: error: account "CHK-001" already exists
? 1
$ ledger open 'BAD ID' --date 2026-01-01
! ledger: error: invalid account id "BAD ID" (expected 1 to 64 characters of A-Z a-z 0-9 . _ : -)
? 65
$ ledger open GBP-001 --currency gbp --date 2026-01-01
! ledger: error: unknown currency "gbp" (expected an ISO 4217 code like USD)
? 65
$ ledger open XXX-001 --currency ABC --date 2026-01-01
! ledger: error: unknown currency "ABC" (expected an ISO 4217 code like USD)
? 65
$ ledger open ODL-001 --overdraft-limit -5 --date 2026-01-01
! ledger: error: invalid overdraft limit "-5": it may not be negative
? 65
$ ledger open FUT-001 --date 2099-01-01
! ledger: error: --date: date "2099-01-01" is in the future
? 65
$ ledger open NOD-001 --date 2026-02-30
! ledger: error: --date: invalid date "2026-02-30" (expected YYYY-MM-DD, RFC 3339 like 2026-06-30T12:00:00Z, today or yesterday)
? 65
$ ledger accounts
> account,balance,currency,status,owner,overdraft_limit,opened
> CHK-001,0.00,USD,open,,0.00,2026-01-01
> SAV-001,0.00,EUR,open,Ada Lovelace,250.50,2026-01-02
