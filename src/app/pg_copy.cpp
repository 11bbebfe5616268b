// The events table as `copy` reads and writes it.
#include <fmt/format.h>

#include "app/pg_books.h"
#include "app/pg_log.h"
#include "app/pg_rows.h"
#include "domain/event_view.h"
#include "store/tree_leaf.h"

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

Result<uint64_t> PgBooks::event_count(std::optional<int64_t> known_at_ns) {
  auto db = ledger_db();
  if (!db) return db.status();
  auto r = known_at_ns ? (*db)->exec("SELECT coalesce(max(seq), 0) FROM events WHERE "
                                     "recorded_ns <= $1",
                                     {store::PgParam::number(*known_at_ns)})
                       : (*db)->exec("SELECT last_seq FROM ledger_head");
  if (!r) return r.status();
  return r->rows() == 0 ? uint64_t{0} : static_cast<uint64_t>(r->int64(0, 0));
}

Result<uint64_t> PgBooks::visit_leaves(
    uint64_t limit,
    const std::function<Status(uint64_t seq, std::span<const unsigned char> leaf)>& visit) {
  auto db = ledger_db();
  if (!db) return db.status();
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  std::vector<unsigned char> leaf;
  uint64_t count = 0;
  while (count < limit) {
    auto r = (*db)->exec(
        "SELECT seq, recorded_ns, effective_ns, type, version, payload FROM events WHERE seq > $1 "
        "ORDER BY seq LIMIT $2",
        {store::PgParam::number(static_cast<int64_t>(count)),
         store::PgParam::number(static_cast<int64_t>(kEventsPerCopy))});
    if (!r) return r.status();
    for (int i = 0; i < r->rows() && count < limit; ++i) {
      const std::string payload = r->bytes(i, 5);
      const uint64_t seq = static_cast<uint64_t>(r->int64(i, 0));
      store::encode_leaf(leaf, seq, r->int64(i, 1), r->int64(i, 2),
                         static_cast<uint16_t>(r->int64(i, 3)),
                         static_cast<uint16_t>(r->int64(i, 4)),
                         {reinterpret_cast<const unsigned char*>(payload.data()), payload.size()});
      LEDGER_RETURN_IF_ERROR(visit(seq, leaf));
      ++count;
    }
    if (r->rows() < static_cast<int>(kEventsPerCopy)) break;
  }
  return count;
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
