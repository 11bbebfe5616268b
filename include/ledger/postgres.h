#pragma once
// Turns on the PostgreSQL store for this process: `ledger-postgres` calls it before it runs the
// command line, and a database location then works as a data directory does.

namespace ledger {

void enable_postgres();

}  // namespace ledger
