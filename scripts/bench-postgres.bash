# The postgres suite of scripts/bench (sourced by it; uses its helpers): the same books on the
# two stores and in sqlite3, in one run, on a PostgreSQL cluster of its own that syncs as a
# production server does (scripts/pg-cluster start without --no-fsync: fsync and
# synchronous_commit on).
#
# The workload of --rows money rows over $SCALE_ACCOUNTS accounts (seed $SEED) is imported part
# by part into a data directory, into a database of that cluster and (unchecked, .import) into
# sqlite3, whose postings table then gets the sqlite suite's indexes and ANALYZE. Each question
# (balance ACC, balance ACC --at, a one-year statement) and one durable write run
# $SQLITE_TURNS times, the three in turn; the two stores' answers must be byte-identical, and
# sqlite3's must agree with them. Then durable deposits per second with 1, 2, 4 and 8 writer
# processes at once on each store: each writer makes $PG_WRITER_DEPOSITS deposits, one process
# each, to an account of its own; every deposit must succeed and the event count must grow by
# exactly that many.

PG_WRITERS=(1 2 4 8)
PG_WRITER_DEPOSITS=40
PG_BAD=0
PG_STATE=""
PG_LOCATION=""

# The postgres suite's hook of build_ledger_parts: the same part into the database and sqlite3.
pg_part_import() {
  local size="$1" k="$2" first="$4" count="$5" csv="$6" skip="" events out="$DATA/pg_out.txt"
  events=$((count + (k == 1 ? SCALE_ACCOUNTS : 0)))
  if measure "pg_db_import_${size}_part$k" "first_row=$first rows=$count events=$events" 1 "" \
      "$out" -- "$BUILD_DIR/ledger" --dir "$PG_LOCATION" import "$csv"; then
    grep -qx "$events new, 0 already recorded" "$out" \
      || { echo "bench: unexpected import output on PostgreSQL: $(cat "$out")" >&2; PG_BAD=1; }
  else
    PG_BAD=1
  fi
  ((k > 1)) && skip="--skip 1 "
  measure "pg_sqlite_dotimport_${size}_part$k" "first_row=$first rows=$count" 1 "" /dev/null -- \
    "${SQ[@]}" "$SQLITE_RAW_DB" ".mode csv" ".import $skip$csv raw" || PG_BAD=1
}

# One question on the directory, the database and sqlite3, in turn; the two stores' answers
# compared byte for byte, sqlite3's as the sqlite suite compares them.
#   pg_question Q SIZE KIND "OURS ARGS" "SQL"
pg_question() {
  local question="$1" size="$2" kind="$3" ours_args="$4" sql="$5" dir="$DATA/postgres-$size" args
  read -r -a args <<<"$ours_args"
  # shellcheck disable=SC2034  # Read by in_turn, by name.
  local file_cmd=("$BUILD_DIR/ledger" --dir "$dir/ledger" "${args[@]}" --format csv)
  # shellcheck disable=SC2034
  local db_cmd=("$BUILD_DIR/ledger" --dir "$PG_LOCATION" "${args[@]}" --format csv)
  # shellcheck disable=SC2034
  local sqlite_cmd=("${SQ[@]}" "$dir/indexed.db" "$sql")
  # PostgreSQL first: in_turn's ratios are the first command's time over each other's.
  in_turn "$SQLITE_TURNS" "" "pg_db_${question}_$size|$dir/db.$question|db_cmd" \
    "pg_file_${question}_$size|$dir/file.$question|file_cmd" \
    "pg_sqlite_${question}_$size|$dir/sqlite.$question|sqlite_cmd" || PG_BAD=1
  local verdict=identical
  if ! cmp -s "$dir/file.$question" "$dir/db.$question"; then
    verdict=DIFFERENT
    PG_BAD=1
    echo "bench: the two stores answer $question differently (< directory, > PostgreSQL):" >&2
    diff "$dir/file.$question" "$dir/db.$question" | head -10 >&2 || true
  fi
  echo "pg_check question=$question size=$size stores=$verdict lines=$(wc -l <"$dir/file.$question")" \
    | tee -a "$RESULTS"
  SQLITE_BAD=0
  sqlite_check "$question" "$size" indexed "$kind" "$dir/file.$question" "$dir/sqlite.$question"
  ((SQLITE_BAD == 0)) || PG_BAD=1
}

# Events in the ledger at LOCATION, from `stats`.
pg_events() {
  "$BUILD_DIR/ledger" --dir "$1" stats --format csv | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "events") c = i }
    NR == 2 { print $c }'
}

