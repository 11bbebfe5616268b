// The events table as `copy` reads and writes it.
#include <fmt/format.h>

#include "app/pg_books.h"
#include "app/pg_log.h"
#include "app/pg_rows.h"
#include "domain/event_view.h"

namespace ledger::app {

using store::PgConnection;

namespace {
constexpr size_t kEventsPerCopy = 10'000;
constexpr uint64_t kProgressEvery = 4096;
}  // namespace

Status PgBooks::read_events(const EventVisit& visit) {
  auto db = ledger_db();
  if (!db) return db.status();
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  return for_each_pg_event(**db, std::nullopt, visit);
}

Result<uint64_t> PgBooks::write_events(const EventFeed& feed, const std::string& zone,
                                       const std::function<void(uint64_t)>& progress) {
  auto db = connection();
  if (!db) return db.status();
  PgConnection& conn = **db;
  Transaction tx(conn);
  auto head = begin_write(conn, tx, zone, options_.lock_wait);
  if (!head) return head.status();
  if (head->last_seq > 0) return holds_a_ledger(conn.shown_location());
  PgEventWriter writer(conn, 0);
  domain::LedgerState state(false);
  uint64_t seq = 0;
  int64_t recorded_ns = 0;
  LEDGER_RETURN_IF_ERROR(feed([&](const domain::EventAt& e) -> Status {
    LEDGER_RETURN_IF_ERROR(writer.append(state, e.seq, e.recorded_ns, e.effective_ns,
                                         domain::to_event(e.event)));
    seq = e.seq;
    recorded_ns = e.recorded_ns;
    if (progress && seq % kProgressEvery == 0) progress(seq);
    return writer.pending() >= kEventsPerCopy ? writer.flush() : Status::ok();
  }));
  LEDGER_RETURN_IF_ERROR(writer.finish(state));
  if (seq > 0) LEDGER_RETURN_IF_ERROR(save_head(conn, *head, seq, recorded_ns, writer.chain()));
  LEDGER_RETURN_IF_ERROR(tx.commit());
  return seq;
}

}  // namespace ledger::app
