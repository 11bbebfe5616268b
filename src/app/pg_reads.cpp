// The queries of the PostgreSQL service. Balances (with --at and --known-at) and statements are
// read from the projections by account; history, balance --every and export read the log
// itself, in seq order. Each runs in one read-only snapshot of the database.
#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include "app/balance_series.h"
#include "app/export_events.h"
#include "app/history_entries.h"
#include "app/pg_books.h"
#include "app/pg_rows.h"
#include "app/query_support.h"
#include "domain/event_view.h"

namespace ledger::app {

using store::PgConnection;
using store::PgParam;

Result<std::vector<AccountView>> PgBooks::balances(const std::vector<std::string>& ids,
                                                   const Cutoffs& cutoffs) {
  auto db = ledger_db();
  if (!db) return db.status();
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  const int64_t at = cutoffs.effective_at_ns.value_or(INT64_MAX);
  const int64_t known = cutoffs.known_at_ns.value_or(INT64_MAX);
  // As of `at`, as known at `known`: the accounts whose opening is within both, their postings
  // within both, and their closing if it is.
  auto r = (*db)->exec(
      "SELECT a.id, a.owner, a.currency, a.overdraft_limit, a.opened_ns, "
      "CASE WHEN a.closed_event_ns <= $1 AND a.closed_recorded_ns <= $2 THEN a.closed_ns END, "
      "CASE WHEN $1 = 9223372036854775807 AND $2 = 9223372036854775807 THEN a.balance ELSE "
      "COALESCE((SELECT sum(p.amount) FROM postings p WHERE p.account = a.id AND "
      "p.effective_ns <= $1 AND p.recorded_ns <= $2), 0) END, a.last_posting_ns "
      "FROM accounts a WHERE a.opened_event_ns <= $1 AND a.opened_recorded_ns <= $2 AND "
      "($3::text[] IS NULL OR a.id = ANY($3::text[])) ORDER BY a.id",
      {PgParam::number(at), PgParam::number(known),
       ids.empty() ? PgParam::null() : PgParam::text(text_array(ids))});
  if (!r) return r.status();
  std::vector<domain::Account> found;
  for (int i = 0; i < r->rows(); ++i) found.push_back(account_from(*r, i));
  std::vector<AccountView> views;
  if (ids.empty()) {
    for (const domain::Account& a : found) views.push_back(view_of(a));
    return views;
  }
  for (const std::string& id : ids) {
    auto it = std::find_if(found.begin(), found.end(),
                           [&id](const domain::Account& a) { return a.id == id; });
    if (it == found.end()) return unknown(**db, id, cutoffs);
    views.push_back(view_of(*it));
  }
  return views;
}

Result<Statement> PgBooks::statement(const std::string& id, std::optional<int64_t> from_ns,
                                     std::optional<int64_t> to_ns,
                                     std::optional<int64_t> known_at_ns) {
  auto db = ledger_db();
  if (!db) return db.status();
  PgConnection& conn = **db;
  Transaction tx(conn);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  auto account = balances({id}, Cutoffs{std::nullopt, known_at_ns});
  if (!account) return account.status();
  const PgParam known = PgParam::number(known_at_ns.value_or(INT64_MAX));
  Statement statement{account->front(), from_ns, to_ns, 0, 0, {}};
  if (from_ns) {
    auto opening = conn.exec(
        "SELECT COALESCE(sum(amount), 0) FROM postings WHERE account = $1 AND recorded_ns <= $2 "
        "AND effective_ns < $3",
        {PgParam::text(id), known, PgParam::number(*from_ns)});
    if (!opening) return opening.status();
    statement.opening_balance = opening->int64(0, 0);
  }
  auto rows = conn.exec(
      "SELECT p.seq, p.effective_ns, e.recorded_ns, e.type, e.version, e.payload FROM postings p "
      "JOIN events e ON e.seq = p.seq WHERE p.account = $1 AND p.recorded_ns <= $2 AND "
      "p.effective_ns >= $3 AND p.effective_ns <= $4 ORDER BY p.effective_ns, p.seq",
      {PgParam::text(id), known, PgParam::number(from_ns.value_or(INT64_MIN)),
       PgParam::number(to_ns.value_or(INT64_MAX))});
  if (!rows) return rows.status();
  int64_t balance = statement.opening_balance;
  for (int i = 0; i < rows->rows(); ++i) {
    const std::string payload = rows->bytes(i, 5);
    domain::EventAt e{static_cast<uint64_t>(rows->int64(i, 0)), rows->int64(i, 2),
                      rows->int64(i, 1), {}};
    LEDGER_RETURN_IF_ERROR(domain::decode_event_view(
        static_cast<uint16_t>(rows->int64(i, 3)), static_cast<uint16_t>(rows->int64(i, 4)),
        {reinterpret_cast<const unsigned char*>(payload.data()), payload.size()}, e.event));
    auto line = line_of(e, id);
    if (!line) {
      return Status(ErrorCode::kCorruption,
                    fmt::format("the postings of {} name event {}, which does not move its money",
                                id, e.seq));
    }
    balance += line->amount;
    line->balance = balance;
    statement.lines.push_back(std::move(*line));
  }
  statement.closing_balance = balance;
  statement.account.balance = balance;
  return statement;
}

Result<std::vector<HistoryEntry>> PgBooks::history(const std::optional<std::string>& id,
                                                   std::optional<int64_t> from_ns,
                                                   std::optional<int64_t> to_ns) {
  auto db = ledger_db();
  if (!db) return db.status();
  HistoryCollector collected(id, from_ns);
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  LEDGER_RETURN_IF_ERROR(for_each_pg_event(**db, to_ns, [&](const domain::EventAt& e) {
    collected.add({e.seq, e.recorded_ns, e.effective_ns, domain::to_event(e.event)});
    return Status::ok();
  }));
  // An account that no event names is the same error as for balance and statement.
  if (id && !collected.seen()) {
    auto known = balances({*id}, Cutoffs{std::nullopt, to_ns});
    if (!known) return known.status();
  }
  return collected.take();
}

Result<BalanceSeries> PgBooks::balance_series(const std::vector<std::string>& ids,
                                              const std::vector<int64_t>& ends_ns,
                                              std::optional<int64_t> known_at_ns) {
  if (ends_ns.empty() || !std::is_sorted(ends_ns.begin(), ends_ns.end())) {
    return Status(ErrorCode::kInternal, "a series needs period ends in ascending order");
  }
  auto db = ledger_db();
  if (!db) return db.status();
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  // One pass over the log, as a data directory's replay without a snapshot does.
  SeriesBuilder builder(ends_ns);
  domain::LedgerState state(false);
  if (!ids.empty()) state.hold_only(ids);
  LEDGER_RETURN_IF_ERROR(for_each_pg_event(**db, known_at_ns, [&](const domain::EventAt& e) {
    if (e.effective_ns > ends_ns.back()) return Status::ok();
    state.apply(e);
    builder.observe(e);
    return Status::ok();
  }));
  const Cutoffs cutoffs{ends_ns.back(), known_at_ns};
  return builder.finish(state, ids, [&](const std::string& id) {
    return unknown(**db, id, cutoffs);
  });
}

Status PgBooks::export_events(const Cutoffs& cutoffs, ExportSink& sink,
                              const std::function<void(uint64_t)>& progress) {
  auto db = ledger_db();
  if (!db) return db.status();
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  const EventFeed feed = [&](const EventVisit& visit) {
    return for_each_pg_event(**db, cutoffs.known_at_ns, visit);
  };
  return export_from(feed, cutoffs, options_.export_memory_bytes,
                     [&] { return balances({}, cutoffs); }, sink, progress);
}

}  // namespace ledger::app
