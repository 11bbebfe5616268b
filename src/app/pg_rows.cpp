#include "app/pg_rows.h"

#include <fmt/format.h>

#include <climits>

#include "domain/event_view.h"
#include "store/tree_leaf.h"
#include "ledger/money.h"

namespace ledger::app {

using store::PgConnection;
using store::PgParam;
using store::PgResult;

namespace {
// Events read per round trip: enough to amortize it, few enough to keep memory flat.
constexpr int64_t kEventsPerBatch = 10'000;
}  // namespace

Status not_on_postgres_yet(std::string_view command) {
  return Status(ErrorCode::kUsage,
                fmt::format("`{}` does not work on a PostgreSQL location yet; it works on a data "
                            "directory",
                            command));
}

std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : item) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

domain::Account account_from(const PgResult& r, int row) {
  domain::Account a;
  a.id = r.text(row, 0);
  a.owner = r.text(row, 1);
  if (auto currency = find_currency(r.text(row, 2))) a.currency = *currency;
  a.overdraft_limit = r.int64(row, 3);
  a.opened_effective_ns = r.int64(row, 4);
  a.closed = !r.is_null(row, 5);
  a.closed_effective_ns = a.closed ? r.int64(row, 5) : INT64_MAX;
  a.balance = r.int64(row, 6);
  a.last_posting_ns = r.int64(row, 7);
  return a;
}

Result<std::vector<domain::Account>> load_accounts(PgConnection& db,
                                                   const std::vector<std::string>* ids) {
  auto r = ids ? db.exec(fmt::format("SELECT {} FROM accounts WHERE id = ANY($1::text[]) "
                                     "ORDER BY id",
                                     kAccountColumns),
                         {PgParam::text(text_array(*ids))})
               : db.exec(fmt::format("SELECT {} FROM accounts ORDER BY id", kAccountColumns));
  if (!r) return r.status();
  std::vector<domain::Account> accounts;
  for (int i = 0; i < r->rows(); ++i) accounts.push_back(account_from(*r, i));
  return accounts;
}

Status for_each_pg_event(PgConnection& db, std::optional<int64_t> known_at_ns,
                         const EventVisit& visit) {
  int64_t after = 0;
  for (;;) {
    auto r = db.exec(
        "SELECT seq, recorded_ns, effective_ns, type, version, payload FROM events WHERE seq > $1 "
        "AND recorded_ns <= $2 ORDER BY seq LIMIT $3",
        {PgParam::number(after), PgParam::number(known_at_ns.value_or(INT64_MAX)),
         PgParam::number(kEventsPerBatch)});
    if (!r) return r.status();
    for (int i = 0; i < r->rows(); ++i) {
      const std::string payload = r->bytes(i, 5);
      domain::EventAt e{static_cast<uint64_t>(r->int64(i, 0)), r->int64(i, 1), r->int64(i, 2), {}};
      Status decoded = domain::decode_event_view(
          static_cast<uint16_t>(r->int64(i, 3)), static_cast<uint16_t>(r->int64(i, 4)),
          {reinterpret_cast<const unsigned char*>(payload.data()), payload.size()}, e.event);
      if (!decoded) {
        return Status(ErrorCode::kCorruption,
                      fmt::format("event {} does not decode: {}", e.seq, decoded.message()));
      }
      LEDGER_RETURN_IF_ERROR(visit(e));
      after = static_cast<int64_t>(e.seq);
    }
    if (r->rows() < kEventsPerBatch) return Status::ok();
  }
}

Result<uint64_t> for_each_pg_leaf(
    PgConnection& db, uint64_t first, uint64_t last,
    const std::function<Status(uint64_t seq, std::span<const unsigned char> leaf)>& visit) {
  std::vector<unsigned char> leaf;
  uint64_t next = first;
  uint64_t count = 0;
  while (next <= last) {
    auto r = db.exec(
        "SELECT seq, recorded_ns, effective_ns, type, version, payload FROM events WHERE seq >= $1 "
        "AND seq <= $2 ORDER BY seq LIMIT $3",
        {PgParam::number(static_cast<int64_t>(next)), PgParam::number(static_cast<int64_t>(last)),
         PgParam::number(kEventsPerBatch)});
    if (!r) return r.status();
    for (int i = 0; i < r->rows(); ++i) {
      const std::string payload = r->bytes(i, 5);
      const uint64_t seq = static_cast<uint64_t>(r->int64(i, 0));
      store::encode_leaf(leaf, seq, r->int64(i, 1), r->int64(i, 2),
                         static_cast<uint16_t>(r->int64(i, 3)),
                         static_cast<uint16_t>(r->int64(i, 4)),
                         {reinterpret_cast<const unsigned char*>(payload.data()), payload.size()});
      LEDGER_RETURN_IF_ERROR(visit(seq, leaf));
      ++count;
      next = seq + 1;
    }
    if (r->rows() < kEventsPerBatch) break;
  }
  return count;
}

Transaction::~Transaction() {
  if (open_) (void)db_.exec("ROLLBACK");
}

Status Transaction::begin(const char* begin) {
  if (db_.in_transaction()) return Status::ok();
  LEDGER_RETURN_IF_ERROR(db_.exec(begin).status());
  open_ = true;
  return Status::ok();
}

Status Transaction::commit() {
  if (!open_) return Status::ok();
  open_ = false;
  return db_.exec("COMMIT").status();
}

}  // namespace ledger::app
