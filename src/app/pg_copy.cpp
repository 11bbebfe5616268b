// The events table as `copy` reads and writes it.
#include <fmt/format.h>

#include "app/pg_books.h"
#include "app/pg_log.h"
#include "app/pg_rows.h"
#include "app/pg_schema.h"
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
    uint64_t first, uint64_t last,
    const std::function<Status(uint64_t seq, std::span<const unsigned char> leaf)>& visit) {
  auto db = ledger_db();
  if (!db) return db.status();
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  return for_each_pg_leaf(**db, first, last, visit);
}

// A database made before schema version 2 keeps no nodes until its next write.
Result<uint64_t> PgBooks::tree_stored_size() {
  auto db = ledger_db();
  if (!db) return db.status();
  auto version = pg_schema_version(**db);
  if (!version) return version.status();
  if (version->value_or(0) < 2) return uint64_t{0};
  auto r = (*db)->exec("SELECT tree_size FROM ledger_head");
  if (!r) return r.status();
  return r->rows() == 0 ? uint64_t{0} : static_cast<uint64_t>(r->int64(0, 0));
}

Result<std::optional<std::array<unsigned char, 32>>> PgBooks::tree_node(unsigned height,
                                                                        uint64_t index) {
  auto db = ledger_db();
  if (!db) return db.status();
  auto r = (*db)->exec("SELECT hash FROM tree_nodes WHERE height = $1 AND idx = $2",
                       {store::PgParam::number(height),
                        store::PgParam::number(static_cast<int64_t>(index))});
  if (!r) return r.status();
  if (r->rows() == 0) return std::optional<std::array<unsigned char, 32>>();
  const std::string bytes = r->bytes(0, 0);
  if (bytes.size() != 32) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("tree_nodes holds a hash of {} bytes at height {}, index {}",
                              bytes.size(), height, index));
  }
  std::array<unsigned char, 32> h;
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return std::optional<std::array<unsigned char, 32>>(h);
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
  PgEventWriter writer(conn, *head);
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
  if (seq > 0) LEDGER_RETURN_IF_ERROR(save_head(conn, *head, seq, recorded_ns, writer));
  LEDGER_RETURN_IF_ERROR(tx.commit());
  return seq;
}

}  // namespace ledger::app
