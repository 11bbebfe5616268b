// snapshot, compact, verify and stats on PostgreSQL.
#include <fmt/format.h>

#include <xxhash.h>

#include <climits>
#include <map>
#include <optional>
#include <utility>

#include "app/pg_books.h"
#include "app/pg_log.h"
#include "app/pg_rows.h"
#include "app/pg_schema.h"
#include "app/timeline_check.h"
#include "domain/event_codec.h"
#include "domain/event_view.h"
#include "domain/postings.h"
#include "store/pg_event_chain.h"
#include "store/segment_tree.h"
#include "store/tree_leaf.h"
#include "util/merkle.h"

namespace ledger::app {

using store::PgConnection;
using store::PgParam;
using store::PgResult;

namespace {

// Events read per round trip by verify.
constexpr int64_t kVerifyBatch = 10'000;

// What verify lists of each kind of problem before it only counts.
constexpr size_t kProblemsListed = 100;

void add_problem(VerifyResult& r, std::string check, uint64_t seq, std::string what) {
  ++r.problems_total;
  if (r.problems.size() >= kProblemsListed) return;
  VerifyProblem p;
  p.check = std::move(check);
  p.file = "events";
  p.seq_first = p.seq_last = seq;
  p.what = std::move(what);
  r.problems.push_back(std::move(p));
}

// The Merkle tree's kept nodes (schema version 2), held against a hash of the events as verify
// reads them: tree_nodes through a cursor in the order the hashing completes them (by last
// leaf, lower first), so that neither side is held in memory; then the head's peaks.
class TreeCheck {
 public:
  static Result<std::optional<TreeCheck>> open(PgConnection& db) {
    auto version = pg_schema_version(db);
    if (!version) return version.status();
    if (version->value_or(0) < 2) return std::optional<TreeCheck>();
    auto head = db.exec("SELECT tree_size, tree_peaks FROM ledger_head");
    if (!head) return head.status();
    TreeCheck check(db);
    if (head->rows() == 1) {
      check.stored_size_ = static_cast<uint64_t>(head->int64(0, 0));
      check.stored_peaks_ = head->bytes(0, 1);
    }
    LEDGER_RETURN_IF_ERROR(
        db.exec("DECLARE tree_nodes_in_order NO SCROLL CURSOR FOR SELECT height, idx, hash FROM "
                "tree_nodes ORDER BY (idx + 1) * (1::bigint << height), height")
            .status());
    return std::optional<TreeCheck>(std::move(check));
  }

  // The next event, in order.
  Status leaf(const store::EventRow& row, VerifyResult& r) {
    if (row.seq != hasher_.size() + 1 || row.seq > stored_size_) return Status::ok();
    store::encode_leaf(leaf_, row.seq, row.recorded_ns, row.effective_ns, row.type, row.version,
                       {reinterpret_cast<const unsigned char*>(row.payload.data()),
                        row.payload.size()});
    Status s = Status::ok();
    hasher_.push(util::merkle::leaf_hash(leaf_), [&](unsigned height, const util::merkle::Hash& h) {
      if (height < store::kTreeMinHeight || !s || wrong_) return;
      auto stored = next_stored();
      if (!stored) {
        s = stored.status();
      } else if (!*stored || std::get<0>(**stored) != height ||
                 std::get<1>(**stored) != (row.seq >> height) - 1 || std::get<2>(**stored) != h) {
        wrong(r, row.seq, fmt::format("tree_nodes lacks or differs at the subtree of events {} "
                                      "to {}",
                                      row.seq - (uint64_t{1} << height) + 1, row.seq));
      }
    });
    return s;
  }

  Status finish(VerifyResult& r) {
    if (wrong_) return Status::ok();
    auto extra = next_stored();
    if (!extra) return extra.status();
    if (*extra) {
      wrong(r, stored_size_, "tree_nodes holds nodes beyond the events it covers");
    } else if (hasher_.size() != stored_size_ ||
               tree_peaks_bytes(hasher_.peaks()) != stored_peaks_) {
      wrong(r, stored_size_, "ledger_head's tree_size and tree_peaks are not those of the events");
    }
    return db_.exec("CLOSE tree_nodes_in_order").status();
  }

