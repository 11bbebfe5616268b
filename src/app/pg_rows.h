#pragma once
// What the PostgreSQL service's files share: accounts read from their projection, the log read
// as events, and transactions that roll back unless committed.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/export_events.h"
#include "domain/ledger_state.h"
#include "store/pg_connection.h"

namespace ledger::app {

// The refusal of a command that this store does not do yet.
Status not_on_postgres_yet(std::string_view command);

// A text[] literal: every element quoted, so that no id can end or split it.
std::string text_array(const std::vector<std::string>& items);

// The columns account_from reads, in its order.
inline constexpr const char* kAccountColumns =
    "id, owner, currency, overdraft_limit, opened_ns, closed_ns, balance, last_posting_ns";
domain::Account account_from(const store::PgResult& r, int row);
// The accounts named (all when `ids` is null), by id.
Result<std::vector<domain::Account>> load_accounts(store::PgConnection& db,
                                                   const std::vector<std::string>* ids);

// Every event recorded at or before `known_at_ns` (all without it), in log order, decoded in
// place; a visitor's failure stops the reading. Reads in batches, within the caller's
// transaction.
Status for_each_pg_event(store::PgConnection& db, std::optional<int64_t> known_at_ns,
                         const EventVisit& visit);

// The Merkle tree's leaves (store/tree_leaf.h) of events first..last (fewer where the table
// ends), in order, read in batches within the caller's transaction; a visitor's failure stops
// the reading. Returns how many it visited.
Result<uint64_t> for_each_pg_leaf(
    store::PgConnection& db, uint64_t first, uint64_t last,
    const std::function<Status(uint64_t seq, std::span<const unsigned char> leaf)>& visit);

// A query's transaction: every statement in it sees the same committed state.
inline constexpr const char* kReadSnapshot =
    "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

// Rolls back unless committed: an error anywhere leaves nothing of the command. Begun while
// another is open (a query that asks another, as export asks balances), it is part of that one
// and does nothing itself.
class Transaction {
 public:
  explicit Transaction(store::PgConnection& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // `begin` starts it: BEGIN, or kReadSnapshot for a query.
  Status begin(const char* begin = "BEGIN");
  Status commit();

 private:
  store::PgConnection& db_;
  bool open_ = false;
};

}  // namespace ledger::app
