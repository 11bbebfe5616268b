#include "app/ref_sweep.h"

#include <algorithm>

namespace ledger::app {

RefSweep::RefSweep(const RefIndex& index, size_t found_max)
    : index_(&index), found_max_(found_max), keys_(std::make_unique<Keys>(kSortBytes)) {}

Status RefSweep::add(std::string_view ref) {
  const domain::LedgerState::RefId id = domain::LedgerState::ref_id(ref);
  return keys_->add({id.low, id.high});
}

Status RefSweep::sweep() {
  const std::unique_ptr<Keys> keys = std::move(keys_);
  LEDGER_RETURN_IF_ERROR(keys->finish());
  auto cursor = keys->cursor();
  if (!cursor) return cursor.status();
  store::RunSet::Sweep runs(index_->runs());
  std::optional<store::RunKey> last;
  for (;;) {
    auto key = cursor->next();
    if (!key) return key.status();
    if (!*key) break;
    if (last == **key) continue;
    last = **key;
    auto entry = runs.find(**key);
    if (!entry) return RefIndex::failed(entry.status());
    if (!*entry) continue;
    if (found_.size() == found_max_) {
      found_ = {};
      return Status::ok();
    }
    found_.push_back({**key, {(*entry)->value_a, (*entry)->value_b}});
  }
  swept_ = true;
  return Status::ok();
}

Result<std::optional<domain::RefEntry>> RefSweep::find(uint64_t low, uint64_t high) const {
  if (!swept_) return index_->find(low, high);
  const store::RunKey key{low, high};
  auto it = std::lower_bound(found_.begin(), found_.end(), key,
                             [](const Found& f, const store::RunKey& k) { return f.key < k; });
  if (it == found_.end() || !(it->key == key)) return std::optional<domain::RefEntry>();
  return std::optional<domain::RefEntry>(it->entry);
}

}  // namespace ledger::app