 private:
  using Node = std::tuple<unsigned, uint64_t, util::merkle::Hash>;
  explicit TreeCheck(PgConnection& db) : db_(db) {}

  void wrong(VerifyResult& r, uint64_t seq, std::string what) {
    wrong_ = true;
    add_problem(r, "tree", seq,
                what + "; the tree's nodes are derived data and can be hashed again from the "
                       "events: no event is affected");
  }

  Result<std::optional<Node>> next_stored() {
    if (at_ == fetched_.size()) {
      auto rows = db_.exec("FETCH 10000 FROM tree_nodes_in_order");
      if (!rows) return rows.status();
      fetched_.clear();
      at_ = 0;
      for (int i = 0; i < rows->rows(); ++i) {
        const std::string bytes = rows->bytes(i, 2);
        util::merkle::Hash h{};
        std::copy_n(bytes.begin(), std::min<size_t>(bytes.size(), 32), h.begin());
        if (bytes.size() != 32) h[0] ^= 1;  // Never equal to a hash of the events.
        fetched_.emplace_back(static_cast<unsigned>(rows->int64(i, 0)),
                              static_cast<uint64_t>(rows->int64(i, 1)), h);
      }
      if (fetched_.empty()) return std::optional<Node>();
    }
    return std::optional<Node>(fetched_[at_++]);
  }

