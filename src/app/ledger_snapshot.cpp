// `ledger snapshot`: the state at the head of the log, written under the writer's lock so that
// the head cannot move while it is taken.
#include "app/state_loader.h"
#include "ledger/ledger.h"
#include "store/log_writer.h"

namespace ledger {

namespace {
Status nothing_to_snapshot() {
  return {ErrorCode::kRefused, "the ledger is empty: there is nothing to snapshot"};
}
}  // namespace

Result<SnapshotResult> Ledger::snapshot() {
  warnings_.clear();
  // Opening for writing would create the directory; a refusal leaves nothing behind.
  std::error_code ec;
  if (!std::filesystem::exists(options_.dir, ec)) return nothing_to_snapshot();
  store::LogOptions log_options;
  log_options.segment_size_bytes_max = options_.segment_size_bytes_max;
  log_options.lock_wait = options_.lock_wait;
  log_options.clock_ns = options_.clock_ns;
  store::RecoveryReport report;
  auto writer = store::LogWriter::open(options_.dir, log_options, report);
  if (!writer) return writer.status();
  if (!report.describe().empty()) warnings_.push_back(report.describe());
  auto loaded = app::load_state(options_.dir, {});
  if (!loaded) return loaded.status();
  for (std::string& w : loaded->warnings) warnings_.push_back(std::move(w));
  if (!loaded->last_frame) return nothing_to_snapshot();
  SnapshotResult result;
  result.seq = loaded->state.last_seq();
  result.accounts = loaded->state.sorted_accounts().size();
  if (loaded->snapshot_seq != result.seq) {
    auto snapshot =
        app::prepare_snapshot(loaded->state, *loaded->last_frame, loaded->effective_max_ns);
    if (!snapshot) return snapshot.status();
    LEDGER_RETURN_IF_ERROR(app::write_snapshot(options_.dir, *snapshot));
  } else {
    result.already = true;
  }
  result.size_bytes = std::filesystem::file_size(
      store::snapshot_path(options_.dir, result.seq), ec);
  auto thinned = app::thin_snapshots(options_.dir, options_.snapshot_every_events);
  if (!thinned) return thinned.status();
  result.thinned = *thinned;
  return result;
}

}  // namespace ledger
