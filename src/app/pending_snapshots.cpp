#include "app/pending_snapshots.h"

namespace ledger::app {

Status PendingSnapshots::add(PendingSnapshot snapshot) {
  const size_t size = snapshot.payload.size();
  if (held_bytes_ + size <= memory_bytes_) {
    places_.push_back({0, size, true, held_.size()});
    held_.push_back(std::move(snapshot.payload));
    held_bytes_ += size;
  } else {
    if (!scratch_) {
      auto file = util::ScratchFile::create();
      if (!file) return file.status();
      scratch_ = std::make_unique<util::ScratchFile>(std::move(*file));
    }
    const uint64_t offset = scratch_->size();
    LEDGER_RETURN_IF_ERROR(scratch_->append(snapshot.payload.data(), size));
    places_.push_back({offset, size, false, 0});
    ++spilled_;
  }
  metas_.push_back(snapshot.meta);
  return Status::ok();
}

Status PendingSnapshots::for_each(const std::function<Status(const PendingSnapshot&)>& f) const {
  PendingSnapshot snapshot;
  for (size_t i = 0; i < metas_.size(); ++i) {
    const Place& place = places_[i];
    snapshot.meta = metas_[i];
    if (place.in_memory) {
      snapshot.payload = held_[place.index];
    } else {
      snapshot.payload.resize(place.size);
      LEDGER_RETURN_IF_ERROR(scratch_->read(place.offset, snapshot.payload.data(), place.size));
    }
    LEDGER_RETURN_IF_ERROR(f(snapshot));
  }
  return Status::ok();
}

}  // namespace ledger::app