  PgConnection& db_;
  uint64_t stored_size_ = 0;
  std::string stored_peaks_;
  util::merkle::RangeHasher hasher_;
  std::vector<unsigned char> leaf_;
  std::vector<Node> fetched_;
  size_t at_ = 0;
  bool wrong_ = false;
};

// What the replay found of one account, to hold against the projections: its postings (how
// many, their sum, and a digest of every row that does not depend on their order), and the
// times of its opening and closing events.
struct Replayed {
  uint64_t postings = 0;
  int64_t sum = 0;
  uint64_t digest = 0;
  std::optional<std::pair<int64_t, int64_t>> opened, closed;  // Effective, recorded.
};
using ReplayedAccounts = std::map<std::string, Replayed, std::less<>>;

// One postings row as a number; added up (mod 2^64) over an account's rows.
uint64_t posting_digest(int64_t effective_ns, int64_t seq, int64_t amount, int64_t recorded_ns) {
  const int64_t row[4] = {effective_ns, seq, amount, recorded_ns};
  return XXH3_64bits(row, sizeof row);
}

std::optional<std::pair<int64_t, int64_t>> times_of(const PgResult& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return std::pair<int64_t, int64_t>{r.int64(row, column), r.int64(row, column + 1)};
}

// The accounts table against the replayed state, every column.
Status check_accounts(PgConnection& db, const domain::LedgerState& state,
                      const ReplayedAccounts& replayed_accounts, VerifyResult& r) {
  auto stored = load_accounts(db, nullptr);
  if (!stored) return stored.status();
  auto times = db.exec("SELECT id, opened_event_ns, opened_recorded_ns, closed_event_ns, "
                       "closed_recorded_ns FROM accounts ORDER BY id");
  if (!times) return times.status();
  std::map<std::string, const domain::Account*, std::less<>> replayed;
  for (const domain::Account& a : state.accounts()) replayed[a.id] = &a;
  for (size_t i = 0; i < stored->size(); ++i) {
    const domain::Account& a = (*stored)[i];
    auto it = replayed.find(a.id);
    if (it == replayed.end()) {
      add_problem(r, "projection", 0,
                  fmt::format("the accounts table holds {}, which no event opened", a.id));
      continue;
    }
    const domain::Account& b = *it->second;
    const auto found = replayed_accounts.find(a.id);
    const Replayed none;
    const Replayed& events = found == replayed_accounts.end() ? none : found->second;
    const int row = static_cast<int>(i);  // Both queries list the accounts by id.
    const bool times_agree = times->rows() == static_cast<int>(stored->size()) &&
                             times->text(row, 0) == a.id &&
                             times_of(*times, row, 1) == events.opened &&
                             times_of(*times, row, 3) == events.closed;
    if (a.balance != b.balance || a.closed != b.closed || a.overdraft_limit != b.overdraft_limit ||
        a.currency.code != b.currency.code || a.owner != b.owner ||
        a.opened_effective_ns != b.opened_effective_ns ||
        (a.closed && a.closed_effective_ns != b.closed_effective_ns) ||
        a.last_posting_ns != b.last_posting_ns || !times_agree) {
      add_problem(r, "projection", 0,
                  fmt::format("the accounts table disagrees with the log on {} (balance {} "
                              "against {} replayed{})",
                              a.id, a.balance, b.balance,
                              a.balance == b.balance ? ", or another column" : ""));
    }
    replayed.erase(it);
  }
  for (const auto& [id, a] : replayed) {
    add_problem(r, "projection", 0,
                fmt::format("account {} is in the log but not in the accounts table", id));
  }
  return Status::ok();
}

// The postings table against the replay, every row: read in the table's order, a batch at a
// time, and summed up per account.
Status check_postings(PgConnection& db, const ReplayedAccounts& replayed, VerifyResult& r) {
  ReplayedAccounts stored;
  std::string after_account;
  int64_t after_effective = INT64_MIN, after_seq = 0;
  for (;;) {
    auto rows = db.exec(
        "SELECT account, effective_ns, seq, amount, recorded_ns FROM postings "
        "WHERE (account, effective_ns, seq) > ($1, $2, $3) "
        "ORDER BY account, effective_ns, seq LIMIT $4",
        {PgParam::text(after_account), PgParam::number(after_effective),
         PgParam::number(after_seq), PgParam::number(kVerifyBatch)});
    if (!rows) return rows.status();
    for (int i = 0; i < rows->rows(); ++i) {
      Replayed& t = stored[std::string(rows->text(i, 0))];
      ++t.postings;
      t.sum += rows->int64(i, 3);
      t.digest += posting_digest(rows->int64(i, 1), rows->int64(i, 2), rows->int64(i, 3),
                                 rows->int64(i, 4));
    }
    if (rows->rows() < kVerifyBatch) break;
    const int last = rows->rows() - 1;
    after_account = rows->text(last, 0);
    after_effective = rows->int64(last, 1);
    after_seq = rows->int64(last, 2);
  }
  for (const auto& [account, want] : replayed) {
    if (want.postings == 0) continue;
    auto it = stored.find(account);
    if (it == stored.end()) {
      add_problem(r, "projection", 0,
                  fmt::format("the postings table holds none of {}'s {} postings", account,
                              want.postings));
      continue;
    }
    const Replayed& got = it->second;
    if (got.postings != want.postings || got.sum != want.sum) {
      add_problem(r, "projection", 0,
                  fmt::format("the postings table disagrees with the log on {}: {} postings "
                              "summing to {}, against {} summing to {} replayed",
                              account, got.postings, got.sum, want.postings, want.sum));
    } else if (got.digest != want.digest) {
      add_problem(r, "projection", 0,
                  fmt::format("the postings table disagrees with the log on {}: a posting's "
                              "time, sequence or amount differs",
                              account));
    }
    stored.erase(it);
  }
  for (const auto& [account, got] : stored) {
    add_problem(r, "projection", 0,
                fmt::format("the postings table holds {} postings of {}, which the log does "
                            "not",
                            got.postings, account));
  }
  return Status::ok();
}

// The rules, replayed as a directory's verify replays them (app/ledger_maintenance.cpp): the
// balance rules of a commit's events once the whole commit is in (an import's rows at one
// position count together, as they did when written), and those of a backdated event, which
// need the postings after it, at the end from TimelineCheck, so that memory holds no log. The
// events table has no commits: a commit is the run of events recorded at one time (an import's
// rows share theirs; a write's is later than the one before, or equal when the clock stood
// still, which checks two commits together, never more strictly than they were written).
class RuleReplay {
 public:
  RuleReplay() { state_.set_timeline(&deferred_timeline_); }

