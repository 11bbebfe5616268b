#pragma once
// The Ledger service: the one entry point the command line uses. It opens a data directory,
// takes the writer lock for writes only, rebuilds state from the log, decides, commits, and
// answers queries with time travel. It knows accounts and the log; it prints nothing.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/commands.h"
#include "ledger/status.h"

namespace ledger {

namespace app {
enum class RefCheck;
}

struct LedgerOptions {
  std::filesystem::path dir;
  std::chrono::milliseconds lock_wait{5000};
  uint64_t segment_size_bytes_max = 8u << 20;
  std::function<int64_t()> clock_ns;  // Null: the real clock.
  // A write that leaves the newest snapshot this many events behind takes a new one; an import
  // takes one at every such step inside it. 0: never automatically.
  uint64_t snapshot_every_events = 25'000;
  // The time zone a first write records (a checked name, see Ledger::recorded_time_zone).
  std::string timezone = "UTC";
  // What an export holds of its events while sorting them into timeline order; the rest wait
  // in scratch files ($TMPDIR). Tests make it small, so that the scratch files are used.
  size_t export_memory_bytes = size_t{16} << 20;
};

// --dir, else $LEDGER_DIR, else $XDG_DATA_HOME/ledger, else ~/.local/share/ledger.
std::filesystem::path resolve_data_dir(const std::optional<std::string>& flag);
// A PostgreSQL connection URI (postgres:// or postgresql://) rather than a directory.
bool is_database_location(const std::filesystem::path& location);
// The location as messages may show it: a database URI without its password.
std::string shown_location(const std::filesystem::path& location);

// The two cutoffs of time travel (ledger(1), TIMES); absent means "no cutoff".
struct Cutoffs {
  std::optional<int64_t> effective_at_ns;  // --at: events effective at or before.
  std::optional<int64_t> known_at_ns;      // --known-at: frames recorded at or before.
};

struct AccountView {
  std::string id;
  std::string owner;
  std::string currency;
  int decimals = 2;
  int64_t balance = 0;
  int64_t overdraft_limit = 0;
  bool closed = false;
  int64_t opened_ns = 0;  // Effective time of the opening.
};

struct WriteResult {
  bool recorded = false;     // False: the ref was already recorded, nothing was written.
  uint64_t seq = 0;          // The event's sequence number (the earlier one when not recorded).
  std::string recovery;      // What opening the log had to cut, if anything.
  // The money the command moves as the ledger reads it: the currency's places and its code
  // ("5.00 USD" for a deposit of "0005"); empty for an opening or a closing.
  std::string amount;
};

struct StatementLine {
  uint64_t seq = 0;
  int64_t effective_ns = 0;
  int64_t recorded_ns = 0;
  std::string type;          // "deposit", "withdrawal", "transfer in", "transfer out", ...
  std::string counterparty;  // The other account of a transfer.
  int64_t amount = 0;        // Signed: what the movement did to the balance.
  int64_t balance = 0;       // Running balance after it.
  std::string memo;
  std::string ref;
};

struct Statement {
  AccountView account;
  std::optional<int64_t> from_ns;
  std::optional<int64_t> to_ns;
  int64_t opening_balance = 0;
  int64_t closing_balance = 0;
  std::vector<StatementLine> lines;
};

// Balances at the end of each period (balance --every), as of those ends, as known now or at
// a --known-at.
struct BalanceSeries {
  std::vector<int64_t> ends_ns;      // Ascending, as asked.
  std::vector<AccountView> accounts;  // As named, or all by id; as of the last end.
  // balances[a][k]: accounts[a]'s balance at ends_ns[k]; nothing where it was not yet opened.
  std::vector<std::vector<std::optional<int64_t>>> balances;
};

struct SnapshotResult {
  uint64_t seq = 0;             // The last event it covers.
  size_t accounts = 0;
  uint64_t size_bytes = 0;
  size_t thinned = 0;           // Older snapshots deleted by the retention rule.
  bool already = false;         // A snapshot at this very event existed: nothing was written.
};

struct CompactResult {
  uint64_t snapshot_seq = 0;    // The snapshot of the head that compaction kept (or took).
  bool purged = false;
  uint64_t segments = 0;        // Segments archived, or deleted with purge.
  uint64_t bytes_in = 0;        // Their size.
  uint64_t bytes_out = 0;       // The archive files written (0 with purge).
  uint64_t first_seq = 1;       // The first event the log still holds.
  size_t snapshots_removed = 0; // Snapshots of purged history.
};

struct HistoryEntry {
  uint64_t seq = 0;
  int64_t recorded_ns = 0;
  int64_t effective_ns = 0;
  std::string type;      // The event's name: AccountOpened, MoneyDeposited, ...
  std::string account;   // The account (the source, for a transfer).
  std::string to;        // The destination of a transfer.
  std::string amount;    // Decimal text with the currency's places; empty if none.
  std::string currency;
  std::string owner;
  std::string overdraft_limit;
  std::string memo;
  std::string ref;
};

// What an event does, as import names it in its `op` column.
enum class EntryOp { kOpen, kDeposit, kWithdraw, kTransfer, kClose };
// "open", "deposit", "withdraw", "transfer" or "close".
const char* op_name(EntryOp op);

// One event as `export` writes it, with the running balances it leaves.
struct ExportEvent {
  uint64_t seq = 0;
  int64_t recorded_ns = 0;
  int64_t effective_ns = 0;
  EntryOp op = EntryOp::kOpen;
  std::string account;    // The account (the source, for a transfer).
  std::string to;         // The destination of a transfer.
  int64_t amount = 0;     // Minor units, > 0; 0 for open and close.
  std::string currency;   // Of the account (of both, for a transfer).
  int decimals = 2;
  std::string owner;              // Open only.
  int64_t overdraft_limit = 0;    // Open only.
  std::string memo;
  std::string ref;                // Empty: the event has none.
  int64_t balance = 0;     // `account`'s balance right after, in export order.
  int64_t to_balance = 0;  // `to`'s balance right after (transfers).
  // Deposits less withdrawals of the currency so far, in export order: what the world outside
  // the ledger has put in (a journal's counter-account holds its negative). 128 bits: it sums
  // over accounts, each of which stays within 64.
  __int128 external_balance = 0;
};

// An account that an export opens, as a journal declares it.
struct ExportAccount {
  std::string id;
  std::string currency;
  int decimals = 2;
};

// What an export holds, known before its first event: what a journal's header needs.
struct ExportSummary {
  uint64_t events = 0;
  std::vector<ExportAccount> accounts;  // By id.
};

// Where an export's events go, one at a time, so that memory does not grow with the log. A
// failed Status from either call stops the export and is what export_events returns.
class ExportSink {
 public:
  virtual ~ExportSink() = default;
  // Once, before the first event, after every check that can be made before writing.
  virtual Status begin(const ExportSummary& summary) = 0;
  // Each event in export order; `event` is valid only during the call.
  virtual Status event(const ExportEvent& event) = 0;
};

// A tree head of the Merkle tree over the log (RFC 9162; ledger-format(5)): how many events it
// covers, from the first, and its root hash. `digest` prints it as one line anyone can keep,
// "ledger-digest-v1:SIZE:ROOT" (ROOT: 64 lowercase hex digits).
struct TreeHead {
  uint64_t size = 0;
  std::array<unsigned char, 32> root{};
  friend bool operator==(const TreeHead&, const TreeHead&) = default;
};
std::string digest_text(const TreeHead& head);
std::string root_hex(const TreeHead& head);
// Refuses (kInvalidArgument) anything but the form digest_text() writes (hex in either case).
Result<TreeHead> parse_digest(std::string_view text);

// `verify --digest`: whether today's log extends a tree head kept earlier.
struct DigestCheck {
  TreeHead kept;
  TreeHead now;                  // The whole log today.
  bool extends = false;          // The consistency proof from `kept` to `now` checked.
  size_t proof_hashes = 0;       // In that proof.
  std::string problem;           // Why it does not, when it does not.
};

// `check-proof`: an inclusion proof checked against a digest, with no access to the books.
struct ProofCheck {
  uint64_t seq = 0;
  TreeHead head;
  std::string event;  // What the proven leaf holds, in words.
};
// Refuses (kInvalidArgument, exit 65) a document that is not a proof; fails (kRefused, exit 1)
// a proof that does not prove its event in the tree of `digest`.
Result<ProofCheck> check_proof(std::string_view proof_json, const TreeHead& digest);

struct CopyResult {
  uint64_t events = 0;  // Copied, with their sequence numbers and times.
  size_t accounts = 0;  // Whose balances were found equal on both sides.
};

// One row of an import, already split into fields; `line` is where it starts in the file.
struct ImportRow {
  size_t line = 0;
  Command command;
};

// Where an import's rows come from, one at a time, so that memory does not grow with the file.
class ImportSource {
 public:
  virtual ~ImportSource() = default;
  // The next row that could be read; false at the end.
  virtual bool next(ImportRow& row) = 0;
  // Some row could not be read (it is reported elsewhere): nothing may be written.
  virtual bool failed() const = 0;
};

struct ImportIssue {
  size_t line = 0;
  std::string column;  // The field at fault, when one is.
  std::string message;
};

struct ImportResult {
  size_t rows = 0;
  size_t recorded = 0;          // New events written (or that would be, with dry_run).
  size_t already_recorded = 0;  // Rows whose ref was already in the ledger.
  std::vector<ImportIssue> issues;  // Non-empty: nothing was written.
  size_t issues_total = 0;          // Including those beyond the limit.
  std::string recovery;
};

// One problem `verify` found: what, where, and what it touches where that can be known.
struct VerifyProblem {
  std::string check;            // "frame", "chain", "sequence", "time", "segment", "index",
                                // "event", "replay", "snapshot", "refs", "purge".
  std::string file;             // The file at fault (its path in the data directory).
  std::optional<uint64_t> offset;
  uint64_t seq_first = 0;       // The sequence numbers touched; 0 when unknown.
  uint64_t seq_last = 0;
  std::optional<int64_t> effective_min_ns;
  std::optional<int64_t> effective_max_ns;
  std::vector<std::string> accounts;  // The accounts touched, where they can be read.
  bool accounts_unverified = false;   // Read from damaged records: a best guess.
  bool accounts_more = false;         // Only the first 20 are listed.
  std::string what;
};

struct VerifyResult {
  uint64_t events = 0;          // Events that passed every check of the log.
  uint64_t frames = 0;
  uint64_t segments = 0;
  uint64_t segment_bytes = 0;
  uint64_t seq_first = 0;
  uint64_t seq_last = 0;
  uint64_t indexes_checked = 0;  // Stored time indexes of sealed segments compared...
  uint64_t indexes_current = 0;  // ... and found to match a rebuild.
  uint64_t indexes_missing = 0;  // Sealed segments without one (built when needed).
  uint64_t indexes_skipped = 0;  // Not compared: their segment is damaged.
  uint64_t accounts = 0;         // Accounts in the replayed state.
  uint64_t archived_segments = 0;       // Of `segments`, those read from archive/*.zst.
  uint64_t purged_before = 0;           // The log begins here after a purge; 0: not purged.
  uint64_t snapshots = 0;               // Snapshot files found...
  uint64_t snapshots_compared = 0;      // ... and compared with the replay at their sequence.
  uint64_t ref_index_covered_through = 0;  // The ref index's reach (0: none stored).
  uint64_t account_indexes = 0;         // Account indexes (.acx) compared with a rebuild.
  bool chain_intact = true;      // No frame, chain, sequence or segment problem.
  std::vector<std::string> checks;   // The checks that ran, in order.
  std::vector<std::string> notes;    // Not failures: e.g. an unfinished write at the tail.
  std::vector<VerifyProblem> problems;  // At most a bound; problems_total counts them all.
  size_t problems_total = 0;
  bool ok() const { return problems_total == 0; }
};

struct LedgerStats {
  std::string time_zone;  // Empty: the log records none (empty, or written by format version 1).
  uint64_t events = 0;
  uint64_t frames = 0;
  uint64_t segments = 0;
  uint64_t segment_bytes = 0;
  uint64_t archive_segments = 0;
  uint64_t archive_bytes = 0;               // Compressed, as stored.
  uint64_t archive_bytes_uncompressed = 0;  // As their archive headers record.
  uint64_t snapshots = 0;
  uint64_t snapshot_bytes = 0;
  uint64_t snapshot_seq_oldest = 0;  // 0 when there is none.
  uint64_t snapshot_seq_newest = 0;
  uint64_t ref_index_runs = 0;
  uint64_t ref_index_entries = 0;
  uint64_t ref_index_covered_through = 0;
  uint64_t account_indexes = 0;  // .acx files, and their bytes.
  uint64_t account_index_bytes = 0;
  uint64_t purged_before = 0;  // The first sequence of a purged log; 0: nothing was purged.
  uint64_t accounts_open = 0;
  uint64_t accounts_closed = 0;
  uint64_t seq_first = 0;  // 0 when the ledger is empty.
  uint64_t seq_last = 0;
  std::optional<int64_t> recorded_first_ns;
  std::optional<int64_t> recorded_last_ns;
};

// The service over a store other than a data directory: PostgreSQL (app/pg_books.h), linked
// into `ledger-postgres` only (libpq and its own libraries would double the start of every
// command). Ledger hands each call to it; the methods are Ledger's, and mean the same.
class Books {
 public:
  virtual ~Books() = default;
  virtual Result<WriteResult> execute(const Command& command) = 0;
  virtual Result<ImportResult> import(ImportSource& rows, bool dry_run, size_t issues_max,
                                      const std::function<void(size_t)>& progress) = 0;
  virtual Result<std::vector<AccountView>> balances(const std::vector<std::string>& ids,
                                                    const Cutoffs& cutoffs) = 0;
  virtual Result<Statement> statement(const std::string& id, std::optional<int64_t> from_ns,
                                      std::optional<int64_t> to_ns,
                                      std::optional<int64_t> known_at_ns) = 0;
  virtual Result<BalanceSeries> balance_series(const std::vector<std::string>& ids,
                                               const std::vector<int64_t>& ends_ns,
                                               std::optional<int64_t> known_at_ns) = 0;
  virtual Result<std::vector<HistoryEntry>> history(const std::optional<std::string>& id,
                                                    std::optional<int64_t> from_ns,
                                                    std::optional<int64_t> to_ns) = 0;
  virtual Status export_events(const Cutoffs& cutoffs, ExportSink& sink,
                               const std::function<void(uint64_t)>& progress) = 0;
  virtual Result<SnapshotResult> snapshot() = 0;
  virtual Result<CompactResult> compact(bool purge,
                                        const std::function<void(uint64_t, uint64_t)>& progress) = 0;
  virtual Result<VerifyResult> verify(
      const std::function<void(uint64_t done, uint64_t total)>& progress) = 0;
  virtual Result<LedgerStats> stats() = 0;
  virtual Result<std::optional<std::string>> recorded_time_zone() = 0;
  // How many events the log holds (the last sequence number), for the tree's size; with
  // `known_at_ns`, how many were recorded at or before it.
  virtual Result<uint64_t> event_count(std::optional<int64_t> known_at_ns) = 0;
  // The leaves of the Merkle tree over the log (app/log_tree.h) of events first..last (fewer
  // where the log ends), in order; returns how many it visited.
  virtual Result<uint64_t> visit_leaves(
      uint64_t first, uint64_t last,
      const std::function<Status(uint64_t seq, std::span<const unsigned char> leaf)>& visit) = 0;
  // The tree's nodes this store keeps: how many leaves they cover (every complete subtree of
  // 16 or more leaves within events 1..that many is kept), and the root of the subtree of
  // 2^height leaves from leaf index << height (0-based), if kept.
  virtual Result<uint64_t> tree_stored_size() = 0;
  virtual Result<std::optional<std::array<unsigned char, 32>>> tree_node(unsigned height,
                                                                         uint64_t index) = 0;
  // The zone a first write records, once the caller has settled it (Ledger::use_time_zone).
  virtual void use_time_zone(const std::string& zone) = 0;
};

// What makes the Books of a database location; `ledger-postgres` sets it before it runs the
// command line. Unset (the `ledger` binary), a database location is for `ledger-postgres`.
using BooksFactory = std::unique_ptr<Books> (*)(const LedgerOptions& options);
void set_database_books(BooksFactory factory);
bool database_books_available();

class Ledger {
 public:
  explicit Ledger(LedgerOptions options);

