#pragma once
// The rows of `history`: every column import reads, for programs and wide terminals; and, when
// that table is wider than the terminal it is shown on, a compact form for people.

#include <cstddef>
#include <vector>

#include "cli/context.h"

namespace ledger::cli {

// Every field of every event, its columns the import keys (so that `history --format jsonl`
// can be imported again): seq, recorded, date, type, op, account, to, amount, currency, owner,
// overdraft_limit, memo, ref.
Table history_table(const Context& context, const std::vector<HistoryEntry>& entries);

// The same events in five columns, for a terminal narrower than the full table (thirteen
// columns need some 170): seq, recorded, date, amount, event. `event` says what happened in
// words, memo and ref included ("transfer CHK-001 to SAV-001: savings; ref X-1", "open CHK-001
// (USD, owner Ada, overdraft limit 100.00)"), and wraps, so the table fits 80 columns.
Table history_table_compact(const Context& context, const std::vector<HistoryEntry>& entries);

}  // namespace ledger::cli
