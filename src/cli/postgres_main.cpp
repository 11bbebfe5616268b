// `ledger-postgres`: the command line of `ledger` with the PostgreSQL store linked in. `ledger`
// hands it every command whose location is a postgres:// or postgresql:// URI
// (cli/postgres_helper.h); run by hand, it takes a data directory as well.
#include "cli/app.h"
#include "ledger/postgres.h"

int main(int argc, char** argv) {
  ledger::enable_postgres();
  return ledger::cli::run(argc, argv);
}
