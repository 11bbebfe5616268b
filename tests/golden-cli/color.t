# --color always colours tables and the word "error:" even into a pipe (cat -v shows the escape
# sequences; a pipeline's exit status is cat's); auto colours nothing that is not a terminal; CSV
# is never coloured.
$ ledger open CHK-001 --overdraft-limit 10 --date 2026-01-01
> recorded event 1: opened CHK-001 (USD)
$ ledger withdraw CHK-001 5 --date 2026-01-02
> recorded event 2: withdrawal 5.00 USD from CHK-001
$ ledger --color always balance --format table --at 2026-01-02 | cat -v
> as of 2026-01-02
> ^[[1maccount  balance  currency^[[0m
> CHK-001    ^[[31m-5.00^[[0m  USD
> digest ledger-digest-v1:2:<root>
$ ledger --color always balance --format csv | cat -v
> account,balance,currency
> CHK-001,-5.00,USD
$ ledger --color auto balance --format table --at 2026-01-02 | cat -v
> as of 2026-01-02
> account  balance  currency
> CHK-001    -5.00  USD
> digest ledger-digest-v1:2:<root>
$ ledger --color always withdraw CHK-001 50 --date 2026-01-03 2>&1 | cat -v
> ledger: ^[[1;31merror:^[[0m insufficient funds in "CHK-001": on 2026-01-03 it would be at -55.00 USD (overdraft limit 10.00 USD)
$ ledger --color never withdraw CHK-001 50 --date 2026-01-03
! ledger: error: insufficient funds in "CHK-001": on 2026-01-03 it would be at -55.00 USD (overdraft limit 10.00 USD)
? 1
