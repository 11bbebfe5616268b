# bash completion for ledger, the event-sourced ledger of accounts of money.
# Installed as share/bash-completion/completions/ledger; or `source` this file from ~/.bashrc.
#
# Subcommands and options are read from the binary's own --help (once per shell and
# subcommand), so they follow the installed version. Account ids come from the ledger itself:
# `ledger [--dir DIR] accounts --format csv`, with the --dir given on the line, else $LEDGER_DIR.
# Errors (no ledger yet, a damaged one) complete nothing and print nothing. Files complete for
# `import FILE` and `check-proof FILE`; nothing completes a digest (--digest), which is the line
# kept elsewhere, nor a number (prove's SEQ, digest --at-seq).

declare -gA _ledger_help_cache=()

# The help text of `ledger [SUBCOMMAND] --help`, cached.
_ledger_help() {
  local key="${1:-.}"
  if [[ -z ${_ledger_help_cache[$key]+set} ]]; then
    _ledger_help_cache[$key]="$(command "${_ledger_bin:-ledger}" ${1:+"$1"} --help 2>/dev/null)"
  fi
  printf '%s\n' "${_ledger_help_cache[$key]}"
}

# The subcommand names listed under "Subcommands:" in `ledger --help`.
_ledger_subcommands() {
  _ledger_help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'
}

# Every option of `ledger [SUBCOMMAND] --help`, one a line, with " =" after those that take a
# value: `--dir =`, `--quiet`, `-q`.
_ledger_options() {
  _ledger_help "$1" | awk '
    /^Subcommands:/ { exit }
    /^Options:/ { on = 1; next }
    on && /^  +-/ {
      value = ($2 ~ /^[A-Z][A-Z0-9]*(:.*)?$/) ? " =" : ""
      n = split($1, names, ",")
      for (i = 1; i <= n; i++) print names[i] value
    }'
}

# The values an option accepts: from a {a,b,c} set in the help, else what ledger documents.
_ledger_option_values() {
  local sub="$1" option="$2" values
  values="$(_ledger_help "$sub" | awk -v opt="$option" '
    /^Subcommands:/ { exit }
    /^  +-/ { n = split($1, names, ","); for (i = 1; i <= n; i++) if (names[i] == opt && match($2, /\{[^}]*\}/)) {
      s = substr($2, RSTART + 1, RLENGTH - 2); gsub(",", " ", s); print s; exit } }')"
  if [[ -n $values ]]; then
    printf '%s\n' "$values"
    return
  fi
  case "$sub:$option" in
    import:--format) echo "csv jsonl" ;;
    export:--format) echo "ledger csv jsonl" ;;
    balance:--format | statement:--format) echo "table csv tsv json jsonl chart" ;;
    *:--format) echo "table csv tsv json jsonl" ;;
    *:--every) echo "day week month quarter year" ;;
    *:--color) echo "auto always never" ;;
    *:--at | *:--known-at | *:--date | *:--from | *:--to) echo "today yesterday" ;;
  esac
}

# The account ids of the ledger in DIR (empty: $LEDGER_DIR or the default).
_ledger_accounts() {
  local dir="$1"
  command "${_ledger_bin:-ledger}" ${dir:+--dir "$dir"} accounts --format csv 2>/dev/null |
    awk -F, 'NR > 1 && $1 != "" { print $1 }'
}

# Whether the N-th positional argument (from 1) of SUBCOMMAND is an existing account id.
_ledger_takes_account() {
  case "$1:$2" in
    deposit:1 | withdraw:1 | close:1 | statement:1 | history:1 | transfer:1 | transfer:2) return 0 ;;
    balance:*) return 0 ;;
  esac
  return 1
}

_ledger() {
  local cur="${COMP_WORDS[COMP_CWORD]}" words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
  if declare -F _get_comp_words_by_ref >/dev/null; then
    # bash-completion keeps "--format=csv" and "assets:cash" whole.
    _get_comp_words_by_ref -n =: cur words cword
  fi
  COMPREPLY=()
  local _ledger_bin="${words[0]:-ledger}"
  [[ $_ledger_bin == ledger || -x $_ledger_bin ]] || _ledger_bin=ledger

  # Walk the words before the cursor: the subcommand, --dir, and the positional count.
  local sub="" dir="" positional=0 i word global_options sub_options
  global_options="$(_ledger_options "")"
  local -A subcommands=()
  for word in $(_ledger_subcommands); do subcommands[$word]=1; done
  for ((i = 1; i < cword; i++)); do
    word="${words[i]}"
    if [[ $word == : || ${words[i - 1]} == : ]] && ((i > 1)); then
      # Without bash-completion, bash splits a word at its colons ("ledger-digest-v1:4:ab..."
      # and "team:ops" are several): the pieces after the first are not words of their own.
      continue
    elif [[ $word == --dir=* ]]; then
      dir="${word#--dir=}"
    elif [[ $word == -* && $word != -?*=* ]]; then
      if grep -qxF -- "$word =" <<<"$global_options"$'\n'"${sub:+$(_ledger_options "$sub")}"; then
        [[ $word == --dir ]] && dir="${words[i + 1]}"
        ((i++))
      fi
    elif [[ -z $sub && -n ${subcommands[$word]+set} ]]; then
      sub="$word"
    elif [[ -n $sub ]]; then
      ((positional++))
    fi
  done
  dir="${dir/#\~/$HOME}"

  # The value of an option: "--format c" or "--format=c".
  local option="" prefix=""
  if [[ $cur == --*=* ]]; then
    option="${cur%%=*}" prefix="$option=" cur="${cur#*=}"
  elif ((cword > 1)) && [[ ${words[cword - 1]} == -* ]]; then
    option="${words[cword - 1]}"
    grep -qxF -- "$option =" <<<"$global_options"$'\n'"${sub:+$(_ledger_options "$sub")}" ||
      option=""
  fi
  if [[ -n $option ]]; then
    if [[ $option == --dir ]]; then
      mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "$(_ledger_option_values "$sub" "$option")" -- "$cur")
    fi
    [[ -n $prefix ]] && COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
    return 0
  fi

  if [[ $cur == -* ]]; then
    local options
    options="$( { printf '%s\n' "$global_options"; [[ -n $sub ]] && _ledger_options "$sub"; } |
      awk '{ print $1 }' | sort -u)"
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  elif [[ -z $sub ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_ledger_subcommands)" -- "$cur")
  elif _ledger_takes_account "$sub" "$((positional + 1))"; then
    mapfile -t COMPREPLY < <(compgen -W "$(_ledger_accounts "$dir")" -- "$cur")
    declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
  elif [[ ($sub == import || $sub == check-proof) && $positional -eq 0 ]]; then
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
  return 0
}

complete -F _ledger ledger
