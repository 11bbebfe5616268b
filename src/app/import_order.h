#pragma once
// An import's rows in timeline order (domain::timeline_key), stable by line, in bounded memory.
//
// Every row must be read before the first is applied (the last line may be the earliest), and a
// large file does not fit in memory: the rows, encoded, go through util::ExternalSort, which
// keeps them stable by line and writes the rows that arrive in order (most of a generated or
// exported file: everything but its backdated rows) to one run without sorting them.

#include <cstddef>
#include <optional>
#include <string>

#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "util/external_sort.h"

namespace ledger::app {

class ImportOrder {
 public:
  static constexpr size_t kMemoryBytes = size_t{12} << 20;
  // About `memory_bytes` of rows are held in memory; the rest wait in scratch files.
  explicit ImportOrder(size_t memory_bytes = kMemoryBytes) : sorted_(memory_bytes) {}
  // The cursor points into the sorter: an order stays where it was made.
  ImportOrder(const ImportOrder&) = delete;
  ImportOrder& operator=(const ImportOrder&) = delete;

  Status add(const ImportRow& row, const domain::TimelineKey& key);
  // Ends the adding: next_key() and take() read the rows in order from here on.
  Status finish();
  // After finish(): whether rows are left, the key of the next one, and that row (read into
  // `row`, whose strings keep their capacity: a caller that reuses rows allocates nothing).
  bool done() const { return !next_key_; }
  domain::TimelineKey next_key() const { return *next_key_; }
  Status take(ImportRow& row);

  size_t size() const { return sorted_.size(); }
  // Runs that went to scratch files (for tests and for the curious).
  size_t scratch_runs() const { return sorted_.scratch_runs(); }

 private:
  using Sorted = util::ExternalSort<domain::TimelineKey>;
  Status advance();

  Sorted sorted_;
  std::string body_;  // The row being added, encoded; kept for its capacity.
  std::optional<Sorted::Cursor> cursor_;
  std::optional<domain::TimelineKey> next_key_;
};

}  // namespace ledger::app