# W writer processes at once on LOCATION, each making $PG_WRITER_DEPOSITS durable deposits (one
# `ledger deposit` each, to an account of its own); appends
#   pg_writers store=S writers=W deposits=N wall_s=T deposits_per_s=R events_added=E
# and fails the suite unless every deposit succeeded and exactly N events were added.
pg_writers() {
  local store="$1" location="$2" writers="$3" size="$4"
  local total=$((writers * PG_WRITER_DEPOSITS)) before after start end w fail=0 pids=()
  before=$(pg_events "$location")
  start=$EPOCHREALTIME
  for ((w = 1; w <= writers; w++)); do
    (
      acc=$(printf "ACC-%0${SCALE_WIDTH}d" "$w")
      for ((i = 1; i <= PG_WRITER_DEPOSITS; i++)); do
        "$BUILD_DIR/ledger" --dir "$location" deposit "$acc" 1 \
          --ref "writers-$store-$writers-$w-$i" >/dev/null 2>>"$DATA/writers.err" || exit 1
      done
    ) &
    pids+=($!)
  done
  for w in "${pids[@]}"; do wait "$w" || fail=1; done
  end=$EPOCHREALTIME
  after=$(pg_events "$location")
  local wall rate
  wall=$(calc '%.3f' "$end - $start")
  rate=$(calc '%.0f' "$total / $wall")
  echo "pg_writers store=$store size=$size writers=$writers deposits=$total wall_s=$wall" \
    "deposits_per_s=$rate events_added=$((after - before))" | tee -a "$RESULTS"
  if ((fail || after - before != total)); then
    echo "bench: $writers writers on the $store store: a deposit failed or the count is off" \
      "($((after - before)) events added of $total)" >&2
    head -5 "$DATA/writers.err" >&2 2>/dev/null || true
    PG_BAD=1
  fi
}

pg_stop_cluster() {
  [[ -n "$PG_STATE" ]] && "$ROOT/scripts/pg-cluster" stop "$PG_STATE" >/dev/null 2>&1
  PG_STATE=""
}

