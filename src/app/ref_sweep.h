#pragma once
// Which of an import's refs the ref index may hold, found before the import applies a row.
// Nearly every ref an import brings is new, and a lookup of a new ref reads a bloom filter of
// each run of the index: at ten million events that was most of an import's time. The import's
// refs are sorted first (in bounded memory) and then sweep each run in key order: each filter is
// read once, and each block that a filter cannot rule out is read once for all the refs it may
// hold. The import's lookups are then answered from memory.
//
// It answers for the refs it was given: the import gives it the ref of every row it read, and
// looks up no other.

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "app/ref_index.h"
#include "domain/ledger_state.h"
#include "store/run_set.h"
#include "util/external_sort.h"

namespace ledger::app {

class RefSweep : public domain::RefArchive {
 public:
  // Memory for sorting the refs; beyond it they wait in scratch files.
  static constexpr size_t kSortBytes = size_t{4} << 20;
  // Refs found in the index beyond which the sweep gives up (a file imported again: its refs are
  // all there) and every lookup goes to the index: 4 MiB of entries.
  static constexpr size_t kFoundMax = size_t{1} << 17;

  explicit RefSweep(const RefIndex& index, size_t found_max = kFoundMax);
  RefSweep(const RefSweep&) = delete;
  RefSweep& operator=(const RefSweep&) = delete;

  // Before sweep(): the ref of a row (a ref given twice is swept once).
  Status add(std::string_view ref);
  // Ends the adding and sweeps the index's runs.
  Status sweep();
  Result<std::optional<domain::RefEntry>> find(uint64_t low, uint64_t high) const override;

  // Whether lookups are answered from the sweep, and how many of the refs the index holds.
  bool swept() const { return swept_; }
  size_t found() const { return found_.size(); }

 private:
  using Keys = util::ExternalSort<store::RunKey>;

  const RefIndex* index_;
  size_t found_max_;
  std::unique_ptr<Keys> keys_;  // Until sweep().
  bool swept_ = false;
  struct Found {
    store::RunKey key;
    domain::RefEntry entry;
  };
  std::vector<Found> found_;  // By key.
};

}  // namespace ledger::app
