#include "app/pg_log.h"

#include <fmt/format.h>

#include "app/pg_schema.h"
#include "domain/event_codec.h"
#include "domain/postings.h"
#include "store/segment_tree.h"
#include "store/tree_leaf.h"

namespace ledger::app {

using store::PgConnection;
using store::PgParam;

namespace {

// A value of COPY's text format: backslash, tab, newline and carriage return escaped.
void put_text(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

// A bytea in COPY's text format: bytea's hex input (\x...) with its backslash escaped.
void put_bytes(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\\\x";
  for (const unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
}

template <class... T>
void put_row(std::string& out, const T&... fields) {
  bool first = true;
  auto put = [&](const auto& field) {
    if (!first) out += '\t';
    first = false;
    using F = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<F, std::optional<std::string_view>>) {
      if (field) {
        put_text(out, *field);
      } else {
        out += "\\N";
      }
    } else {
      fmt::format_to(std::back_inserter(out), "{}", field);
    }
  };
  (put(fields), ...);
  out += '\n';
}

// A node of the Merkle tree as a row of tree_nodes: COPY text.
void put_node(std::string& out, unsigned height, uint64_t index, const util::merkle::Hash& hash) {
  fmt::format_to(std::back_inserter(out), "{}\t{}\t", height, index);
  put_bytes(out, {reinterpret_cast<const char*>(hash.data()), hash.size()});
  out += '\n';
}

// Pushes the leaf of event `seq` (the tree's next) into `tree`, adding the nodes it completes
// that tree_nodes keeps to `nodes`.
void push_leaf(util::merkle::RangeHasher& tree, std::string& nodes, uint64_t seq,
               std::span<const unsigned char> leaf) {
  tree.push(util::merkle::leaf_hash(leaf), [&](unsigned height, const util::merkle::Hash& h) {
    if (height >= store::kTreeMinHeight) put_node(nodes, height, (seq >> height) - 1, h);
  });
}

// Hashes the events that have no tree nodes yet (those written before schema version 2),
// storing their nodes, in the caller's transaction.
Status catch_up_tree(PgConnection& db, Head& head) {
  if (head.tree_size >= head.last_seq) return Status::ok();
  util::merkle::RangeHasher tree(head.tree_peaks, head.tree_size);
  std::string nodes;
  constexpr const char* kCopyNodes = "COPY tree_nodes (height, idx, hash) FROM STDIN";
  auto add = [&](uint64_t seq, std::span<const unsigned char> leaf) -> Status {
    push_leaf(tree, nodes, seq, leaf);
    if (nodes.size() < (8 << 20)) return Status::ok();
    Status sent = db.copy_in(kCopyNodes, nodes);
    nodes.clear();
    return sent;
  };
  auto read = for_each_pg_leaf(db, head.tree_size + 1, head.last_seq, add);
  if (!read) return read.status();
  if (tree.size() != head.last_seq) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("the events table ends at event {}, not at the head's {}",
                              tree.size(), head.last_seq));
  }
  if (!nodes.empty()) LEDGER_RETURN_IF_ERROR(db.copy_in(kCopyNodes, nodes));
  head.tree_size = tree.size();
  head.tree_peaks = tree.peaks();
  return Status::ok();
}

}  // namespace

std::string tree_peaks_bytes(const std::vector<util::merkle::Hash>& peaks) {
  std::string out;
  for (const auto& h : peaks) out.append(reinterpret_cast<const char*>(h.data()), h.size());
  return out;
}

Result<Head> begin_write(PgConnection& db, Transaction& tx, const std::string& zone,
                         std::chrono::milliseconds lock_wait) {
  LEDGER_RETURN_IF_ERROR(tx.begin());
  // Another writer holds the head for as long as its command takes: wait as a data
  // directory's writer waits for its lock, then give up (exit 75).
  LEDGER_RETURN_IF_ERROR(
      db.exec(fmt::format("SET LOCAL lock_timeout = '{}ms'", lock_wait.count())).status());
  auto version = pg_schema_version(db);
  if (!version) return version.status();
  if (*version != kPgSchemaVersion) LEDGER_RETURN_IF_ERROR(pg_migrate(db));
  auto r = db.exec("SELECT time_zone, last_seq, last_recorded_ns, chain, tree_size, tree_peaks "
                   "FROM ledger_head FOR UPDATE");
  if (!r) return r.status();
  Head head;
  if (r->rows() == 0) {
    head.time_zone = zone;
    return head;
  }
  head = {true, std::string(r->text(0, 0)), static_cast<uint64_t>(r->int64(0, 1)),
          r->int64(0, 2), static_cast<uint64_t>(r->int64(0, 3)),
          static_cast<uint64_t>(r->int64(0, 4)), {}};
  const std::string peaks = r->bytes(0, 5);
  if (peaks.size() % 32 != 0 || peaks.size() / 32 != static_cast<size_t>(std::popcount(head.tree_size)) ||
      head.tree_size > head.last_seq) {
    return Status(ErrorCode::kCorruption,
                  "ledger_head's tree_peaks are not the peaks of a tree of tree_size events");
  }
  for (size_t at = 0; at < peaks.size(); at += 32) {
    util::merkle::Hash h;
    std::copy(peaks.begin() + at, peaks.begin() + at + 32, h.begin());
    head.tree_peaks.push_back(h);
  }
  LEDGER_RETURN_IF_ERROR(catch_up_tree(db, head));
  return head;
}

