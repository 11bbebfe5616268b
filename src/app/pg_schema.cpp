#include "app/pg_schema.h"

#include <fmt/format.h>

namespace ledger::app {

namespace {

// Any fixed number: the advisory lock that serializes migrations.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7465646765720001)";

// Migration k takes the schema from version k to k + 1.
constexpr const char* kMigrations[] = {
    R"sql(
CREATE TABLE ledger_schema (version integer NOT NULL);
INSERT INTO ledger_schema VALUES (0);
CREATE TABLE ledger_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  time_zone text NOT NULL,
  last_seq bigint NOT NULL,
  last_recorded_ns bigint NOT NULL,
  chain bigint NOT NULL
);
CREATE TABLE events (
  seq bigint PRIMARY KEY,
  recorded_ns bigint NOT NULL,
  effective_ns bigint NOT NULL,
  type smallint NOT NULL,
  version smallint NOT NULL,
  payload bytea NOT NULL,
  ref text UNIQUE,
  ref_digest bigint,
  checksum bigint NOT NULL
);
CREATE INDEX events_by_recorded ON events (recorded_ns);
CREATE TABLE accounts (
  id text COLLATE "C" PRIMARY KEY,
  owner text NOT NULL,
  currency text NOT NULL,
  overdraft_limit bigint NOT NULL,
  opened_ns bigint NOT NULL,
  opened_event_ns bigint NOT NULL,
  opened_recorded_ns bigint NOT NULL,
  closed_ns bigint,
  closed_event_ns bigint,
  closed_recorded_ns bigint,
  balance bigint NOT NULL,
  last_posting_ns bigint NOT NULL
);
CREATE TABLE postings (
  account text COLLATE "C" NOT NULL,
  effective_ns bigint NOT NULL,
  seq bigint NOT NULL,
  amount bigint NOT NULL,
  recorded_ns bigint NOT NULL,
  PRIMARY KEY (account, effective_ns, seq)
);
)sql",
    // The Merkle tree's nodes (app/log_tree.h), kept by every write in its transaction: each
    // complete subtree of at least 16 leaves, and the peaks of the tree of tree_size events.
    // Events written before are hashed once, by the first write after this migration.
    R"sql(
CREATE TABLE tree_nodes (
  height smallint NOT NULL,
  idx bigint NOT NULL,
  hash bytea NOT NULL,
  PRIMARY KEY (height, idx)
);
ALTER TABLE ledger_head ADD COLUMN tree_size bigint NOT NULL DEFAULT 0,
                        ADD COLUMN tree_peaks bytea NOT NULL DEFAULT ''::bytea;
)sql",
};
static_assert(std::size(kMigrations) == kPgSchemaVersion);

}  // namespace

Result<std::optional<int>> pg_schema_version(store::PgConnection& db) {
  auto exists = db.exec("SELECT to_regclass('ledger_schema') IS NOT NULL");
  if (!exists) return exists.status();
  if (exists->text(0, 0) != "t") return std::optional<int>();
  auto version = db.exec("SELECT version FROM ledger_schema");
  if (!version) return version.status();
  if (version->rows() != 1) {
    return Status(ErrorCode::kCorruption, "the table ledger_schema must hold exactly one row");
  }
  return std::optional<int>(static_cast<int>(version->int64(0, 0)));
}

Status pg_migrate(store::PgConnection& db) {
  LEDGER_RETURN_IF_ERROR(db.exec(kMigrationLock).status());
  auto version = pg_schema_version(db);
  if (!version) return version.status();
  int at = version->value_or(0);
  if (at > kPgSchemaVersion) {
    return Status(ErrorCode::kUsage,
                  fmt::format("{} holds ledger schema version {}; this ledger knows up to {} "
                              "(a newer ledger made it)",
                              db.shown_location(), at, kPgSchemaVersion));
  }
  for (; at < kPgSchemaVersion; ++at) {
    LEDGER_RETURN_IF_ERROR(db.exec_script(kMigrations[at]));
    LEDGER_RETURN_IF_ERROR(
        db.exec("UPDATE ledger_schema SET version = $1", {store::PgParam::number(at + 1)})
            .status());
  }
  return Status::ok();
}

}  // namespace ledger::app