  const domain::LedgerState& state() const { return state_; }

  // The next event in sequence order: whether it kept the rules and was applied (a problem
  // goes to `r`, or to the timeline's questions).
  Result<bool> event(const domain::StoredEvent& stored, VerifyResult& r) {
    if (stored.recorded_ns != commit_recorded_ns_) LEDGER_RETURN_IF_ERROR(end_commit(r));
    commit_recorded_ns_ = stored.recorded_ns;
    if (Status s = state_.check(stored, /*defer_funds=*/true); !s) {
      if (auto at = deferred_timeline_.take()) {
        const domain::Account* a = state_.find(domain::view_of(stored.event).account);
        LEDGER_RETURN_IF_ERROR(
            timeline_.closing(index_of(*a), *at, a->last_posting_ns, origin(stored.seq, r)));
        return false;
      }
      add_problem(r, "replay", stored.seq, s.message());
      return false;
    }
    const domain::EventView view = domain::view_of(stored.event);
    for (const domain::Posting& p : domain::postings_of(view)) {
      auto [it, added] = deferred_.try_emplace(std::string(p.account),
                                               Deferred{stored.effective_ns, stored.seq});
      if (!added && stored.effective_ns < it->second.position) {
        it->second = {stored.effective_ns, stored.seq};
      }
    }
    state_.apply(stored);
    for (const domain::Posting& p : domain::postings_of(view)) {
      if (const domain::Account* a = state_.find(p.account)) {
        LEDGER_RETURN_IF_ERROR(
            timeline_.posting(index_of(*a), stored.seq, stored.effective_ns, p.amount));
      }
    }
    seq_last_ = stored.seq;
    return true;
  }

  // After the last event: the last commit, then the questions only the whole log answers.
  Status finish(VerifyResult& r) {
    LEDGER_RETURN_IF_ERROR(end_commit(r));
    auto found = timeline_.finish(state_.accounts());
    if (!found) return found.status();
    for (const TimelineFinding& f : found->listed) {
      add_problem(r, "replay", f.origin.event_seq, f.what);
    }
    r.problems_total += found->unlisted;
    return Status::ok();
  }

 private:
  struct Deferred {
    int64_t position = 0;  // The account's earliest position in the commit...
    uint64_t seq = 0;      // ... and the event there.
  };

  // Each account the commit moved, from its earliest position there on; one with postings after
  // that position is asked of the timeline.
  Status end_commit(VerifyResult& r) {
    for (const auto& [account, d] : deferred_) {
      const domain::Account* a = state_.find(account);
      if (a != nullptr && d.position < a->last_posting_ns) {
        LEDGER_RETURN_IF_ERROR(timeline_.funds(index_of(*a), seq_last_, d.position, a->balance,
                                               origin(d.seq, r)));
        continue;
      }
      if (Status s = domain::check_funds(state_, account, d.position); !s) {
        add_problem(r, "replay", d.seq, fmt::format("event {} breaks a rule: {}", d.seq, s.message()));
      }
    }
    deferred_.clear();
    return Status::ok();
  }
  uint32_t index_of(const domain::Account& a) const {
    return static_cast<uint32_t>(&a - state_.accounts().data());
  }
  static TimelineOrigin origin(uint64_t seq, const VerifyResult& r) {
    return {seq, 0, 0, r.problems_total, false};
  }

