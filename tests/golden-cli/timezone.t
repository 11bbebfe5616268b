# A ledger kept in Europe/Paris: dates typed and shown are Paris dates whatever TZ the reader
# has; an instant shows with Paris's offset; another zone for it is refused.
$ ledger --timezone Europe/Paris open P-001 --date 2026-01-01
> recorded event 1: opened P-001 (USD)
$ ledger deposit P-001 1 --date 2026-03-01T22:30:00Z --memo 'late evening'
> recorded event 2: deposit 1.00 USD to P-001
$ ledger deposit P-001 2 --date 2026-03-01T23:30:00Z --memo 'after midnight'
> recorded event 3: deposit 2.00 USD to P-001
$ ledger deposit P-001 4 --date 2026-03-01
> recorded event 4: deposit 4.00 USD to P-001
$ TZ=Asia/Tokyo ledger balance --at 2026-03-01 --format table
> as of 2026-03-01
> account  balance  currency
> P-001       5.00  USD
> digest ledger-digest-v1:4:<root>
$ ledger statement P-001
> date,seq,type,counterparty,amount,balance,currency,memo,ref
> 2026-03-01,4,deposit,,4.00,4.00,USD,,
> 2026-03-01T23:30:00+01:00,2,deposit,,1.00,5.00,USD,late evening,
> 2026-03-02T00:30:00+01:00,3,deposit,,2.00,7.00,USD,after midnight,
$ TZ=America/New_York ledger statement P-001 --to 2026-03-01 --format table
> statement of P-001 (USD), as of 2026-03-01
> opening balance 0.00 USD
> date                       seq  type     counterparty  amount  balance  currency  memo          ref
> 2026-03-01                   4  deposit                  4.00     4.00  USD
> 2026-03-01T23:30:00+01:00    2  deposit                  1.00     5.00  USD       late evening
> closing balance 5.00 USD
> digest ledger-digest-v1:4:<root>
$ ledger deposit P-001 1 --timezone UTC --date 2026-03-02
! ledger: error: --timezone UTC: this ledger's time zone is Europe/Paris, fixed when it was created
? 64
$ ledger --timezone Mars/Olympus open X-1 --date 2026-01-01
! ledger: error: --timezone: unknown time zone "Mars/Olympus" (expected UTC or a name from tzdata such as Europe/Berlin; is the tzdata package installed?)
? 64
# Only the zone: stats's recorded times print with Paris's offset, which the masks leave alone.
$ ledger stats --format table | grep time_zone
> time_zone                   Europe/Paris