bench_postgres() {
  need_gnu_time
  command -v sqlite3 >/dev/null || { echo "bench: sqlite3 is missing" >&2; exit 1; }
  SQLITE_VERSION=$(sqlite3 --version | cut -d' ' -f1)
  SCALE_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  SCALE_MEM_AVAILABLE=$(free -b | awk '/^Mem:/ { printf "%.1f", $7 / 2^30 }')
  local size="$ROWS" acc="$SCALE_ACC" dir="$DATA/postgres-$ROWS"
  local parts=$(((ROWS + PART_ROWS - 1) / PART_ROWS)) out="$DATA/postgres-$ROWS/out.txt"
  mkdir -p "$dir"
  echo "== postgres: $size rows over $SCALE_ACCOUNTS accounts, a directory, PostgreSQL and sqlite3" >&2
  PG_STATE="$dir/pg"
  "$ROOT/scripts/pg-cluster" start "$PG_STATE" >/dev/null
  local server cluster
  server=$(cat "$PG_STATE/uri")
  cluster=$(cat "$PG_STATE/cluster")
  psql -X -q "$server" -c "CREATE DATABASE ledger_bench"
  PG_LOCATION="${server/\/postgres\?//ledger_bench?}"
  PG_VERSION=$(psql -X -qAt "$server" -c "SHOW server_version")
  PG_SETTINGS=$(psql -X -qAt "$server" -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name)
    FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method',
    'shared_buffers', 'full_page_writes')")
  PG_DISK="$(fs_type "$cluster") on $(df --output=source "$cluster" | tail -1 | tr -d ' ')"
  echo "pg_server version=$PG_VERSION $PG_SETTINGS disk=${PG_DISK// /_}" | tee -a "$RESULTS"

  SQLITE_RAW_DB="$dir/raw.db"
  if ! build_ledger_parts pg_file "$size" "$dir" "$dir/ledger" pg_part_import; then
    PG_BAD=1
    pg_stop_cluster
    return 0
  fi
  sum_parts "pg_db_import_$size" "$parts" "$size" || PG_BAD=1
  sum_parts "pg_sqlite_dotimport_$size" "$parts" "$size" || PG_BAD=1
  measure "pg_sqlite_load_$size" "table=postings" 1 "" "$out" -- \
    "${SQ[@]}" "$dir/indexed.db" "ATTACH '$SQLITE_RAW_DB' AS r;" "$SQLITE_LOAD_SQL" || PG_BAD=1
  measure "pg_sqlite_index_$size" "" 1 "" "$out" -- "${SQ[@]}" "$dir/indexed.db" \
    "$SQLITE_INDEX_SQL ANALYZE;" || PG_BAD=1
  rm -f -- "$SQLITE_RAW_DB"
  echo "pg_db_$size database_bytes=$(psql -X -qAt "$server" -c "SELECT pg_database_size('ledger_bench')")" \
    "ours_bytes=$(du -sb "$dir/ledger" | cut -f1) sqlite_bytes=$(stat -c %s "$dir/indexed.db")" \
    | tee -a "$RESULTS"
  psql -X -q "$PG_LOCATION" -c "VACUUM ANALYZE"  # As autovacuum would have by now.
  find "$dir/ledger" "$dir/indexed.db" -type f -exec cat -- {} + >/dev/null

  local sum_one="SELECT '$acc', COALESCE(SUM(amount), 0) FROM postings WHERE account = '$acc'"
  pg_question balance_one "$size" balance "balance $acc" "$sum_one;"
  pg_question balance_one_at "$size" balance "balance $acc --at $SCALE_AT" \
    "$sum_one AND ts <= '$SCALE_AT';"
  pg_question statement "$size" statement "statement $acc --from $SCALE_FROM --to $SCALE_TO" \
    "SELECT ts, ref, amount,
      (SELECT COALESCE(SUM(amount), 0) FROM postings WHERE account = '$acc' AND ts < '$SCALE_FROM')
      + SUM(amount) OVER (ORDER BY ts, id), memo FROM postings
    WHERE account = '$acc' AND ts BETWEEN '$SCALE_FROM' AND '$SCALE_TO' ORDER BY ts, id;"

  # One durable write each, in turn: a deposit on each store, one sqlite3 INSERT.
  # shellcheck disable=SC2034  # Read by in_turn, by name.
  local file_deposit=("$BUILD_DIR/ledger" --dir "$dir/ledger" deposit "$acc" 1 --ref "one-{RUN}")
  # shellcheck disable=SC2034
  local db_deposit=("$BUILD_DIR/ledger" --dir "$PG_LOCATION" deposit "$acc" 1 --ref "one-{RUN}")
  # shellcheck disable=SC2034
  local sqlite_insert=("${SQ[@]}" "$dir/indexed.db" "INSERT INTO postings (ts, account, amount, memo, ref)
    VALUES ('$(date -u +%Y-%m-%d)', '$acc', 100, 'bench', 'one-{RUN}');")
  in_turn "$SQLITE_TURNS" "" "pg_db_deposit_$size|$out|db_deposit" \
    "pg_file_deposit_$size|$out|file_deposit" "pg_sqlite_deposit_$size|$out|sqlite_insert" || PG_BAD=1
  "$BUILD_DIR/ledger" --dir "$dir/ledger" balance "$acc" --format csv >"$dir/file.after"
  "$BUILD_DIR/ledger" --dir "$PG_LOCATION" balance "$acc" --format csv >"$dir/db.after"
  cmp -s "$dir/file.after" "$dir/db.after" \
    || { echo "bench: the stores disagree on $acc after the deposits" >&2; PG_BAD=1; }

  local writers
  for writers in "${PG_WRITERS[@]}"; do
    pg_writers directory "$dir/ledger" "$writers" "$size"
    pg_writers postgresql "$PG_LOCATION" "$writers" "$size"
  done
  # Both stores took the same deposits: every balance the same.
  "$BUILD_DIR/ledger" --dir "$dir/ledger" balance --format csv >"$dir/file.all"
  "$BUILD_DIR/ledger" --dir "$PG_LOCATION" balance --format csv >"$dir/db.all"
  cmp -s "$dir/file.all" "$dir/db.all" \
    || { echo "bench: the stores disagree on the balances after the writers" >&2; PG_BAD=1; }
  grep -q '^pg_.* status=' "$RESULTS" && PG_BAD=1
  pg_stop_cluster
  pg_summary
  rm -rf -- "$dir"
}

# PostgreSQL's time over the directory's (file) or sqlite3's (sqlite) for question Q: the median
# of the ratios run by run.
pg_ratio() { field "pg_${1}_${2}_${ROWS}_pairs" ratio; }

PG_QUESTIONS=(
  "balance_one|balance ACC"
  "balance_one_at|balance ACC --at D"
  "statement|one-year statement ACC"
  "deposit|one durable deposit"
)

