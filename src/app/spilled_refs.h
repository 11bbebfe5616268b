#pragma once
// The refs of a large import, out of memory. An import of ten million rows records ten million
// refs, and each must be looked up by every later row; a table of them all is hundreds of MiB.
// Every so many refs, the import moves the state's table into a sorted run in a scratch file.
// One bloom filter over every spilled ref (10 bits for each ref the import may record, about
// 1% false positives) answers most lookups, since a new ref is the usual case, with a probe or
// two of memory; each run keeps the first key of each page of 128 refs, so that a ref the
// filter may hold costs one read of 4 KiB per run, newest first. Then the ref index below.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "domain/ledger_state.h"
#include "store/sorted_run.h"
#include "util/scratch_file.h"

namespace ledger::app {

class SpilledRefs : public domain::RefArchive {
 public:
  static constexpr size_t kPageEntries = 128;

  // `below`: where refs older than the state's are (the ref index); may be null.
  // `expected_refs`: how many refs may be spilled at most (it sizes the filter).
  SpilledRefs(const domain::RefArchive* below, uint64_t expected_refs)
      : below_(below), expected_refs_(expected_refs) {}

  // Moves every ref that `state` tracks into a new run; the state tracks none afterwards.
  Status spill(domain::LedgerState& state);
  Result<std::optional<domain::RefEntry>> find(uint64_t low, uint64_t high) const override;
  // Every spilled ref as (key, digest, seq), run by run: in key order within a run only.
  Status for_each(const std::function<Status(const store::RunEntry&)>& f) const;

  size_t runs() const { return runs_.size(); }
  uint64_t size() const { return size_; }

 private:
  struct Run {
    uint64_t offset = 0;  // Of its first entry in the scratch file.
    uint64_t count = 0;
    std::vector<store::RunKey> firsts;  // The first key of each page.
  };
  bool maybe_spilled(uint64_t low, uint64_t high) const;
  Result<std::optional<domain::RefEntry>> find_in(const Run& run, uint64_t low,
                                                  uint64_t high) const;

  const domain::RefArchive* below_;
  uint64_t expected_refs_;
  std::vector<uint64_t> bloom_;  // Made at the first spill.
  std::unique_ptr<util::ScratchFile> scratch_;
  std::vector<Run> runs_;
  uint64_t size_ = 0;
};

}  // namespace ledger::app
