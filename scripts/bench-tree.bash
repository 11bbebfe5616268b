# The tree suite of scripts/bench (sourced by it; uses its helpers): what the Merkle tree over
# the log (issue 16) costs a write, and what its stored nodes save a digest or a proof.
#
# Appending: the same workload of --rows money rows over $SCALE_ACCOUNTS accounts (seed $SEED)
# is imported into a fresh data directory by this build and by a baseline build of
# $TREE_BASE (the last commit before the tree: it hashes nothing), $TREE_IMPORT_RUNS times in
# turn; then one durable deposit into each, $TREE_DEPOSIT_TURNS times in turn. The ratios (ours over
# the baseline's, run by run) are the append cost; issue 16 allows 1.10.
# Reading: `digest`, `prove SEQ` and `verify --digest` on the imported ledger, with its stored
# tree files and on a copy without them (every leaf hashed from the log), in turn. The two must
# give the same digest and proof, and every proof must pass check-proof, or the suite fails.
# PostgreSQL (a syncing cluster of the suite's own, scripts/pg-cluster): both ledgers copied
# into a database each; a durable deposit into each in turn; then `digest` and `prove` with the
# tree_nodes table and on a copy of the database that keeps none (ledger_head.tree_size 0:
# every leaf streamed from the events table), in turn, which must agree with the directory's.

TREE_BASE=6106fc8
TREE_IMPORT_RUNS=3
# A deposit is mostly one fsync, whose time moves a lot on this machine: 21 pairs gave ratios of
# 0.970, 1.147 and 1.127 in three runs of 2026-12-07 (a deposit hashes nothing unless its commit
# crosses a 256 KiB boundary of the segment).
TREE_DEPOSIT_TURNS=61
TREE_BAD=0
TREE_BASE_BIN=""

# The baseline binary: $TREE_BASE built (Release) from a worktree of its own under
# build-bench-base/, kept between runs.
tree_build_base() {
  local dir="$ROOT/build-bench-base"
  if [[ ! -d "$dir/src" ]]; then
    mkdir -p "$dir"
    git -C "$ROOT" worktree add --force --detach "$dir/src" "$TREE_BASE" >&2
  fi
  git -C "$dir/src" checkout -q --detach "$TREE_BASE"
  echo "== building the baseline $TREE_BASE in $dir/build (Release): ledger, ledger-postgres" >&2
  cmake -S "$dir/src" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEDGER_TESTS=OFF >/dev/null
  ninja -C "$dir/build" ${JOBS:+-j "$JOBS"} ledger ledger-postgres >&2
  TREE_BASE_BIN="$dir/build/ledger"
}