# The table: for each question the three times, and PostgreSQL's time over each other's.
pg_table() {
  local entry q label f d s
  echo "| question | directory s | PostgreSQL s | sqlite3 s | PostgreSQL / directory | PostgreSQL / sqlite3 |"
  echo "|---|---|---|---|---|---|"
  for entry in "${PG_QUESTIONS[@]}"; do
    IFS='|' read -r q label <<<"$entry"
    f=$(field "pg_file_${q}_$ROWS" wall_s); d=$(field "pg_db_${q}_$ROWS" wall_s)
    s=$(field "pg_sqlite_${q}_$ROWS" wall_s)
    [[ -n "$f" && -n "$d" && -n "$s" ]] || { echo "| $label | failed | | | | |"; continue; }
    echo "| $label | $f | $d | $s | $(calc '%.2f' "$(pg_ratio file "$q")") | $(calc '%.2f' "$(pg_ratio sqlite "$q")") |"
  done
  f=$(field "pg_file_import_$ROWS" wall_s); d=$(field "pg_db_import_$ROWS" wall_s)
  s=$(field "pg_sqlite_dotimport_$ROWS" wall_s)
  if [[ -n "$f" && -n "$d" && -n "$s" ]]; then
    echo "| import, rows/s (1 run; sqlite3's .import unchecked) | $(field "pg_file_import_$ROWS" rows_per_s)" \
      "| $(field "pg_db_import_$ROWS" rows_per_s) | $(field "pg_sqlite_dotimport_$ROWS" rows_per_s)" \
      "| $(calc '%.2f' "$d / $f") | $(calc '%.2f' "$d / $s") |"
  fi
}

# Deposits per second by writers, one row per count of writers.
pg_writers_table() {
  echo "| writers at once | directory deposits/s | PostgreSQL deposits/s | PostgreSQL / directory |"
  echo "|---|---|---|---|"
  awk -v n="$ROWS" '$1 == "pg_writers" { delete f; for (i = 2; i <= NF; i++) { j = index($i, "="); f[substr($i, 1, j - 1)] = substr($i, j + 1) }
      if (f["size"] != n) next; r[f["writers"], f["store"]] = f["deposits_per_s"]; w[f["writers"]] = 1 }
    END { for (k in w) ks[++m] = k + 0; for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (ks[b] < ks[a]) { t = ks[a]; ks[a] = ks[b]; ks[b] = t }
      for (a = 1; a <= m; a++) { k = ks[a]; d = r[k, "directory"]; p = r[k, "postgresql"]
        printf "| %d | %s | %s | %s |\n", k, d, p, (d > 0 ? sprintf("%.2f", p / d) : "-") } }' "$RESULTS"
}

pg_summary() {
  summary_line "postgres: $ROWS rows over $SCALE_ACCOUNTS accounts; PostgreSQL $PG_VERSION ($PG_SETTINGS); sqlite3 $SQLITE_VERSION; median of $SQLITE_TURNS runs in turn"
  local line
  while IFS= read -r line; do summary_line "  $line"; done < <(pg_table; pg_writers_table)
  summary_line "  answers: $(awk '$1 == "pg_check" { c++; if ($4 == "stores=identical") a++ } END { printf "%d of %d identical on both stores", a, c }' "$RESULTS");" \
    "$(awk '$1 == "sqlite_check" { c++; if ($4 == "answers=agree") a++ } END { printf "%d of %d agree with sqlite3", a, c }' "$RESULTS")"
  ((PG_BAD == 0)) || summary_line "postgres: FAILED: an answer differed or a command failed (see above)"
}

# The suite's results as a Markdown run report, on stdout.
pg_markdown() {
  run_header_markdown
  echo "- PostgreSQL $PG_VERSION on its own cluster (scripts/pg-cluster, a Unix socket), $PG_SETTINGS;"
  echo "  its folder on ${PG_DISK}. sqlite3 $SQLITE_VERSION, the postings table with the sqlite suite's two indexes and ANALYZE."
  echo "- Questions and the deposit: the three run in turn, $SQLITE_TURNS times, each timed by tests/bench/time_run;"
  echo "  wall s is the median of each, the ratios the median of the ratios run by run."
  echo "  Import: 1 run each (its ratios of the two times), in parts of $PART_ROWS rows. Answers: $(awk '$1 == "pg_check" { c++; if ($4 == "stores=identical") a++ } END { printf "%d of %d byte-identical on both stores", a, c }' "$RESULTS"),"
  echo "  $(awk '$1 == "sqlite_check" { c++; if ($4 == "answers=agree") a++ } END { printf "%d of %d agree with sqlite3", a, c }' "$RESULTS")."
  echo
  pg_table
  echo
  echo "Writers: each makes $PG_WRITER_DEPOSITS durable deposits, one \`ledger deposit\` process each, to an"
  echo "account of its own; all at once; deposits/s is all their deposits over the wall time until the last"
  echo "finished (1 run). Every deposit succeeded and the event count grew by exactly that many."
  echo
  pg_writers_table
}

PG_DOC_MARKER='<!-- postgres runs: scripts/bench --suite postgres --write-doc inserts each new run below this line -->'
