#pragma once
// The Ledger service over PostgreSQL (`--dir postgresql://...`), on the tables of
// app/pg_schema.h. Each command is one transaction. A write first locks the ledger's head row:
// writers on any number of machines take turns, the sequence and recorded times stay gap-free
// and ordered, and a command is decided by the domain on the accounts it names, read from the
// `accounts` projection, with the postings after a backdated entry read from `postings`. A
// writer waits for the head row as long as a data directory's waits for its lock, then gives up
// (exit 75); a lost connection leaves nothing half-applied, since nothing commits but the whole. Queries read the projections in
// one snapshot of the database (a read-only, repeatable-read transaction).
//
// The methods live in pg_books.cpp (writes), pg_import.cpp, pg_reads.cpp (queries),
// pg_maintenance.cpp (verify, stats, snapshot and compact) and pg_copy.cpp.

#include <memory>
#include <optional>

#include "app/event_log.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "store/pg_connection.h"

namespace ledger::app {

class PgBooks : public Books, public EventLog {
 public:
  explicit PgBooks(LedgerOptions options) : options_(std::move(options)) {}

  Result<WriteResult> execute(const Command& command) override;
  Result<ImportResult> import(ImportSource& rows, bool dry_run, size_t issues_max,
                              const std::function<void(size_t)>& progress) override;
  Result<std::vector<AccountView>> balances(const std::vector<std::string>& ids,
                                            const Cutoffs& cutoffs) override;
  Result<Statement> statement(const std::string& id, std::optional<int64_t> from_ns,
                              std::optional<int64_t> to_ns,
                              std::optional<int64_t> known_at_ns) override;
  Result<BalanceSeries> balance_series(const std::vector<std::string>& ids,
                                       const std::vector<int64_t>& ends_ns,
                                       std::optional<int64_t> known_at_ns) override;
  Result<std::vector<HistoryEntry>> history(const std::optional<std::string>& id,
                                            std::optional<int64_t> from_ns,
                                            std::optional<int64_t> to_ns) override;
  Status export_events(const Cutoffs& cutoffs, ExportSink& sink,
                       const std::function<void(uint64_t)>& progress) override;
  Result<SnapshotResult> snapshot() override;
  Result<CompactResult> compact(bool purge,
                                const std::function<void(uint64_t, uint64_t)>& progress) override;
  Result<VerifyResult> verify(
      const std::function<void(uint64_t done, uint64_t total)>& progress) override;
  Result<LedgerStats> stats() override;
  Result<std::optional<std::string>> recorded_time_zone() override;
  Result<uint64_t> event_count(std::optional<int64_t> known_at_ns) override;
  Result<uint64_t> visit_leaves(
      uint64_t first, uint64_t last,
      const std::function<Status(uint64_t seq, std::span<const unsigned char> leaf)>& visit)
      override;
  Result<uint64_t> tree_stored_size() override;
  Result<std::optional<std::array<unsigned char, 32>>> tree_node(unsigned height,
                                                                 uint64_t index) override;
  void use_time_zone(const std::string& zone) override { options_.timezone = zone; }

  // The events table as `copy` reads and writes it (pg_copy.cpp).
  Status read_events(const EventVisit& visit) override;
  Result<uint64_t> write_events(const EventFeed& feed, const std::string& zone,
                                const std::function<void(uint64_t)>& progress) override;

 private:
  Result<store::PgConnection*> connection();
  // A connection to a database that holds a ledger; kNotFound when it holds none.
  Result<store::PgConnection*> ledger_db();
  // The refusal of an unknown account, with "did you mean".
  Status unknown(store::PgConnection& db, const std::string& id, const Cutoffs& cutoffs);
  int64_t now_ns() const;

  LedgerOptions options_;
  std::optional<store::PgConnection> db_;
};

std::unique_ptr<Books> make_pg_books(const LedgerOptions& options);

}  // namespace ledger::app
