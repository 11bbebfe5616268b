#pragma once
// Snapshots taken during a write (an import takes one every N events), which may be published
// only once the write commits. An import of ten million rows takes hundreds of them, each as
// large as the account table: past a few MiB their payloads wait in a scratch file, so memory
// does not grow with the import.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "app/state_loader.h"
#include "util/scratch_file.h"

namespace ledger::app {

class PendingSnapshots {
 public:
  static constexpr size_t kMemoryBytes = size_t{8} << 20;
  explicit PendingSnapshots(size_t memory_bytes = kMemoryBytes) : memory_bytes_(memory_bytes) {}

  Status add(PendingSnapshot snapshot);
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const store::SnapshotMeta& back_meta() const { return entries_.back().snapshot.meta; }
  // Each snapshot in the order added, payload and all, one at a time; stops at the first error
  // of `f` or of the scratch file.
  Status for_each(const std::function<Status(const PendingSnapshot&)>& f) const;

  // Payloads that went to the scratch file (for tests).
  size_t spilled() const { return spilled_; }

 private:
  struct Spilled {
    uint64_t offset;  // In the scratch file.
    size_t size;
  };
  struct Entry {
    PendingSnapshot snapshot;  // Its payload is empty when spilled.
    std::optional<Spilled> spilled;
  };

  size_t memory_bytes_;
  size_t held_bytes_ = 0;
  std::vector<Entry> entries_;
  std::unique_ptr<util::ScratchFile> scratch_;
  size_t spilled_ = 0;
};

}  // namespace ledger::app
