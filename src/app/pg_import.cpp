// `import` on PostgreSQL: the same checks as on a data directory (app/import_check.h), in one
// transaction. Every account is read into the state first (memory grows with accounts, not with
// rows); the refs of the rows are looked up in batches as the rows are read; the rows that pass
// go to the tables with COPY in batches, and everything rolls back unless every row passed.
#include <fmt/format.h>

#include <algorithm>

#include "app/import_check.h"
#include "app/import_order.h"
#include "app/pg_books.h"
#include "app/pg_log.h"
#include "app/pg_rows.h"
#include "util/utf8.h"

namespace ledger::app {

using store::PgConnection;
using store::PgParam;

namespace {

// Refs looked up per round trip, and events sent per COPY.
constexpr size_t kRefsPerLookup = 10'000;
constexpr size_t kEventsPerCopy = 10'000;

// Remembers, in `state`, those of `refs` that the ledger holds already.
Status look_up_refs(PgConnection& db, std::vector<std::string>& refs, domain::LedgerState& state) {
  if (refs.empty()) return Status::ok();
  auto r = db.exec("SELECT ref, seq, ref_digest FROM events WHERE ref = ANY($1::text[])",
                   {PgParam::text(text_array(refs))});
  if (!r) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    state.track_ref(r->text(i, 0), {static_cast<uint64_t>(r->int64(i, 2)),
                                    static_cast<uint64_t>(r->int64(i, 1))});
  }
  refs.clear();
  return Status::ok();
}

}  // namespace

Result<ImportResult> PgBooks::import(ImportSource& rows, bool dry_run, size_t issues_max,
                                     const std::function<void(size_t)>& progress) {
  auto db = connection();
  if (!db) return db.status();
  PgConnection& conn = **db;
  Transaction tx(conn);
  // (A dry run or a refusal rolls back the tables a first import made, with the rest.)
  auto head = begin_write(conn, tx, options_.timezone, options_.lock_wait);
  if (!head) return head.status();
  const int64_t now = std::max(now_ns(), head->last_recorded_ns);
  domain::LedgerState state;
  auto accounts = load_accounts(conn, nullptr);
  if (!accounts) return accounts.status();
  state.restore(std::move(*accounts), head->last_seq);
  // Every row is read before the first is applied: the last line may be the earliest.
  auto ordered = std::make_unique<ImportOrder>();
  std::vector<std::string> refs;
  for (ImportRow row; rows.next(row);) {
    const std::string& ref =
        std::visit([](const auto& c) -> const std::string& { return c.ref; }, row.command);
    // A ref that is no text cannot be in the table; the domain refuses its row.
    if (!ref.empty() && util::is_nul_free_utf8(ref)) refs.push_back(ref);
    if (refs.size() == kRefsPerLookup) LEDGER_RETURN_IF_ERROR(look_up_refs(conn, refs, state));
    LEDGER_RETURN_IF_ERROR(ordered->add(row, domain::timeline_key(row.command, now)));
  }
  LEDGER_RETURN_IF_ERROR(look_up_refs(conn, refs, state));
  LEDGER_RETURN_IF_ERROR(ordered->finish());
  PgEventWriter writer(conn, *head);
  // A backdated row is checked against the postings after it, the import's own among them.
  PgTimeline timeline(conn, [&writer] { return writer.flush(); });
  state.set_timeline(&timeline);
  ImportResult result;
  uint64_t seq = head->last_seq;
  auto record = [&](const domain::PendingEvent& pending) -> Status {
    ++result.recorded;
    LEDGER_RETURN_IF_ERROR(writer.append(state, ++seq, now, pending.effective_ns, pending.event));
    return writer.pending() >= kEventsPerCopy ? writer.flush() : Status::ok();
  };
  ImportCheck check{state, now, issues_max, progress, record};
  LEDGER_RETURN_IF_ERROR(check_import_rows(*ordered, check, result));
  ordered.reset();
  // Nothing is committed but every row: the transaction rolls back on leaving.
  if (dry_run || result.issues_total > 0 || rows.failed() || result.recorded == 0) return result;
  LEDGER_RETURN_IF_ERROR(writer.finish(state));
  LEDGER_RETURN_IF_ERROR(save_head(conn, *head, seq, now, writer));
  LEDGER_RETURN_IF_ERROR(tx.commit());
  return result;
}

}  // namespace ledger::app
