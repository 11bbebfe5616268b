#include "app/pg_books.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <span>

#include "app/pg_log.h"
#include "app/pg_rows.h"
#include "app/pg_schema.h"
#include "app/query_support.h"
#include "domain/event_view.h"
#include "domain/ledger_state.h"
#include "domain/postings.h"
#include "ledger/postgres.h"
#include "store/pg_connection.h"
#include "util/time.h"
#include "util/utf8.h"

namespace ledger::app {

namespace {

using store::PgConnection;
using store::PgParam;
using store::PgResult;


// The state a command is decided on: the accounts it names (every account when `all`, for
// "did you mean"), and its ref if that is already in the log.
Status load_state(PgConnection& db, const Command& command, uint64_t last_seq, bool all,
                  domain::LedgerState& state) {
  std::vector<std::string> named;
  for (std::string_view id : domain::accounts_named(command)) named.emplace_back(id);
  auto accounts = load_accounts(db, all ? nullptr : &named);
  if (!accounts) return accounts.status();
  state.restore(std::move(*accounts), last_seq);
  std::string ref;
  std::visit([&ref](const auto& c) { ref = c.ref; }, command);
  // A ref that is no text cannot be in the table; the domain refuses the command.
  if (ref.empty() || !util::is_nul_free_utf8(ref)) return Status::ok();
  auto known = db.exec("SELECT seq, ref_digest FROM events WHERE ref = $1", {PgParam::text(ref)});
  if (!known) return known.status();
  if (known->rows() == 1) {
    state.track_ref(ref, {static_cast<uint64_t>(known->int64(0, 1)),
                          static_cast<uint64_t>(known->int64(0, 0))});
  }
  return Status::ok();
}

}  // namespace

Result<PgConnection*> PgBooks::connection() {
  if (!db_) {
    auto db = PgConnection::open(options_.dir.native());
    if (!db) return db.status();
    db_.emplace(std::move(*db));
  }
  return &*db_;
}

Result<PgConnection*> PgBooks::ledger_db() {
  auto db = connection();
  if (!db) return db.status();
  auto version = pg_schema_version(**db);
  if (!version) return version.status();
  if (!*version) {
    return Status(ErrorCode::kNotFound, fmt::format("no ledger at {}; `ledger open` creates one",
                                                    (*db)->shown_location()));
  }
  return db;
}

int64_t PgBooks::now_ns() const {
  return options_.clock_ns ? options_.clock_ns() : util::now_ns();
}

Status PgBooks::unknown(PgConnection& db, const std::string& id, const Cutoffs& cutoffs) {
  LEDGER_RETURN_IF_ERROR(domain::validate_account_id(id));
  // Suggested from the accounts known as of the same cutoffs.
  auto r = db.exec(fmt::format("SELECT {} FROM accounts WHERE opened_event_ns <= $1 AND "
                               "opened_recorded_ns <= $2",
                               kAccountColumns),
                   {PgParam::number(cutoffs.effective_at_ns.value_or(INT64_MAX)),
                    PgParam::number(cutoffs.known_at_ns.value_or(INT64_MAX))});
  if (!r) return r.status();
  std::vector<domain::Account> known;
  for (int i = 0; i < r->rows(); ++i) known.push_back(account_from(*r, i));
  domain::LedgerState state(false);
  state.restore(std::move(known), 0);
  return unknown_account_among(state, id, cutoffs);
}

Result<std::optional<std::string>> PgBooks::recorded_time_zone() {
  auto db = connection();
  if (!db) return db.status();
  auto version = pg_schema_version(**db);
  if (!version) return version.status();
  if (!*version) return std::optional<std::string>();
  auto r = (*db)->exec("SELECT time_zone FROM ledger_head");
  if (!r) return r.status();
  if (r->rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(std::string(r->text(0, 0)));
}

Result<WriteResult> PgBooks::execute(const Command& command) {
  auto db = connection();
  if (!db) return db.status();
  PgConnection& conn = **db;
  Transaction tx(conn);
  auto head = begin_write(conn, tx, options_.timezone, options_.lock_wait);
  if (!head) return head.status();
  // Recorded times never go back, whatever the clocks of the writers' machines say.
  const int64_t recorded_ns = std::max(now_ns(), head->last_recorded_ns);
  domain::LedgerState state;
  PgTimeline timeline(conn);
  state.set_timeline(&timeline);
  LEDGER_RETURN_IF_ERROR(load_state(conn, command, head->last_seq, false, state));
  auto decision = domain::decide(state, command, recorded_ns);
  if (!decision && decision.status().code() == ErrorCode::kRefused) {
    // A refusal may suggest another id ("did you mean"): decided again with every account.
    LEDGER_RETURN_IF_ERROR(load_state(conn, command, head->last_seq, true, state));
    decision = domain::decide(state, command, recorded_ns);
  }
  if (!decision) return decision.status();
  if (!decision->event) {
    return WriteResult{false, decision->recorded_seq, "", amount_moved(state, command)};
  }
  const domain::PendingEvent& pending = *decision->event;
  std::string amount = amount_moved(state, command);  // (As before the event.)
  const uint64_t seq = head->last_seq + 1;
  PgEventWriter writer(conn, *head);
  LEDGER_RETURN_IF_ERROR(writer.append(state, seq, recorded_ns, pending.effective_ns, pending.event));
  LEDGER_RETURN_IF_ERROR(writer.finish(state));
  LEDGER_RETURN_IF_ERROR(save_head(conn, *head, seq, recorded_ns, writer));
  LEDGER_RETURN_IF_ERROR(tx.commit());
  return WriteResult{true, seq, "", std::move(amount)};
}

std::unique_ptr<Books> make_pg_books(const LedgerOptions& options) {
  return std::make_unique<PgBooks>(options);
}

}  // namespace ledger::app

namespace ledger {

void enable_postgres() { set_database_books(&app::make_pg_books); }

}  // namespace ledger