Status save_head(PgConnection& db, const Head& head, uint64_t seq, int64_t recorded_ns,
                 const PgEventWriter& writer) {
  if (writer.tree().size() != seq) {
    return Status(ErrorCode::kInternal, "the tree's nodes do not cover the events written");
  }
  const std::vector<PgParam> params = {
      PgParam::text(head.time_zone), PgParam::number(static_cast<int64_t>(seq)),
      PgParam::number(recorded_ns), PgParam::number(static_cast<int64_t>(writer.chain())),
      PgParam::number(static_cast<int64_t>(seq)), PgParam::bytes(tree_peaks_bytes(writer.tree().peaks()))};
  return db
      .exec(head.exists ? "UPDATE ledger_head SET time_zone = $1, last_seq = $2, "
                          "last_recorded_ns = $3, chain = $4, tree_size = $5, tree_peaks = $6"
                        : "INSERT INTO ledger_head (time_zone, last_seq, last_recorded_ns, chain, "
                          "tree_size, tree_peaks) VALUES ($1, $2, $3, $4, $5, $6)",
            params)
      .status();
}

Status PgEventWriter::append(domain::LedgerState& state, uint64_t seq, int64_t recorded_ns,
                             int64_t effective_ns, const domain::Event& event) {
  const domain::EncodedEvent encoded = domain::encode_event(event);
  domain::EventView view;
  LEDGER_RETURN_IF_ERROR(domain::decode_event_view(
      encoded.type, encoded.version,
      {reinterpret_cast<const unsigned char*>(encoded.payload.data()), encoded.payload.size()},
      view));
  const store::EventRow row{seq, recorded_ns, effective_ns, encoded.type, encoded.version,
                            encoded.payload};
  chain_ = store::chained_checksum(chain_, row);
  if (seq != tree_.size() + 1) {
    return Status(ErrorCode::kInternal,
                  fmt::format("event {} appended after {} events", seq, tree_.size()));
  }
  store::encode_leaf(leaf_, row.seq, row.recorded_ns, row.effective_ns, row.type, row.version,
                     {reinterpret_cast<const unsigned char*>(encoded.payload.data()),
                      encoded.payload.size()});
  push_leaf(tree_, nodes_, seq, leaf_);
  state.apply(row.seq, row.recorded_ns, row.effective_ns, view);
  return add(row, view, chain_);
}

Status PgEventWriter::add(const store::EventRow& row, const domain::EventView& view,
                          uint64_t checksum) {
  const std::optional<std::string_view> ref =
      view.ref.empty() ? std::nullopt : std::optional<std::string_view>(view.ref);
  events_ += fmt::format("{}\t{}\t{}\t{}\t{}\t", row.seq, row.recorded_ns, row.effective_ns,
                         row.type, row.version);
  put_bytes(events_, row.payload);
  events_ += '\t';
  if (ref) {
    put_text(events_, *ref);
    events_ += fmt::format("\t{}", static_cast<int64_t>(view.ref_digest));
  } else {
    events_ += "\\N\t\\N";
  }
  events_ += fmt::format("\t{}\n", static_cast<int64_t>(checksum));
  for (const domain::Posting& p : domain::postings_of(view)) {
    put_row(postings_, std::optional<std::string_view>(p.account), row.effective_ns, row.seq,
            p.amount, row.recorded_ns);
    touched_.try_emplace(std::string(p.account));
  }
  const std::pair<int64_t, int64_t> at{row.effective_ns, row.recorded_ns};
  if (view.type == domain::EventType::kAccountOpened) {
    touched_[std::string(view.account)].opened = at;
  } else if (view.type == domain::EventType::kAccountClosed) {
    touched_[std::string(view.account)].closed = at;
  }
  ++pending_;
  return Status::ok();
}

