#include "app/spilled_refs.h"

#include <algorithm>

namespace ledger::app {

namespace {

constexpr uint64_t kBloomBitsPerRef = 10;
constexpr int kBloomProbes = 7;

// A ref's key is already the XXH3-128 digest of its text: its two halves serve as the two
// hashes of the filter's double hashing. Stops at the first probe for which `f` says false.
template <class F>
bool all_probes(uint64_t low, uint64_t high, uint64_t bits, F f) {
  const uint64_t step = high | 1;
  uint64_t h = low;
  for (int i = 0; i < kBloomProbes; ++i, h += step) {
    if (!f(h % bits)) return false;
  }
  return true;
}

}  // namespace

Status SpilledRefs::spill(domain::LedgerState& state) {
  std::vector<store::RunEntry> entries;
  entries.reserve(state.tracked_refs());
  state.for_each_ref([&](uint64_t low, uint64_t high, const domain::RefEntry& entry) {
    entries.push_back({low, high, entry.digest, entry.seq});
  });
  if (entries.empty()) return Status::ok();
  std::sort(entries.begin(), entries.end(),
            [](const store::RunEntry& a, const store::RunEntry& b) { return a.key() < b.key(); });
  if (!scratch_) {
    auto file = util::ScratchFile::create();
    if (!file) return file.status();
    scratch_ = std::make_unique<util::ScratchFile>(std::move(*file));
  }
  if (bloom_.empty()) {
    const uint64_t refs = std::max<uint64_t>(expected_refs_, entries.size());
    bloom_.assign(std::max<uint64_t>(1, (refs * kBloomBitsPerRef + 63) / 64), 0);
  }
  const uint64_t bits = bloom_.size() * 64;
  Run run;
  run.offset = scratch_->size();
  run.count = entries.size();
  for (size_t i = 0; i < entries.size(); ++i) {
    const store::RunEntry& e = entries[i];
    all_probes(e.key_low, e.key_high, bits, [&](uint64_t bit) {
      bloom_[bit / 64] |= uint64_t{1} << (bit % 64);
      return true;
    });
    if (i % kPageEntries == 0) run.firsts.push_back(e.key());
  }
  LEDGER_RETURN_IF_ERROR(
      scratch_->append(entries.data(), entries.size() * sizeof(store::RunEntry)));
  size_ += run.count;
  runs_.push_back(std::move(run));
  state.clear_refs();
  return Status::ok();
}

bool SpilledRefs::maybe_spilled(uint64_t low, uint64_t high) const {
  if (bloom_.empty()) return false;
  // Most lookups end at the first probe whose bit is clear.
  return all_probes(low, high, bloom_.size() * 64,
                    [&](uint64_t bit) { return (bloom_[bit / 64] >> (bit % 64) & 1) != 0; });
}

Result<std::optional<domain::RefEntry>> SpilledRefs::find_in(const Run& run, uint64_t low,
                                                             uint64_t high) const {
  const store::RunKey key{low, high};
  // The last page whose first key is at or before `key`.
  auto after = std::upper_bound(run.firsts.begin(), run.firsts.end(), key);
  if (after == run.firsts.begin()) return std::optional<domain::RefEntry>();
  const uint64_t page = static_cast<uint64_t>(after - run.firsts.begin()) - 1;
  const uint64_t first = page * kPageEntries;
  const size_t n = static_cast<size_t>(std::min<uint64_t>(kPageEntries, run.count - first));
  store::RunEntry entries[kPageEntries];
  const size_t bytes = n * sizeof(store::RunEntry);
  LEDGER_RETURN_IF_ERROR(scratch_->read(run.offset + first * sizeof(store::RunEntry), entries, bytes));
  const store::RunEntry* begin = entries;
  const store::RunEntry* end = entries + n;
  const store::RunEntry* it = std::lower_bound(
      begin, end, key, [](const store::RunEntry& e, const store::RunKey& k) { return e.key() < k; });
  if (it == end || !(it->key() == key)) return std::optional<domain::RefEntry>();
  return std::optional<domain::RefEntry>(domain::RefEntry{it->value_a, it->value_b});
}

Result<std::optional<domain::RefEntry>> SpilledRefs::find(uint64_t low, uint64_t high) const {
  if (maybe_spilled(low, high)) {
    for (auto run = runs_.rbegin(); run != runs_.rend(); ++run) {
      auto found = find_in(*run, low, high);
      if (!found || *found) return found;
    }
  }
  if (below_ == nullptr) return std::optional<domain::RefEntry>();
  return below_->find(low, high);
}

Status SpilledRefs::for_each(const std::function<Status(const store::RunEntry&)>& f) const {
  std::vector<store::RunEntry> page(kPageEntries * 64);  // 256 KiB at a time.
  for (const Run& run : runs_) {
    for (uint64_t done = 0; done < run.count;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(page.size(), run.count - done));
      const size_t bytes = n * sizeof(store::RunEntry);
      LEDGER_RETURN_IF_ERROR(
          scratch_->read(run.offset + done * sizeof(store::RunEntry), page.data(), bytes));
      for (size_t i = 0; i < n; ++i) LEDGER_RETURN_IF_ERROR(f(page[i]));
      done += n;
    }
  }
  return Status::ok();
}

}  // namespace ledger::app
