#include "app/ref_index.h"

#include <fmt/format.h>

#include <algorithm>

#include "app/spilled_refs.h"
#include "util/external_sort.h"

namespace ledger::app {

namespace fs = std::filesystem;

Result<RefIndex> RefIndex::open(const fs::path& dir) {
  auto runs = store::RunSet::open(dir / kRefIndexDirName);
  if (!runs) return runs.status();
  return RefIndex(std::move(*runs));
}

Result<RefIndex> RefIndex::open_for_writing(const fs::path& dir, uint64_t last_seq,
                                            RefCheck check, std::string& rebuilt) {
  auto index = open(dir);
  if (index && check == RefCheck::kVerify) {
    if (Status s = index->verify(); !s) index = s;
  }
  if (index && index->covered_through() <= last_seq && check != RefCheck::kRebuild) return index;
  if (!index) {
    rebuilt = fmt::format("the ref index is unusable ({}): rebuilt from the log",
                          index.status().message());
  } else if (check == RefCheck::kRebuild) {
    rebuilt = "the ref index was damaged: rebuilt from the log";
  } else {
    rebuilt = fmt::format("the ref index reaches event {}, past the log's end ({}): rebuilt",
                          index->covered_through(), last_seq);
  }
  LEDGER_RETURN_IF_ERROR(
      store::RunSet::remove_all(store::real_syscalls(), dir / kRefIndexDirName));
  return open(dir);
}

Status RefIndex::failed(const Status& read) {
  // Damage is the index's, not the log's: a write rebuilds it and tries again.
  const ErrorCode code =
      read.code() == ErrorCode::kCorruption ? ErrorCode::kIndexDamaged : read.code();
  return Status(code, fmt::format("{}{}", kRefIndexErrorPrefix, read.message()));
}

Result<std::optional<domain::RefEntry>> RefIndex::find(uint64_t low, uint64_t high) const {
  auto entry = runs_.lookup({low, high});
  if (!entry) return failed(entry.status());
  if (!*entry) return std::optional<domain::RefEntry>();
  return std::optional<domain::RefEntry>(domain::RefEntry{(*entry)->value_a, (*entry)->value_b});
}

namespace {

// By key, then by event: of a ref recorded twice, the later event comes last.
struct ByKeyThenSeq {
  bool operator()(const store::RunEntry& a, const store::RunEntry& b) const {
    if (!(a.key() == b.key())) return a.key() < b.key();
    return a.value_b < b.value_b;
  }
};

}  // namespace

Status RefIndex::add_from(const domain::LedgerState& state, uint64_t seq_last,
                          const SpilledRefs* spilled) {
  const uint64_t after = covered_through();
  if (seq_last <= after) return Status::ok();
  // The refs of an import of millions of rows do not fit beside the state that holds them: they
  // are sorted through scratch files.
  util::ExternalSort<store::RunEntry, ByKeyThenSeq> sorted;
  auto take = [&](const store::RunEntry& e) {
    return e.value_b > after && e.value_b <= seq_last ? sorted.add(e) : Status::ok();
  };
  if (spilled != nullptr) LEDGER_RETURN_IF_ERROR(spilled->for_each(take));
  Status added;
  state.for_each_ref([&](uint64_t low, uint64_t high, const domain::RefEntry& entry) {
    if (added) added = take({low, high, entry.digest, entry.seq});
  });
  LEDGER_RETURN_IF_ERROR(added);
  LEDGER_RETURN_IF_ERROR(sorted.finish());
  auto cursor = sorted.cursor();
  if (!cursor) return cursor.status();
  // A run holds each key once: the later event's entry.
  auto next = cursor->next();
  return runs_.add_streamed(
      [&]() -> Result<std::optional<store::RunEntry>> {
        for (;;) {
          if (!next) return next.status();
          const std::optional<store::RunEntry> current = *next;
          if (!current) return current;
          next = cursor->next();
          if (next && *next && (*next)->key() == current->key()) continue;
          return current;
        }
      },
      after + 1, seq_last);
}

}  // namespace ledger::app