  Result<WriteResult> execute(const Command& command);
  // All rows in one commit, or none: every row is checked against the state as it evolves;
  // with any issue (or a failed source), nothing is written. At most `issues_max` issues are
  // kept. `progress` is told how many rows are done, now and then.
  Result<ImportResult> import(ImportSource& rows, bool dry_run, size_t issues_max = 20,
                              const std::function<void(size_t)>& progress = {});

  // Balances of the named accounts (all accounts when none is named).
  Result<std::vector<AccountView>> balances(const std::vector<std::string>& ids,
                                            const Cutoffs& cutoffs) const;
  Result<Statement> statement(const std::string& id, std::optional<int64_t> from_ns,
                              std::optional<int64_t> to_ns,
                              std::optional<int64_t> known_at_ns) const;
  // Balances of the named accounts (all when none is named) at each of `ends_ns` (ascending,
  // at least one), from one replay of the log (app/balance_series.cpp), not one per end.
  Result<BalanceSeries> balance_series(const std::vector<std::string>& ids,
                                       const std::vector<int64_t>& ends_ns,
                                       std::optional<int64_t> known_at_ns) const;
  // The raw events in log order, optionally of one account and within recorded times.
  Result<std::vector<HistoryEntry>> history(const std::optional<std::string>& id,
                                            std::optional<int64_t> from_ns,
                                            std::optional<int64_t> to_ns) const;

