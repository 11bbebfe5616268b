#pragma once
// The `ledger` binary is static and has no libpq: linked in, libpq and the libraries it loads
// made every command start about 10 ms later, for everyone. So a command on a PostgreSQL
// location is run by `ledger-postgres`, the same command line linked with the PostgreSQL store:
// `ledger` replaces itself with it (execv), with the same arguments, environment and standard
// streams. It is called before anything was read or written.

#include "ledger/status.h"

namespace ledger::cli {

// cli::run keeps its arguments here, for the helper.
void remember_arguments(int argc, char** argv);
// Replaces the process with `ledger-postgres` (beside this binary, or in ../libexec/ledger/);
// returns only when it cannot.
Status exec_postgres_helper();

}  // namespace ledger::cli
