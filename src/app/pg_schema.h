#pragma once
// The tables of a ledger kept in PostgreSQL, and their migrations. Version 1:
//   ledger_schema  the schema's version (one row);
//   ledger_head    the ledger's time zone and the last event's seq, recorded time and chained
//                  checksum (one row): every write locks it, so writers take turns and the
//                  sequence and recorded times stay gap-free and ordered;
//   events         the log: seq, times, the encoded event (the bytes a segment holds), its ref
//                  (unique: a retry applies once) and the chained checksum (store/pg_event_chain.h);
//   accounts       a projection: each account as the domain holds it at the head, with the
//                  effective and recorded times of its opening and closing events (for --at
//                  and --known-at);
//   postings       a projection: what each event did to each account, by (account, effective
//                  time, seq), so --at and statements are range scans of one account.
// Account ids sort byte by byte (COLLATE "C"), as a data directory's listings do, whatever the
// database's locale. The projections change in the same transaction as the events they follow. They have no
// foreign keys to the log: checking one for each of a large import's postings took 40% of its
// time (100,000 rows: 4.96 s with them, 2.96 s without, one run each), and `verify` holds
// every projection against a replay of the log instead.

#include <optional>

#include "ledger/status.h"
#include "store/pg_connection.h"

namespace ledger::app {

inline constexpr int kPgSchemaVersion = 2;

// The version the database holds; nothing when it holds no ledger yet.
Result<std::optional<int>> pg_schema_version(store::PgConnection& db);
// Inside the caller's transaction: brings the schema to kPgSchemaVersion, creating it when
// absent. Takes a transaction-scoped advisory lock first, so that two first writers do not both
// create it. Refuses a schema newer than this build knows.
Status pg_migrate(store::PgConnection& db);

}  // namespace ledger::app