  // Every event the cutoffs let through (as balances() sees them), in timeline order (by
  // effective time, openings first and closings last at one time, then sequence), with running
  // balances in that order, handed to `sink` one at a time; memory grows with accounts, not with
  // events (the sort spills to scratch files). The balances are checked against balances() for
  // the same cutoffs before sink.begin(): a disagreement reaches the sink not at all. Errors
  // after sink.begin() (the sink's own, a scratch file that fails, the running balances
  // disagreeing with the totals after the last event) come after what the sink has taken. A
  // purged log is refused: the export would lack the history before the purge. `progress` is
  // told how many events were read, now and then.
  Status export_events(const Cutoffs& cutoffs, ExportSink& sink,
                       const std::function<void(uint64_t)>& progress = {}) const;

  // Copies every event, with its sequence number and recorded and effective times, into
  // `destination` (a data directory or a database location that holds no ledger), all in one
  // commit, then checks that both answer the same: every account's balance, and every event as
  // export gives it. `progress` is told how many events were copied, now and then.
  Result<CopyResult> copy_to(const std::filesystem::path& destination,
                             const std::function<void(uint64_t)>& progress = {}) const;

  // Takes a snapshot of the whole state at the head of the log (under the writer's lock).
  Result<SnapshotResult> snapshot();
  // Snapshots the head, then moves every sealed segment wholly before that snapshot into the
  // archive (zstd), or with `purge` deletes it. `progress` is told segments done of the total.
  Result<CompactResult> compact(bool purge,
                                const std::function<void(uint64_t, uint64_t)>& progress = {});
  // Checks the whole data directory and reports every problem, going on past damage: the log
  // (every frame's checksum, the chain, sequence numbers, recorded times; archived segments
  // and a purge marker included), the time indexes, then the domain (every event decodes, and
  // a replay keeps every rule), every snapshot against the replay at its sequence, the ref
  // index against the refs of the log, and every account index against a rebuild. Takes no lock and
  // writes nothing. Fails only when the directory cannot be read at all; problems are in the
  // result. `progress` is told bytes done of the total, now and then.
  Result<VerifyResult> verify(
      const std::function<void(uint64_t done, uint64_t total)>& progress = {}) const;
  // Counts from segment headers and time indexes, snapshot headers, the archive headers, the
  // ref index and account index files; the accounts from the newest snapshot and the tail.
  Result<LedgerStats> stats() const;

