#include "store/pg_connection.h"

#include <libpq-fe.h>

#include <fmt/format.h>

#include <charconv>
#include <cstring>

namespace ledger::store {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The first line of a libpq message, without "FATAL:  " or "ERROR:  " and trailing space.
std::string first_line(const char* message) {
  std::string_view text = message == nullptr ? "" : message;
  text = text.substr(0, text.find('\n'));
  for (std::string_view tag : {"FATAL:  ", "ERROR:  "}) {
    if (starts_with(text, tag)) text.remove_prefix(tag.size());
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  return std::string(text);
}

}  // namespace

PgResult::PgResult(pg_result* result) : result_(result, PQclear) {}

int PgResult::rows() const { return result_ ? PQntuples(result_.get()) : 0; }

bool PgResult::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

int64_t PgResult::int64(int row, int column) const {
  const std::string_view t = text(row, column);
  int64_t value = 0;
  std::from_chars(t.data(), t.data() + t.size(), value);
  return value;
}

std::string PgResult::bytes(int row, int column) const {
  size_t size = 0;
  unsigned char* raw = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &size);
  if (raw == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(raw), size);
  PQfreemem(raw);
  return out;
}

PgConnection::PgConnection(pg_conn* conn, std::string shown)
    : conn_(conn, PQfinish), shown_(std::move(shown)) {}

namespace {

// libpq's own message, with every password the location holds replaced: libpq quotes parts of
// a location it cannot read, and a server may repeat what it was sent. Nothing of a location
// libpq cannot parse is repeated when that location holds a password.
std::string scrubbed(const std::string& location, const std::string& shown, std::string message) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(location.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) {
    return shown == location ? message : "the location could not be read";
  }
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    const std::string_view key = o->keyword;
    if ((key != "password" && key != "sslpassword") || o->val == nullptr || *o->val == '\0') {
      continue;
    }
    const std::string secret = o->val;
    for (size_t at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at + 3)) {
      message.replace(at, secret.size(), "***");
    }
  }
  PQconninfoFree(options);
  return message;
}

}  // namespace

Result<PgConnection> PgConnection::open(const std::string& location) {
  pg_conn* conn = PQconnectdb(location.c_str());
  std::string shown = redacted_location(location);
  if (conn == nullptr) {
    return Status(ErrorCode::kIoError, fmt::format("cannot connect to {}: out of memory", shown));
  }
  PgConnection connection(conn, shown);
  if (PQstatus(conn) != CONNECTION_OK) {
    return Status(ErrorCode::kIoError,
                  fmt::format("cannot connect to {}: {}", shown,
                              scrubbed(location, shown, first_line(PQerrorMessage(conn)))));
  }
  // Notices ("relation already exists, skipping") are not for the user.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return connection;
}

Status PgConnection::failure(pg_result* result, std::string_view what) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message =
      first_line(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_.get()));
  const std::string_view sqlstate = state ? state : "";
  if (PQstatus(conn_.get()) != CONNECTION_OK || starts_with(sqlstate, "08") ||
      starts_with(sqlstate, "57P")) {
    return Status(ErrorCode::kIoError,
                  fmt::format("lost the connection to {}: {}", shown_,
                              message.empty() ? "the server went away" : message));
  }
  if (sqlstate == "55P03") {
    return Status(ErrorCode::kLocked,
                  fmt::format("{} is locked by another writer (waited for its lock, gave up: {})",
                              shown_, message));
  }
  if (sqlstate == "40001" || sqlstate == "40P01") {
    return Status(ErrorCode::kLocked,
                  fmt::format("another writer of {} came first ({}); try again", shown_, message));
  }
  // The server's resources or storage failing, or refusing to write at all (a read-only
  // standby, missing privileges): I/O as far as the user can tell, not a bug of ours.
  if (starts_with(sqlstate, "53") || starts_with(sqlstate, "58") || starts_with(sqlstate, "XX") ||
      sqlstate == "25006" || sqlstate == "42501") {
    return Status(ErrorCode::kIoError, fmt::format("{} refused {}: {}", shown_, what, message));
  }
  return Status(ErrorCode::kInternal, fmt::format("PostgreSQL refused {}: {}", what, message));
}

Result<PgResult> PgConnection::exec(const std::string& sql, const std::vector<PgParam>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const PgParam& p : params) {
    values.push_back(p.kind == PgParam::Kind::kNull ? nullptr : p.value.c_str());
    lengths.push_back(static_cast<int>(p.value.size()));
    formats.push_back(p.kind == PgParam::Kind::kBytes ? 1 : 0);
  }
  pg_result* result =
      PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                   values.data(), lengths.data(), formats.data(), 0);
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Status s = failure(result, sql.substr(0, sql.find_first_of(" (")));
    PQclear(result);
    return s;
  }
  return PgResult(result);
}

Status PgConnection::copy_in(const std::string& copy_sql, std::string_view data) {
  pg_conn* conn = conn_.get();
  pg_result* start = PQexec(conn, copy_sql.c_str());
  const bool copying = start != nullptr && PQresultStatus(start) == PGRES_COPY_IN;
  if (!copying) {
    Status s = failure(start, "COPY");
    PQclear(start);
    return s;
  }
  PQclear(start);
  const bool sent = PQputCopyData(conn, data.data(), static_cast<int>(data.size())) == 1;
  const bool ended = PQputCopyEnd(conn, sent ? nullptr : "the data could not be sent") == 1;
  Status status = Status::ok();
  // The COPY's own result, then the end of results.
  while (pg_result* result = PQgetResult(conn)) {
    if (status && PQresultStatus(result) != PGRES_COMMAND_OK) status = failure(result, "COPY");
    PQclear(result);
  }
  if (status && (!sent || !ended)) status = failure(nullptr, "COPY");
  return status;
}

bool PgConnection::in_transaction() const {
  return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE;
}

Status PgConnection::exec_script(const std::string& sql) {
  pg_result* result = PQexec(conn_.get(), sql.c_str());
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  Status s = Status::ok();
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) s = failure(result, "the schema");
  PQclear(result);
  return s;
}

}  // namespace ledger::store
