# The top-level help, the version, and every command's own help with its example.
$ ledger --help
> ledger: an event-sourced ledger of accounts of money, kept in a checksummed, append-only
> log. Every change is an immutable event; balances are rebuilt from the log.
>
> Example:
>   ledger open ACC-001 --owner 'Ada Lovelace'
>   ledger deposit ACC-001 500 --memo salary
>   ledger balance ACC-001 --at 2026-06-30
>   ledger statement ACC-001 --format csv | ...
>
> Usage: ledger [OPTIONS] [SUBCOMMAND]
>
> Options:
>   -h,--help                   Print this help message and exit
>   -V,--version                Print the version and exit
>   --dir TEXT                  Data directory, or a postgresql:// URI (default: $LEDGER_DIR, else $XDG_DATA_HOME/ledger, else ~/.local/share/ledger)
>   --format TEXT:FORMAT        Output: table, csv, tsv, json or jsonl (default: a table on a terminal, csv otherwise); chart draws balance --every or a statement on a terminal
>   --timezone TEXT             A new ledger's time zone, in which every date is read and shown (default: $TZ, else UTC); fixed once the ledger exists
>   --color TEXT:{auto,always,never}
>                               Colour: auto, always or never
>   -q,--quiet                  No confirmations or progress, only data and errors
>   --snapshot-every UINT:N=25000
>                               A write takes a snapshot when the newest is this many events behind (0: never)
>   --segment-size UINT:UINT in [4096 - 2147483648]=8388608
>                               A write rolls to a new segment file once the newest holds this many bytes
>
> Subcommands:
>   open                        Open an account
>   deposit                     Put money into an account
>   withdraw                    Take money out of an account
>   transfer                    Move money between two accounts
>   close                       Close an account whose balance is zero
>   balance                     Balances of accounts (all when none is named)
>   accounts                    Every account: status, currency, balance
>   statement                   Opening balance, each movement in effective order, closing balance
>   history                     The raw events in log order (the audit trail)
>   import                      Import rows from a CSV or JSON-lines file, all or none
>   export                      Write the ledger as a journal for ledger-cli and hledger, or as import rows
>   compact                     Snapshot the head, then move sealed segments before it to archive/ (zstd), or delete them
>   snapshot                    Save the whole state at the head of the log, so that queries and writes start from it
>   verify                      Check every frame (archived ones too), the checksum chain, sequence numbers, time indexes, a replay of every event, snapshots, the ref index and account indexes; report every problem
>   stats                       Events, frames, segments, archive, purge, snapshots, indexes, accounts, first and last times
>   copy                        Copy the whole log, with its sequence numbers and recorded times, to another location that holds no ledger (a directory or a PostgreSQL URI), then check that both answer the same
>   digest                      Print the digest of the log: one line to keep elsewhere, which later books can be proved to extend (the root of a Merkle tree over every event)
>   prove                       Print the proof (JSON) that an event is in the books of a digest: its leaf, its audit path and the tree head, for check-proof
>   check-proof                 Check a proof from `prove` against a digest you kept, without the books
>
$ ledger --version
> ledger 0.1.0
$ ledger -V
> ledger 0.1.0
$ ledger open --help
> Open an account
> Usage: ledger open [OPTIONS] ACC
>
> Positionals:
>   ACC TEXT REQUIRED           Account id (1-64 of A-Z a-z 0-9 . _ : -)
>
> Options:
>   -h,--help                   Print this help message and exit
>   --owner TEXT                Who owns the account
>   --currency TEXT=USD         ISO 4217 currency code
>   --overdraft-limit TEXT=0    How far below zero it may go
>   --date TEXT                 When it was opened (YYYY-MM-DD, RFC 3339, today, yesterday)
>   --ref TEXT                  External reference; repeating it with the same content is a no-op
>
> Example:
>   ledger open ACC-001 --owner 'Ada Lovelace' --currency EUR
$ ledger deposit --help
> Put money into an account
> Usage: ledger deposit [OPTIONS] ACC AMOUNT
>
> Positionals:
>   ACC TEXT REQUIRED           Account id
>   AMOUNT TEXT REQUIRED        A positive decimal like 500 or 12.34
>
> Options:
>   -h,--help                   Print this help message and exit
>   --memo TEXT                 A note kept with the movement
>   --ref TEXT                  External reference; repeating it with the same content is a no-op
>   --date TEXT                 When it happened (YYYY-MM-DD, RFC 3339, today, yesterday)
>
> Example:
>   ledger deposit ACC-001 500 --memo salary --ref bank-2026-06-30-1
$ ledger withdraw --help
> Take money out of an account
> Usage: ledger withdraw [OPTIONS] ACC AMOUNT
>
> Positionals:
>   ACC TEXT REQUIRED           Account id
>   AMOUNT TEXT REQUIRED        A positive decimal like 500 or 12.34
>
> Options:
>   -h,--help                   Print this help message and exit
>   --memo TEXT                 A note kept with the movement
>   --ref TEXT                  External reference; repeating it with the same content is a no-op
>   --date TEXT                 When it happened (YYYY-MM-DD, RFC 3339, today, yesterday)
>
> Example:
>   ledger withdraw ACC-001 42.50 --memo groceries
$ ledger transfer --help
> Move money between two accounts
> Usage: ledger transfer [OPTIONS] FROM TO AMOUNT
>
> Positionals:
>   FROM TEXT REQUIRED          Account the money leaves
>   TO TEXT REQUIRED            Account the money enters
>   AMOUNT TEXT REQUIRED        A positive decimal like 500 or 12.34
>
> Options:
>   -h,--help                   Print this help message and exit
>   --memo TEXT                 A note kept with the movement
>   --ref TEXT                  External reference; repeating it with the same content is a no-op
>   --date TEXT                 When it happened (YYYY-MM-DD, RFC 3339, today, yesterday)
>
> Example:
>   ledger transfer ACC-001 ACC-002 100 --memo rent
$ ledger close --help
> Close an account whose balance is zero
> Usage: ledger close [OPTIONS] ACC
>
> Positionals:
>   ACC TEXT REQUIRED           Account id
>
> Options:
>   -h,--help                   Print this help message and exit
>   --date TEXT                 When it was closed (YYYY-MM-DD, RFC 3339, today, yesterday)
>   --ref TEXT                  External reference; repeating it is a no-op
>
> Example:
>   ledger close ACC-002
$ ledger balance --help
> Balances of accounts (all when none is named)
> Usage: ledger balance [OPTIONS] [ACC...]
>
> Positionals:
>   ACC TEXT ...                Account ids
>
> Options:
>   -h,--help                   Print this help message and exit
>   --at TEXT                   Books as of T: events effective at or before T (YYYY-MM-DD = end of day)
>   --known-at TEXT             Books as they stood at T: only what was recorded by then
>   --every PERIOD              A time series: the balance at the end of each day, week, month, quarter or year
>   --from TEXT                 With --every: the series starts in the period of T
>   --to TEXT                   With --every: the series ends at T (default: today)
>
> Examples:
>   ledger balance ACC-001 --at 2026-06-30
>   ledger balance ACC-001 --every month --from 2026-01-01 --format chart
$ ledger accounts --help
> Every account: status, currency, balance
> Usage: ledger accounts [OPTIONS]
>
> Options:
>   -h,--help                   Print this help message and exit
>   --at TEXT                   Books as of T: events effective at or before T (YYYY-MM-DD = end of day)
>   --known-at TEXT             Books as they stood at T: only what was recorded by then
>
> Example:
>   ledger accounts --format csv
$ ledger statement --help
> Opening balance, each movement in effective order, closing balance
> Usage: ledger statement [OPTIONS] ACC
>
> Positionals:
>   ACC TEXT REQUIRED           Account id
>
> Options:
>   -h,--help                   Print this help message and exit
>   --from TEXT                 First effective time shown
>   --to TEXT                   Last effective time shown (YYYY-MM-DD = end of day)
>   --known-at TEXT             Books as they stood at T: only what was recorded by then
>
> Examples:
>   ledger statement ACC-001 --from 2026-01-01 --to 2026-06-30 --format csv
>   ledger statement ACC-001 --format chart     # the running balance, on a terminal
$ ledger history --help
> The raw events in log order (the audit trail)
> Usage: ledger history [OPTIONS] [ACC]
>
> Positionals:
>   ACC TEXT                    Only events touching this account
>
> Options:
>   -h,--help                   Print this help message and exit
>   --from TEXT                 Recorded at or after T
>   --to TEXT                   Recorded at or before T
>
> Example:
>   ledger history ACC-001 --format jsonl
$ ledger import --help
> Import rows from a CSV or JSON-lines file, all or none
> Usage: ledger import [OPTIONS] FILE
>
> Positionals:
>   FILE TEXT REQUIRED          The file, or - for standard input
>
> Options:
>   -h,--help                   Print this help message and exit
>   --format TEXT:{csv,jsonl}   csv or jsonl (default: from the file name, else from the first byte: { is jsonl)
>   --dry-run                   Check every row and report, without writing
>
> Columns: op,account,amount,to,date,memo,ref (any order); currency,owner,overdraft_limit for open rows.
> Example:
>   ledger import bank.csv
>   ledger history --format jsonl | ledger --dir copy import - --format jsonl
$ ledger export --help
> Write the ledger as a journal for ledger-cli and hledger, or as import rows
> Usage: ledger export [OPTIONS] [FILE]
>
> Positionals:
>   FILE TEXT                   Where to write (default: - for standard output)
>
> Options:
>   -h,--help                   Print this help message and exit
>   --format TEXT:{ledger,csv,jsonl}
>                               ledger (a journal, the default), csv or jsonl (rows that import reads back)
>   --at TEXT                   Only events effective at or before T (YYYY-MM-DD = end of day)
>   --known-at TEXT             Only what was recorded by T
>
> Example:
>   ledger export > books.journal && hledger -s -f books.journal balance
>   ledger export --format csv --at 2026-06-30 | ledger --dir copy import -
$ ledger snapshot --help
> Save the whole state at the head of the log, so that queries and writes start from it
> Usage: ledger snapshot [OPTIONS]
>
> Options:
>   -h,--help                   Print this help message and exit
>
> Writes take snapshots on their own (see --snapshot-every); this takes one now.
> Example:
>   ledger snapshot
$ ledger compact --help
> Snapshot the head, then move sealed segments before it to archive/ (zstd), or delete them
> Usage: ledger compact [OPTIONS]
>
> Options:
>   -h,--help                   Print this help message and exit
>   --purge                     Delete those segments instead of archiving them: history before the snapshot is gone for good (needs --yes)
>   --yes                       Confirm --purge (for scripts)
>
> Archived history stays readable: statements, history, --at and --known-at still work.
> After --purge, questions about the time before the oldest snapshot kept fail.
> Example:
>   ledger compact
>   ledger compact --purge --yes
$ ledger verify --help
> Check every frame (archived ones too), the checksum chain, sequence numbers, time indexes, a replay of every event, snapshots, the ref index and account indexes; report every problem
> Usage: ledger verify [OPTIONS]
>
> Options:
>   -h,--help                   Print this help message and exit
>   --digest TEXT ...           A digest kept earlier (`ledger digest`): prove that the log still extends it; may be given several times
>
> Takes no lock and writes nothing. Exit status 0 when all is well, 1 when a problem was found (each is printed on stderr), or when the log does not extend a --digest.
> Example:
>   ledger verify
>   ledger verify --format json | jq '.[] | select(.type == "problem")'
>   ledger verify --digest ledger-digest-v1:1042:9f2c...
$ ledger stats --help
> Events, frames, segments, archive, purge, snapshots, indexes, accounts, first and last times
> Usage: ledger stats [OPTIONS]
>
> Options:
>   -h,--help                   Print this help message and exit
>
> Example:
>   ledger stats
>   ledger stats --format json