  // The tree head of the first `size` events (all when none is given); refused (kRefused) when
  // the log holds fewer. Readers only read: the tree is hashed from the log.
  Result<TreeHead> digest(std::optional<uint64_t> size = std::nullopt) const;
  // How many events the tree over the log has now (its readable events).
  Result<uint64_t> tree_size() const;
  // The tree head of the events recorded at or before `known_at_ns` (all when none): the
  // digest a report with that --known-at ends with.
  Result<TreeHead> digest_known_at(std::optional<int64_t> known_at_ns) const;
  // Whether today's log extends `kept`: the consistency proof from it to today's tree head,
  // computed from the log and checked (util/merkle.h).
  Result<DigestCheck> check_digest(const TreeHead& kept) const;
  // The inclusion proof of event `seq` in the tree of `at` (a JSON document; ledger(1)).
  // Refused (kRefused) when the log no longer hashes to `at`, or does not hold `seq` in it.
  Result<std::string> prove(uint64_t seq, const TreeHead& at) const;

  int64_t now_ns() const;
  // The time zone the ledger recorded when it was created; nothing for a ledger that does not
  // exist yet, or one written before zones were recorded (its first write records
  // LedgerOptions::timezone).
  Result<std::optional<std::string>> recorded_time_zone() const;
  // The zone a first write records from now on (LedgerOptions::timezone), once the caller has
  // read recorded_time_zone(): the same Ledger, and so the same connection to a database, asks
  // and then writes.
  void use_time_zone(const std::string& zone);
  // What the last call had to say besides its result: snapshots it skipped, and why.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  Result<WriteResult> execute(const Command& command, app::RefCheck check);

  LedgerOptions options_;
  mutable std::vector<std::string> warnings_;
  std::shared_ptr<Books> books_;  // Set for a database location: every call goes there.
};

}  // namespace ledger
