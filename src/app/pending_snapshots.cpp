#include "app/pending_snapshots.h"

namespace ledger::app {

Status PendingSnapshots::add(PendingSnapshot snapshot) {
  const size_t size = snapshot.payload.size();
  if (held_bytes_ + size <= memory_bytes_) {
    held_bytes_ += size;
    entries_.push_back({std::move(snapshot), std::nullopt});
    return Status::ok();
  }
  if (!scratch_) {
    auto file = util::ScratchFile::create();
    if (!file) return file.status();
    scratch_ = std::make_unique<util::ScratchFile>(std::move(*file));
  }
  const Spilled spilled{scratch_->size(), size};
  LEDGER_RETURN_IF_ERROR(scratch_->append(snapshot.payload.data(), size));
  entries_.push_back({{snapshot.meta, {}}, spilled});
  ++spilled_;
  return Status::ok();
}

Status PendingSnapshots::for_each(const std::function<Status(const PendingSnapshot&)>& f) const {
  PendingSnapshot read_back;
  for (const Entry& entry : entries_) {
    if (!entry.spilled) {
      LEDGER_RETURN_IF_ERROR(f(entry.snapshot));
      continue;
    }
    read_back.meta = entry.snapshot.meta;
    read_back.payload.resize(entry.spilled->size);
    LEDGER_RETURN_IF_ERROR(
        scratch_->read(entry.spilled->offset, read_back.payload.data(), entry.spilled->size));
    LEDGER_RETURN_IF_ERROR(f(read_back));
  }
  return Status::ok();
}

}  // namespace ledger::app
