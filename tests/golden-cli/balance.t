# balance: every account, one, several in the order named, in every format, and time travel.
%setup books
$ ledger balance
> account,balance,currency
> CHK-001,2060.01,USD
> EUR-001,1200.50,EUR
> SAV-001,400.00,USD
$ ledger balance --format table
> as of <now>Z
> account  balance  currency
> CHK-001  2060.01  USD
> EUR-001  1200.50  EUR
> SAV-001   400.00  USD
> digest ledger-digest-v1:8:<root>
$ ledger balance --format csv
> account,balance,currency
> CHK-001,2060.01,USD
> EUR-001,1200.50,EUR
> SAV-001,400.00,USD
$ ledger balance --format tsv
> account	balance	currency
> CHK-001	2060.01	USD
> EUR-001	1200.50	EUR
> SAV-001	400.00	USD
$ ledger balance --format json
> [
>   {"account":"CHK-001","balance":"2060.01","currency":"USD","digest":"ledger-digest-v1:8:<root>"},
>   {"account":"EUR-001","balance":"1200.50","currency":"EUR","digest":"ledger-digest-v1:8:<root>"},
>   {"account":"SAV-001","balance":"400.00","currency":"USD","digest":"ledger-digest-v1:8:<root>"}
> ]
$ ledger balance --format jsonl
> {"account":"CHK-001","balance":"2060.01","currency":"USD","digest":"ledger-digest-v1:8:<root>"}
> {"account":"EUR-001","balance":"1200.50","currency":"EUR","digest":"ledger-digest-v1:8:<root>"}
> {"account":"SAV-001","balance":"400.00","currency":"USD","digest":"ledger-digest-v1:8:<root>"}
$ ledger balance CHK-001
> account,balance,currency
> CHK-001,2060.01,USD
$ ledger balance SAV-001 CHK-001 --format table
> as of <now>Z
> account  balance  currency
> SAV-001   400.00  USD
> CHK-001  2060.01  USD
> digest ledger-digest-v1:8:<root>
# --at: the books as of a date (its end) or an instant, as known now. The late cheque counts
# from 2026-01-15.
$ ledger balance --at 2026-01-20 --format table
> as of 2026-01-20
> account  balance  currency
> CHK-001    50.00  USD
> SAV-001     0.00  USD
> digest ledger-digest-v1:8:<root>
$ ledger balance --at 2026-01-14 --format csv
> account,balance,currency
> CHK-001,0.00,USD
> SAV-001,0.00,USD
$ ledger balance EUR-001 --at 2026-02-28T17:29:59Z --format table
> as of 2026-02-28T17:29:59Z
> account  balance  currency
> EUR-001     0.00  EUR
> digest ledger-digest-v1:8:<root>
$ ledger balance EUR-001 --at 2026-02-28T18:30:00+01:00 --format json
> [
>   {"account":"EUR-001","balance":"1200.50","currency":"EUR","digest":"ledger-digest-v1:8:<root>"}
> ]
# EUR-001 was opened on 2026-02-01: unknown before, and left out of the list.
$ ledger balance EUR-001 --at 2026-01-31
! ledger: error: unknown account "EUR-001" as of 2026-01-31 23:59:59 UTC
? 1
$ ledger balance --at 2026-01-31 --format table
> as of 2026-01-31
> account  balance  currency
> CHK-001  2550.00  USD
> SAV-001     0.00  USD
> digest ledger-digest-v1:8:<root>
# --known-at: the books as they stood when event 7 was recorded, before the late cheque.
$ ledger balance CHK-001 --known-at "$(recorded_at 7)" --format table
> as of <now>Z, as known at <now>Z
> account  balance  currency
> CHK-001  2010.01  USD
> digest ledger-digest-v1:7:<root>
$ ledger balance CHK-001 --known-at "$(recorded_at 8)"
> account,balance,currency
> CHK-001,2060.01,USD
# Both: what we thought, after event 7, that the balance on 2026-01-20 was.
$ ledger balance CHK-001 --at 2026-01-20 --known-at "$(recorded_at 7)" --format table
> as of 2026-01-20, as known at <now>Z
> account  balance  currency
> CHK-001     0.00  USD
> digest ledger-digest-v1:7:<root>
$ ledger balance CHK-001 --known-at 2026-01-01 --format table
! ledger: error: unknown account "CHK-001" as known at 2026-01-01 23:59:59 UTC
? 1
$ ledger balance CHK-01
! ledger: error: unknown account "CHK-01" (did you mean "CHK-001"?)
? 1
$ ledger balance CHK-001 --at 2026-02-30
! ledger: error: --at: invalid date "2026-02-30" (expected YYYY-MM-DD, RFC 3339 like 2026-06-30T12:00:00Z, today or yesterday)
? 65
$ ledger balance --at yesterday-ish
! ledger: error: --at: invalid date "yesterday-ish" (expected YYYY-MM-DD, RFC 3339 like 2026-06-30T12:00:00Z, today or yesterday)
? 65
