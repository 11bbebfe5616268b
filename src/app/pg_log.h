#pragma once
// Appending to a PostgreSQL ledger, inside the caller's transaction: the head row that every
// writer locks first, the writer that adds events with their postings and account rows, and the
// timeline that reads an account's postings after a backdated entry.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/event_view.h"
#include "app/pg_rows.h"
#include "domain/ledger_state.h"
#include "store/pg_connection.h"
#include "store/pg_event_chain.h"
#include "util/merkle.h"

namespace ledger::app {

// The ledger's one row of ledger_head: its zone and the last event's seq, recorded time and
// chained checksum.
struct Head {
  bool exists = false;  // False before the first write.
  std::string time_zone;
  uint64_t last_seq = 0;
  int64_t last_recorded_ns = INT64_MIN;
  uint64_t chain = 0;
  // The Merkle tree's stored part: the peaks of the tree of events 1..tree_size (all of them
  // once begin_write has caught up).
  uint64_t tree_size = 0;
  std::vector<util::merkle::Hash> tree_peaks;
};

// Begins a write's transaction on `tx`: on a database without a ledger the tables are made in
// it (so a refused first command leaves none), then the head row is locked until it ends, and
// writers take turns from there; waiting more than `lock_wait` for it is kLocked (exit 75). A
// first write's head records `zone`. Events that have no tree nodes yet (written before the
// schema kept them) are hashed, and their nodes stored, in the same transaction.
Result<Head> begin_write(store::PgConnection& db, Transaction& tx, const std::string& zone,
                         std::chrono::milliseconds lock_wait);
// ledger_head.tree_peaks: the peaks, largest first, 32 bytes each.
std::string tree_peaks_bytes(const std::vector<util::merkle::Hash>& peaks);

class PgEventWriter;
// The head after the events up to `seq`, recorded at `recorded_ns`, as `writer` appended them.
Status save_head(store::PgConnection& db, const Head& head, uint64_t seq, int64_t recorded_ns,
                 const PgEventWriter& writer);

// Events with their postings and the Merkle tree's new nodes, in batches sent with COPY; the
// rows of the accounts they touched, from the state they were applied to, at finish().
class PgEventWriter {
 public:
  // Continues the events, checksums and tree of `head`.
  PgEventWriter(store::PgConnection& db, const Head& head)
      : db_(db), chain_(head.chain), tree_(head.tree_peaks, head.tree_size) {}
  // The event numbered `seq`: encoded as a segment holds it, its checksum chained to the last
  // one's, applied to `state`, and its rows batched.
  Status append(domain::LedgerState& state, uint64_t seq, int64_t recorded_ns,
                int64_t effective_ns, const domain::Event& event);
  // The checksum of the last event appended (for the head row).
  uint64_t chain() const { return chain_; }
  const util::merkle::RangeHasher& tree() const { return tree_; }
  // Sends the batched events and postings (before anything reads them back).
  Status flush();
  // flush(), then the projection row of every account touched, as `state` holds it now.
  Status finish(const domain::LedgerState& state);
  size_t pending() const { return pending_; }

 private:
  // When an account's opening and closing were effective and recorded, for --at and
  // --known-at; unset: not in these events.
  struct Times {
    std::optional<std::pair<int64_t, int64_t>> opened, closed;
  };
  Status add(const store::EventRow& row, const domain::EventView& view, uint64_t checksum);

  store::PgConnection& db_;
  uint64_t chain_;
  util::merkle::RangeHasher tree_;
  std::string events_, postings_, nodes_;  // COPY text.
  std::vector<unsigned char> leaf_;
  size_t pending_ = 0;
  std::map<std::string, Times, std::less<>> touched_;
};

// The postings of one account after a backdated entry's position, from the projection; calls
// `before_read` first (an import flushes what it has batched, so that its own rows count).
class PgTimeline : public domain::Timeline {
 public:
  PgTimeline(store::PgConnection& db, std::function<Status()> before_read = {})
      : db_(db), before_read_(std::move(before_read)) {}
  Result<std::span<const domain::LaterPosting>> postings_after(std::string_view account,
                                                               int64_t after_ns) const override;

 private:
  store::PgConnection& db_;
  std::function<Status()> before_read_;
  mutable std::vector<domain::LaterPosting> later_;
};

}  // namespace ledger::app
