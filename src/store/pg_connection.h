#pragma once
// One connection to PostgreSQL through libpq, and the results of its statements. Parameters
// travel as text and apart from the SQL (no quoting of ours anywhere); byte strings travel as
// bytea. Errors come back as a Status in the ledger's terms:
//   - the server cannot be reached, or the connection is lost: kIoError (exit 74);
//   - a lock not had within the lock timeout, a serialization failure or a deadlock: kLocked
//     (another writer; exit 75, try again);
//   - the server out of space, memory or storage, read-only, or denying privileges: kIoError;
//   - anything else the server refuses: kInternal, with the server's message.
// Passwords never appear in a message: a location is shown without its password.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"
#include "store/pg_location.h"

struct pg_conn;
struct pg_result;

namespace ledger::store {

class PgResult {
 public:
  PgResult() = default;
  int rows() const;
  bool is_null(int row, int column) const;
  std::string_view text(int row, int column) const;
  int64_t int64(int row, int column) const;
  // A bytea column, unescaped.
  std::string bytes(int row, int column) const;

 private:
  friend class PgConnection;
  explicit PgResult(pg_result* result);
  std::shared_ptr<pg_result> result_;
};

// A parameter: text, a byte string (bytea), or NULL.
struct PgParam {
  enum class Kind { kText, kBytes, kNull };
  Kind kind = Kind::kNull;
  std::string value;
  static PgParam text(std::string value) { return {Kind::kText, std::move(value)}; }
  static PgParam number(int64_t value) { return {Kind::kText, std::to_string(value)}; }
  static PgParam bytes(std::string value) { return {Kind::kBytes, std::move(value)}; }
  static PgParam null() { return {}; }
};

class PgConnection {
 public:
  // Connects; the location may carry anything libpq understands (host, port, user, sslmode...).
  static Result<PgConnection> open(const std::string& location);

  Result<PgResult> exec(const std::string& sql, const std::vector<PgParam>& params = {});
  // Runs `copy_sql` (COPY ... FROM STDIN) with `data` in COPY's text format.
  Status copy_in(const std::string& copy_sql, std::string_view data);
  // Runs several statements separated by semicolons, with no parameters (the schema).
  Status exec_script(const std::string& sql);
  const std::string& shown_location() const { return shown_; }
  // Whether a transaction is open (or failed and not yet ended).
  bool in_transaction() const;

 private:
  PgConnection(pg_conn* conn, std::string shown);
  Status failure(pg_result* result, std::string_view what) const;
  std::shared_ptr<pg_conn> conn_;
  std::string shown_;
};

}  // namespace ledger::store
