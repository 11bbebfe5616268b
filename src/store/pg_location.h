#pragma once
// What tells a PostgreSQL location from a directory, and how one is shown. Apart from the
// connection (pg_connection.h) so that the static `ledger` binary, which has no libpq, knows
// a location it must hand to `ledger-postgres`.

#include <string>
#include <string_view>

namespace ledger::store {

// `postgres://` or `postgresql://`: a location libpq reads, not a directory.
bool is_postgres_location(std::string_view location);
// The location as it may be shown: its password (in the URI or as ?password=) replaced by ***.
std::string redacted_location(std::string_view location);

}  // namespace ledger::store
