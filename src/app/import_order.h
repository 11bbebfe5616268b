#pragma once
// An import's rows in timeline order (domain::timeline_key), stable by line, in bounded memory.
//
// Every row must be read before the first is applied (the last line may be the earliest), and a
// large file does not fit in memory. Rows that arrive in order (most of a generated or exported
// file: everything but its backdated rows) are one sorted run, written to a scratch file as they
// come; the others are sorted in memory and written as a run whenever they fill their share.
// Reading merges the runs. A file wholly in order is one sequential write and read; a small
// import never leaves memory.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "util/scratch_file.h"

namespace ledger::app {

class ImportOrder {
 public:
  static constexpr size_t kMemoryBytes = size_t{24} << 20;
  // About `memory_bytes` of rows are held in memory; the rest wait in scratch files.
  explicit ImportOrder(size_t memory_bytes = kMemoryBytes);
  ImportOrder(const ImportOrder&) = delete;
  ImportOrder& operator=(const ImportOrder&) = delete;
  ~ImportOrder();

  Status add(const ImportRow& row, const domain::TimelineKey& key);
  // Ends the adding: next() reads the rows in order from here on.
  Status finish();
  // After finish(): whether rows are left, the key of the next one, and that row (read into
  // `row`, whose strings keep their capacity: a caller that reuses rows allocates nothing).
  bool done() const { return heads_.empty(); }
  domain::TimelineKey next_key() const;
  Status take(ImportRow& row);

  size_t size() const { return added_; }
  // Runs that went to scratch files (for tests and for the curious).
  size_t scratch_runs() const { return scratch_runs_; }

 private:
  struct Place {
    int64_t position;
    uint64_t rank_arrival;  // Rank, then arrival: ties keep line order.
    friend auto operator<=>(const Place&, const Place&) = default;
  };
  struct Run;
  struct Later {
    bool operator()(const Run* a, const Run* b) const;
  };

  Status flush_in_order();
  Status spill_out_of_order();
  std::string sorted_out_of_order();
  Status start_reading(Run& run);

  size_t memory_bytes_;
  size_t added_ = 0;
  size_t scratch_runs_ = 0;
  std::optional<Place> last_in_order_;
  std::string in_order_;                   // Records not yet written to scratch.
  std::optional<util::ScratchFile> in_order_file_;
  std::string out_of_order_;               // Records in arrival order.
  std::vector<std::pair<Place, uint32_t>> out_of_order_index_;  // Offsets into it.
  std::optional<util::ScratchFile> out_of_order_file_;
  std::vector<std::pair<uint64_t, uint64_t>> spilled_;  // Sorted runs there: [begin, end).
  std::vector<std::unique_ptr<Run>> runs_;
  std::priority_queue<Run*, std::vector<Run*>, Later> heads_;
};

}  // namespace ledger::app