Status PgEventWriter::flush() {
  if (pending_ == 0) return Status::ok();
  LEDGER_RETURN_IF_ERROR(db_.copy_in("COPY events (seq, recorded_ns, effective_ns, type, version, "
                                     "payload, ref, ref_digest, checksum) FROM STDIN",
                                     events_));
  if (!postings_.empty()) {
    LEDGER_RETURN_IF_ERROR(db_.copy_in(
        "COPY postings (account, effective_ns, seq, amount, recorded_ns) FROM STDIN", postings_));
  }
  if (!nodes_.empty()) {
    LEDGER_RETURN_IF_ERROR(db_.copy_in("COPY tree_nodes (height, idx, hash) FROM STDIN", nodes_));
  }
  events_.clear();
  postings_.clear();
  nodes_.clear();
  pending_ = 0;
  return Status::ok();
}

namespace {

constexpr const char* kAccountUpsert =
    "ON CONFLICT (id) DO UPDATE SET closed_ns = EXCLUDED.closed_ns, "
    "closed_event_ns = COALESCE(EXCLUDED.closed_event_ns, accounts.closed_event_ns), "
    "closed_recorded_ns = COALESCE(EXCLUDED.closed_recorded_ns, accounts.closed_recorded_ns), "
    "balance = EXCLUDED.balance, last_posting_ns = EXCLUDED.last_posting_ns";
constexpr const char* kAccountColumnsWritten =
    "id, owner, currency, overdraft_limit, opened_ns, opened_event_ns, opened_recorded_ns, "
    "closed_ns, closed_event_ns, closed_recorded_ns, balance, last_posting_ns";
// Past this many accounts a write's rows go through COPY into a temporary table and one
// upsert, rather than one statement each.
constexpr size_t kAccountsOneByOne = 32;

std::optional<std::string> number_or_null(bool present, int64_t value) {
  return present ? std::optional<std::string>(std::to_string(value)) : std::nullopt;
}

}  // namespace

Status PgEventWriter::finish(const domain::LedgerState& state) {
  // An account's row: its opening inserts it; later events keep its opening's columns.
  std::vector<std::vector<std::optional<std::string>>> rows;
  for (const auto& [id, times] : touched_) {
    const domain::Account* a = state.find(id);
    if (a == nullptr) continue;
    const auto opened = times.opened.value_or(std::pair<int64_t, int64_t>{0, 0});
    rows.push_back({a->id, a->owner, a->currency.code, std::to_string(a->overdraft_limit),
                    std::to_string(a->opened_effective_ns), std::to_string(opened.first),
                    std::to_string(opened.second),
                    number_or_null(a->closed, a->closed_effective_ns),
                    number_or_null(times.closed.has_value(), times.closed ? times.closed->first : 0),
                    number_or_null(times.closed.has_value(), times.closed ? times.closed->second : 0),
                    std::to_string(a->balance), std::to_string(a->last_posting_ns)});
  }
  touched_.clear();
  if (rows.size() <= kAccountsOneByOne) {
    for (const auto& row : rows) {
      std::vector<PgParam> params;
      for (const auto& value : row) params.push_back(value ? PgParam::text(*value) : PgParam::null());
      LEDGER_RETURN_IF_ERROR(
          db_.exec(fmt::format("INSERT INTO accounts ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
                               "$9, $10, $11, $12) {}",
                               kAccountColumnsWritten, kAccountUpsert),
                   params)
              .status());
    }
    return flush();
  }
  std::string data;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) data += '\t';
      if (row[i]) {
        put_text(data, *row[i]);
      } else {
        data += "\\N";
      }
    }
    data += '\n';
  }
  LEDGER_RETURN_IF_ERROR(db_.exec("CREATE TEMPORARY TABLE account_rows (LIKE accounts) ON COMMIT "
                                  "DROP")
                             .status());
  LEDGER_RETURN_IF_ERROR(
      db_.copy_in(fmt::format("COPY account_rows ({}) FROM STDIN", kAccountColumnsWritten), data));
  LEDGER_RETURN_IF_ERROR(
      db_.exec(fmt::format("INSERT INTO accounts ({0}) SELECT {0} FROM account_rows {1}",
                           kAccountColumnsWritten, kAccountUpsert))
          .status());
  LEDGER_RETURN_IF_ERROR(db_.exec("DROP TABLE account_rows").status());
  return flush();
}

Result<std::span<const domain::LaterPosting>> PgTimeline::postings_after(std::string_view account,
                                                                         int64_t after_ns) const {
  if (before_read_) LEDGER_RETURN_IF_ERROR(before_read_());
  auto r = db_.exec(
      "SELECT effective_ns, seq, amount FROM postings WHERE account = $1 AND effective_ns > $2 "
      "ORDER BY effective_ns, seq",
      {PgParam::text(std::string(account)), PgParam::number(after_ns)});
  if (!r) return r.status();
  later_.clear();
  for (int i = 0; i < r->rows(); ++i) {
    later_.push_back({r->int64(i, 0), static_cast<uint64_t>(r->int64(i, 1)), r->int64(i, 2)});
  }
  return std::span<const domain::LaterPosting>(later_);
}

}  // namespace ledger::app