  domain::LedgerState state_{true};
  DeferredTimeline deferred_timeline_;
  TimelineCheck timeline_;
  std::map<std::string, Deferred, std::less<>> deferred_;
  int64_t commit_recorded_ns_ = INT64_MIN;
  uint64_t seq_last_ = 0;
};

}  // namespace

// The accounts table is a snapshot kept current by every write's own transaction: there is
// always one at the head already.
Result<SnapshotResult> PgBooks::snapshot() {
  auto db = ledger_db();
  if (!db) return db.status();
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  auto r = (*db)->exec("SELECT (SELECT last_seq FROM ledger_head), (SELECT count(*) FROM accounts)");
  if (!r) return r.status();
  if (r->is_null(0, 0)) {
    return Status(ErrorCode::kRefused, "the ledger is empty: there is nothing to snapshot");
  }
  SnapshotResult result;
  result.seq = static_cast<uint64_t>(r->int64(0, 0));
  result.accounts = static_cast<size_t>(r->int64(0, 1));
  result.already = true;
  return result;
}

Result<CompactResult> PgBooks::compact(bool, const std::function<void(uint64_t, uint64_t)>&) {
  return Status(ErrorCode::kUsage,
                "`compact` is for a data directory: on PostgreSQL the log is the events table, "
                "which the server stores and vacuums itself; back it up with PostgreSQL's own "
                "tools (pg_dump)");
}

Result<VerifyResult> PgBooks::verify(const std::function<void(uint64_t, uint64_t)>& progress) {
  auto db = ledger_db();
  if (!db) return db.status();
  PgConnection& conn = **db;
  Transaction tx(conn);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  VerifyResult r;
  r.checks = {"chain", "sequence", "time", "event", "replay", "head", "projection"};
  auto tree = TreeCheck::open(conn);
  if (!tree) return tree.status();
  if (*tree) r.checks.push_back("tree");
  auto total = conn.exec("SELECT count(*) FROM events");
  if (!total) return total.status();
  const uint64_t events_total = static_cast<uint64_t>(total->int64(0, 0));
  RuleReplay rules;
  ReplayedAccounts replayed;
  uint64_t expected_seq = 1, chain = 0;
  int64_t last_recorded = INT64_MIN;
  for (int64_t after = 0;;) {
    auto rows = conn.exec(
        "SELECT seq, recorded_ns, effective_ns, type, version, payload, checksum, ref, "
        "ref_digest FROM events "
        "WHERE seq > $1 ORDER BY seq LIMIT $2",
        {PgParam::number(after), PgParam::number(kVerifyBatch)});
    if (!rows) return rows.status();
    for (int i = 0; i < rows->rows(); ++i) {
      const uint64_t seq = static_cast<uint64_t>(rows->int64(i, 0));
      const std::string payload = rows->bytes(i, 5);
      const store::EventRow row{seq, rows->int64(i, 1), rows->int64(i, 2),
                                static_cast<uint16_t>(rows->int64(i, 3)),
                                static_cast<uint16_t>(rows->int64(i, 4)), payload};
      const uint64_t stored_checksum = static_cast<uint64_t>(rows->int64(i, 6));
      after = static_cast<int64_t>(seq);
      if (seq != expected_seq) {
        add_problem(r, "sequence", seq,
                    fmt::format("event {} follows event {}: {} missing", seq, expected_seq - 1,
                                seq > expected_seq ? "events are" : "the order is broken"));
        r.chain_intact = false;
      }
      expected_seq = seq + 1;
      if (store::chained_checksum(chain, row) != stored_checksum) {
        add_problem(r, "chain", seq,
                    fmt::format("event {} does not match its checksum: it was changed after it "
                                "was written, or an event before it was",
                                seq));
        r.chain_intact = false;
      }
      chain = stored_checksum;
      if (*tree) LEDGER_RETURN_IF_ERROR((*tree)->leaf(row, r));
      if (row.recorded_ns < last_recorded) {
        add_problem(r, "time", seq,
                    fmt::format("event {} is recorded before the event preceding it", seq));
      }
      last_recorded = std::max(last_recorded, row.recorded_ns);
      auto event = domain::decode_event(row.type, row.version,
                                        {reinterpret_cast<const unsigned char*>(payload.data()),
                                         payload.size()});
      if (!event) {
        add_problem(r, "event", seq,
                    fmt::format("event {} does not decode: {}", seq, event.status().message()));
        continue;
      }
      const domain::StoredEvent stored{seq, row.recorded_ns, row.effective_ns, std::move(*event)};
      const domain::EventView view = domain::view_of(stored.event);
      // The ref columns repeat what the payload holds, for the unique index and look-ups.
      const bool ref_agrees =
          view.ref.empty() ? rows->is_null(i, 7) && rows->is_null(i, 8)
                           : !rows->is_null(i, 7) && rows->text(i, 7) == view.ref &&
                                 !rows->is_null(i, 8) &&
                                 static_cast<uint64_t>(rows->int64(i, 8)) == view.ref_digest;
      if (!ref_agrees) {
        add_problem(r, "projection", seq,
                    fmt::format("event {}'s ref columns disagree with its payload", seq));
      }
      auto applied = rules.event(stored, r);
      if (!applied) return applied.status();
      if (!*applied) continue;
      for (const domain::Posting& p : domain::postings_of(view)) {
        Replayed& t = replayed[std::string(p.account)];
        ++t.postings;
        t.sum += p.amount;
        t.digest += posting_digest(row.effective_ns, static_cast<int64_t>(seq), p.amount,
                                   row.recorded_ns);
      }
      const std::pair<int64_t, int64_t> at{row.effective_ns, row.recorded_ns};
      if (view.type == domain::EventType::kAccountOpened) {
        replayed[std::string(view.account)].opened = at;
      } else if (view.type == domain::EventType::kAccountClosed) {
        replayed[std::string(view.account)].closed = at;
      }
      if (r.seq_first == 0) r.seq_first = seq;
      r.seq_last = seq;
      ++r.events;
    }
    if (progress) progress(static_cast<uint64_t>(after), events_total);
    if (rows->rows() < kVerifyBatch) break;
  }
  auto head = conn.exec("SELECT last_seq, chain, last_recorded_ns FROM ledger_head");
  if (!head) return head.status();
  if (head->rows() != 1 || static_cast<uint64_t>(head->int64(0, 0)) != expected_seq - 1 ||
      static_cast<uint64_t>(head->int64(0, 1)) != chain ||
      (expected_seq > 1 && head->int64(0, 2) != last_recorded)) {
    add_problem(r, "head", expected_seq - 1,
                "the ledger_head row does not name the last event, its checksum and its "
                "recorded time");
  }
  if (*tree) LEDGER_RETURN_IF_ERROR((*tree)->finish(r));
  LEDGER_RETURN_IF_ERROR(rules.finish(r));
  const domain::LedgerState& state = rules.state();
  LEDGER_RETURN_IF_ERROR(check_accounts(conn, state, replayed, r));
  LEDGER_RETURN_IF_ERROR(check_postings(conn, replayed, r));
  r.frames = r.events;
  r.accounts = state.accounts().size();
  return r;
}

Result<LedgerStats> PgBooks::stats() {
  auto db = ledger_db();
  if (!db) return db.status();
  Transaction tx(**db);
  LEDGER_RETURN_IF_ERROR(tx.begin(kReadSnapshot));
  auto r = (*db)->exec(
      "SELECT (SELECT time_zone FROM ledger_head), count(*), min(seq), max(seq), "
      "min(recorded_ns), max(recorded_ns), "
      "(SELECT count(*) FROM accounts WHERE closed_ns IS NULL), "
      "(SELECT count(*) FROM accounts WHERE closed_ns IS NOT NULL) FROM events");
  if (!r) return r.status();
  LedgerStats s;
  s.time_zone = r->is_null(0, 0) ? "" : std::string(r->text(0, 0));
  s.events = static_cast<uint64_t>(r->int64(0, 1));
  s.frames = s.events;  // One row an event: the events table has no frames.
  if (s.events > 0) {
    s.seq_first = static_cast<uint64_t>(r->int64(0, 2));
    s.seq_last = static_cast<uint64_t>(r->int64(0, 3));
    s.recorded_first_ns = r->int64(0, 4);
    s.recorded_last_ns = r->int64(0, 5);
  }
  s.accounts_open = static_cast<uint64_t>(r->int64(0, 6));
  s.accounts_closed = static_cast<uint64_t>(r->int64(0, 7));
  return s;
}

}  // namespace ledger::app