bench_tree() {
  local dir="$DATA/tree" ledger="$BUILD_DIR/ledger" csv out
  SCALE_LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  SCALE_MEM_AVAILABLE=$(free -b | awk '/^Mem:/ { printf "%.1f", $7 / 2^30 }')
  tree_build_base
  mkdir -p "$dir"
  csv="$dir/workload.csv"
  out="$dir/out.txt"
  echo "== tree: $ROWS rows over $SCALE_ACCOUNTS accounts; this build against $TREE_BASE" >&2
  "$ROOT/scripts/gen-workload" --accounts "$SCALE_ACCOUNTS" --rows "$ROWS" --seed "$SEED" >"$csv"
  # shellcheck disable=SC2034  # Read by in_turn, by name.
  local ours_import=("$ledger" --dir "$dir/ours-{RUN}" import "$csv")
  # shellcheck disable=SC2034
  local base_import=("$TREE_BASE_BIN" --dir "$dir/base-{RUN}" import "$csv")
  in_turn "$TREE_IMPORT_RUNS" "" "tree_import_ours_$ROWS|$out|ours_import" \
    "tree_import_base_$ROWS|$dir/base_out.txt|base_import" || TREE_BAD=1
  local events=$((ROWS + SCALE_ACCOUNTS))
  grep -qx "$events new, 0 already recorded" "$out" \
    || { echo "bench: unexpected import output: $(cat "$out")" >&2; TREE_BAD=1; }
  local trees
  trees=$(find "$dir/ours-1/index" -name '*.tre' | wc -l)
  echo "tree_files rows=$ROWS tre_files=$trees tre_bytes=$(du -cb "$dir"/ours-1/index/*.tre | tail -1 | cut -f1)" \
    "segments=$(find "$dir/ours-1" -maxdepth 1 -name '*.seg' | wc -l)" \
    "segment_bytes=$(du -cb "$dir"/ours-1/*.seg | tail -1 | cut -f1)" | tee -a "$RESULTS"
  ((trees > 0)) || { echo "bench: the import stored no tree file" >&2; TREE_BAD=1; }

  # shellcheck disable=SC2034
  local ours_deposit=("$ledger" --dir "$dir/ours-1" deposit "$SCALE_ACC" 1)
  # shellcheck disable=SC2034
  local base_deposit=("$TREE_BASE_BIN" --dir "$dir/base-1" deposit "$SCALE_ACC" 1)
  # Both outputs to /dev/null: ours went to a file, which time_run truncates and writes each run,
  # and ext4 writes back a file truncated to nothing and written again when it is closed
  # (auto_da_alloc). That put about 0.7 ms on ours alone: ratios of 1.127 and 1.128 in the runs
  # of 22:28 and 22:33 UTC on 2026-12-07, 1.024 at 22:36 with both to /dev/null; farm-bench, one
  # binary, one deposit written to a file against to /dev/null: 1.066 (40 pairs).
  in_turn "$TREE_DEPOSIT_TURNS" "" "tree_deposit_ours_$ROWS|/dev/null|ours_deposit" \
    "tree_deposit_base_$ROWS|/dev/null|base_deposit" || TREE_BAD=1

  # The same books without stored trees: every leaf hashed from the log.
  cp -a "$dir/ours-1" "$dir/plain"
  rm -f "$dir"/plain/index/*.tre
  local digest digest_plain seq=$(((ROWS + SCALE_ACCOUNTS) / 3))
  digest=$("$ledger" --dir "$dir/ours-1" digest)
  digest_plain=$("$ledger" --dir "$dir/plain" digest)
  local verdict=same
  [[ -n "$digest" && "$digest" == "$digest_plain" ]] || { verdict=DIFFERENT; TREE_BAD=1; }
  echo "tree_check rows=$ROWS digest=$verdict" | tee -a "$RESULTS"
  tree_reads tree "$dir/ours-1" "$dir/plain" "$digest" "$seq" "$dir/p"
  verdict=same
  cmp -s "$dir/p1.json" "$dir/p2.json" || { verdict=DIFFERENT; TREE_BAD=1; }
  local checked=passes
  "$ledger" check-proof "$dir/p1.json" --digest "$digest" >/dev/null || { checked=FAILS; TREE_BAD=1; }
  echo "tree_check rows=$ROWS proof=$verdict check_proof=$checked" | tee -a "$RESULTS"
  # shellcheck disable=SC2034
  local check_cmd=("$ledger" check-proof "$dir/p1.json" --digest "$digest")
  in_turn "$SQLITE_TURNS" "" "tree_check_proof_$ROWS|/dev/null|check_cmd" || TREE_BAD=1
  local kept
  kept=$("$ledger" --dir "$dir/ours-1" digest --at-seq "$seq")
  measure "tree_verify_digest_$ROWS" "kept_size=$seq" 1 "" "$out" -- \
    "$ledger" --dir "$dir/ours-1" verify --digest "$kept" || TREE_BAD=1
  measure "tree_verify_$ROWS" "" 1 "" "$out" -- "$ledger" --dir "$dir/ours-1" verify || TREE_BAD=1
  tree_postgres "$dir" "$seq"
  tree_summary
}

# `digest` and `prove SEQ` in turn on books with stored nodes (STORED) and without (HASHED):
# results tree_{digest,prove}_{stored,hashed}_ROWS under PREFIX; the proofs in OUT1.json and
# OUT2.json.
tree_reads() {
  local prefix=$1 stored=$2 hashed=$3 digest=$4 seq=$5 out=$6 ledger="$BUILD_DIR/ledger"
  # shellcheck disable=SC2034
  local digest_stored=("$ledger" --dir "$stored" digest)
  # shellcheck disable=SC2034
  local digest_hashed=("$ledger" --dir "$hashed" digest)
  in_turn "$TREE_READ_RUNS" "" "${prefix}_digest_stored_$ROWS|${out}d1|digest_stored" \
    "${prefix}_digest_hashed_$ROWS|${out}d2|digest_hashed" || TREE_BAD=1
  # shellcheck disable=SC2034
  local prove_stored=("$ledger" --dir "$stored" prove "$seq" --digest "$digest")
  # shellcheck disable=SC2034
  local prove_hashed=("$ledger" --dir "$hashed" prove "$seq" --digest "$digest")
  in_turn "$TREE_READ_RUNS" "" "${prefix}_prove_stored_$ROWS|${out}1.json|prove_stored" \
    "${prefix}_prove_hashed_$ROWS|${out}2.json|prove_hashed" || TREE_BAD=1
}

tree_postgres() {
  local dir=$1 seq=$2 ledger="$BUILD_DIR/ledger" out="$1/out.txt" state="$1/pg" server
  rm -rf "$state"
  "$ROOT/scripts/pg-cluster" start "$state" >/dev/null
  server=$(cat "$state/uri")
  local ours="${server/\/postgres\?//tree_ours?}" base="${server/\/postgres\?//tree_base?}"
  local plain="${server/\/postgres\?//tree_plain?}"
  psql -X -q "$server" -c "CREATE DATABASE tree_ours" -c "CREATE DATABASE tree_base" || TREE_BAD=1
  measure "tree_pg_copy_ours_$ROWS" "" 1 "" "$out" -- \
    "$ledger" --dir "$dir/ours-1" copy --to "$ours" || TREE_BAD=1
  measure "tree_pg_copy_base_$ROWS" "" 1 "" "$out" -- \
    "$TREE_BASE_BIN" --dir "$dir/base-1" copy --to "$base" || TREE_BAD=1
  psql -X -q "$ours" -c "VACUUM ANALYZE" || TREE_BAD=1
  psql -X -q "$base" -c "VACUUM ANALYZE" || TREE_BAD=1
  # shellcheck disable=SC2034
  local ours_deposit=("$ledger" --dir "$ours" deposit "$SCALE_ACC" 1)
  # shellcheck disable=SC2034
  local base_deposit=("$TREE_BASE_BIN" --dir "$base" deposit "$SCALE_ACC" 1)
  in_turn "$TREE_DEPOSIT_TURNS" "" "tree_pg_deposit_ours_$ROWS|/dev/null|ours_deposit" \
    "tree_pg_deposit_base_$ROWS|/dev/null|base_deposit" || TREE_BAD=1
  echo "tree_pg_nodes rows=$ROWS nodes=$(psql -X -qAt "$ours" -c "SELECT count(*) FROM tree_nodes")" \
    "table_bytes=$(psql -X -qAt "$ours" -c "SELECT pg_total_relation_size('tree_nodes')")" \
    | tee -a "$RESULTS"
  psql -X -q "$server" -c "CREATE DATABASE tree_plain TEMPLATE tree_ours" || TREE_BAD=1
  psql -X -q "$plain" -c "UPDATE ledger_head SET tree_size = 0, tree_peaks = ''::bytea" \
    -c "DELETE FROM tree_nodes" || TREE_BAD=1
  local digest digest_plain digest_dir digest_at verdict=same
  digest=$("$ledger" --dir "$ours" digest)
  digest_plain=$("$ledger" --dir "$plain" digest)
  # The directory it was copied from: the database's first events are its events.
  digest_dir=$("$ledger" --dir "$dir/ours-1" digest)
  digest_at=$("$ledger" --dir "$ours" digest --at-seq "$(cut -d: -f2 <<<"$digest_dir")")
  [[ -n "$digest" && "$digest" == "$digest_plain" && "$digest_at" == "$digest_dir" ]] \
    || { verdict=DIFFERENT; TREE_BAD=1; }
  echo "tree_check rows=$ROWS pg_digest=$verdict" | tee -a "$RESULTS"
  tree_reads tree_pg "$ours" "$plain" "$digest" "$seq" "$dir/pp"
  verdict=same
  cmp -s "$dir/pp1.json" "$dir/pp2.json" || { verdict=DIFFERENT; TREE_BAD=1; }
  cmp -s <("$ledger" --dir "$dir/ours-1" prove "$seq" --digest "$digest_dir") \
    <("$ledger" --dir "$ours" prove "$seq" --digest "$digest_dir") || { verdict=DIFFERENT; TREE_BAD=1; }
  echo "tree_check rows=$ROWS pg_proof=$verdict" | tee -a "$RESULTS"
  "$ROOT/scripts/pg-cluster" stop "$state" >/dev/null 2>&1 || true
}

TREE_READ_RUNS=7

tree_table() {
  local rows="$ROWS" base ours
  echo "| what | with the tree | baseline ($TREE_BASE) or without stored nodes | ratio |"
  echo "|---|---|---|---|"
  ours=$(field "tree_import_ours_$rows" wall_s); base=$(field "tree_import_base_$rows" wall_s)
  echo "| import of $(commas "$rows") rows, s (median of $TREE_IMPORT_RUNS in turn) | $ours | $base |" \
    "$(calc '%.3f' "$(field "tree_import_base_${rows}_pairs" ratio)") |"
  echo "| import, rows/s | $(calc '%.0f' "$rows / $ours") | $(calc '%.0f' "$rows / $base") | |"
  ours=$(field "tree_deposit_ours_$rows" wall_s); base=$(field "tree_deposit_base_$rows" wall_s)
  echo "| one durable deposit, s (median of $TREE_DEPOSIT_TURNS in turn) | $ours | $base |" \
    "$(calc '%.3f' "$(field "tree_deposit_base_${rows}_pairs" ratio)") |"
  echo "| \`digest\`, s (stored nodes / every leaf hashed; $TREE_READ_RUNS in turn) | $(field "tree_digest_stored_$rows" wall_s) |" \
    "$(field "tree_digest_hashed_$rows" wall_s) | $(calc '%.3f' "$(field "tree_digest_hashed_${rows}_pairs" ratio)") |"
  echo "| \`prove\`, s (the same) | $(field "tree_prove_stored_$rows" wall_s) | $(field "tree_prove_hashed_$rows" wall_s) |" \
    "$(calc '%.3f' "$(field "tree_prove_hashed_${rows}_pairs" ratio)") |"
  echo "| \`check-proof\`, s (no books; $SQLITE_TURNS runs) | $(field "tree_check_proof_$rows" wall_s) | | |"
  echo "| \`verify --digest\` (all of verify, 1 run), s | $(field "tree_verify_digest_$rows" wall_s) | \`verify\` alone: $(field "tree_verify_$rows" wall_s) | |"
  echo "| PostgreSQL: \`copy\` of the books into it, s (1 run each) | $(field "tree_pg_copy_ours_$rows" wall_s) | $(field "tree_pg_copy_base_$rows" wall_s) | |"
  ours=$(field "tree_pg_deposit_ours_$rows" wall_s); base=$(field "tree_pg_deposit_base_$rows" wall_s)
  echo "| PostgreSQL: one durable deposit, s (median of $TREE_DEPOSIT_TURNS in turn) | $ours | $base |" \
    "$(calc '%.3f' "$(field "tree_pg_deposit_base_${rows}_pairs" ratio)") |"
  echo "| PostgreSQL: \`digest\`, s (tree_nodes / every leaf streamed; $TREE_READ_RUNS in turn) | $(field "tree_pg_digest_stored_$rows" wall_s) |" \
    "$(field "tree_pg_digest_hashed_$rows" wall_s) | $(calc '%.3f' "$(field "tree_pg_digest_hashed_${rows}_pairs" ratio)") |"
  echo "| PostgreSQL: \`prove\`, s (the same) | $(field "tree_pg_prove_stored_$rows" wall_s) | $(field "tree_pg_prove_hashed_$rows" wall_s) |" \
    "$(calc '%.3f' "$(field "tree_pg_prove_hashed_${rows}_pairs" ratio)") |"
}

tree_summary() {
  summary_line "tree: $ROWS rows over $SCALE_ACCOUNTS accounts; ratios are ours over the other, the median of the ratios run by run"
  local line
  while IFS= read -r line; do summary_line "  $line"; done < <(tree_table)
  summary_line "  $(grep '^tree_files' "$RESULTS" | tail -1)"
  summary_line "  checks: $(grep '^tree_check ' "$RESULTS" | cut -d' ' -f3- | tr '\n' ' ')"
  ((TREE_BAD == 0)) || summary_line "tree: FAILED: an answer differed or a command failed (see above)"
}

tree_markdown() {
  run_header_markdown
  echo "- Appending: the workload imported into a fresh directory by this build and by the"
  echo "  baseline, $TREE_IMPORT_RUNS times in turn; one durable deposit $TREE_DEPOSIT_TURNS times in turn. The"
  echo "  ratio is ours over the baseline's (the median of the ratios run by run): the tree's cost."
  echo "- Reading: on the imported ledger (with its stored tree files) and on a copy without them,"
  echo "  in turn. Checks: $(grep '^tree_check ' "$RESULTS" | cut -d' ' -f3- | tr '\n' ' ')"
  echo "- Stored: $(grep '^tree_files' "$RESULTS" | tail -1 | cut -d' ' -f3-);"
  echo "  PostgreSQL: $(grep '^tree_pg_nodes' "$RESULTS" | tail -1 | cut -d' ' -f3-)."
  echo "- PostgreSQL: a cluster of the suite's own (scripts/pg-cluster, syncing); both ledgers copied"
  echo "  into a database each, then read and written as above; \"every leaf streamed\" is a copy"
  echo "  of ours whose ledger_head says no node is kept."
  echo
  tree_table
}

TREE_DOC_MARKER='<!-- tree runs: scripts/bench --suite tree --write-doc inserts each new run below this line -->'
