// The write side of the Ledger service: lock, recover, rebuild, decide, commit.
#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_set>

#include "app/account_index.h"
#include "app/log_timeline.h"
#include "app/import_check.h"
#include "app/import_order.h"
#include "app/pending_snapshots.h"
#include "app/query_support.h"
#include "app/ref_index.h"
#include "app/ref_sweep.h"
#include "app/spilled_refs.h"
#include "app/state_loader.h"
#include "store/archive.h"
#include "store/snapshot_file.h"
#include "domain/event_codec.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "ledger/money.h"
#include "store/log_writer.h"
#include "store/time_index.h"
#include "util/time.h"

namespace ledger {

namespace {

// Events per frame of an import: large enough to amortize frame headers (64 bytes and a checksum
// call per frame), small enough that a statement, which reads a whole frame for each line it
// prints, reads about 6 KB per line (256 events made it 23 KB, 1,000 about 70).
constexpr size_t kImportFrameEvents = 64;
// An import's refs beyond this many move out of memory into scratch runs (app/spilled_refs.h):
// 128K refs fill a table of 256K slots of 32 bytes (8 MiB) to half: with the import's order
// (12 MiB) and the ref index's sort (8 MiB), an import stays within 64 MiB.
constexpr size_t kImportRefsInMemory = size_t{1} << 17;
// An import leaves its events where a query reads them through indexes, as a database's bulk
// load ends with its indexes built: a newest segment holding at least 1/kImportSealShare of a
// full one is sealed (and gets its account and effective-time indexes), and the head gets a
// snapshot once the newest is kImportSnapshotEvents behind. Otherwise a statement would scan the
// newest segment (up to 8 MiB) and a balance every event since the last snapshot (up to 25,000).
// The import has loaded every account already: the snapshot costs about what that load did.
constexpr uint64_t kImportSealShare = 8;
constexpr uint64_t kImportSnapshotEvents = 1024;

struct OpenLog {
  std::unique_ptr<store::LogWriter> writer;
  std::unique_ptr<app::RefIndex> refs;  // Refs up to its reach; later ones are in the state.
  std::unique_ptr<app::LogTimeline> timeline;  // The log behind the state, for backdating.
  app::LoadedState loaded;               // With refs tracked: this state decides.
  std::string recovery;
  domain::LedgerState& state() { return loaded.state; }
};

// `only`: a state of these accounts alone, enough to decide a command that names no others;
// empty: every account. `only_refs` (with `only`): the refs it tracks, the command's own; none:
// every ref.
Result<OpenLog> open_for_writing(const LedgerOptions& options,
                                 app::RefCheck check = app::RefCheck::kTrust,
                                 std::vector<std::string> only = {},
                                 std::optional<std::vector<std::string>> only_refs = std::nullopt) {
  store::LogOptions log_options;
  log_options.segment_size_bytes_max = options.segment_size_bytes_max;
  log_options.lock_wait = options.lock_wait;
  log_options.clock_ns = options.clock_ns;
  log_options.zone = options.timezone;
  store::RecoveryReport report;
  auto writer = store::LogWriter::open(options.dir, log_options, report);
  if (!writer) return writer.status();
  std::string rebuilt;
  auto refs = app::RefIndex::open_for_writing(options.dir, (*writer)->last_seq(), check,
                                              rebuilt);
  if (!refs) return refs.status();
  // The newest snapshot and the events after it; refs newer than the index's reach in memory.
  app::LoadOptions load{{}, true, true, refs->covered_through(), std::move(only), false,
                        std::move(only_refs)};
  load.segments = &(*writer)->segments();
  auto loaded = app::load_state(options.dir, load);
  if (!loaded) return loaded.status();
  auto purged = app::purge_base(options.dir, (*writer)->segments());
  if (!purged) return purged.status();
  std::optional<int64_t> purged_effective_max;
  if (*purged) purged_effective_max = (*purged)->snapshot.meta.effective_max_ns;
  auto timeline = std::make_unique<app::LogTimeline>((*writer)->segments(), (*writer)->last_seq(),
                                                     purged_effective_max);
  OpenLog log{std::move(*writer), std::make_unique<app::RefIndex>(std::move(*refs)),
              std::move(timeline), std::move(*loaded), report.describe()};
  if (!rebuilt.empty()) log.loaded.warnings.push_back(rebuilt);
  log.state().set_ref_archive(log.refs.get());
  log.state().set_timeline(log.timeline.get());
  if (log.state().last_seq() != log.writer->last_seq()) {
    return Status(ErrorCode::kInternal, "the log's reader and writer disagree on its end");
  }
  return log;
}

// The state of every account in place of one of a few: for a snapshot, or for the "did you
// mean" of a refusal. The ref index and timeline stay as they were.
Status load_every_account(const LedgerOptions& options, OpenLog& log) {
  if (log.state().held().empty()) return Status::ok();
  app::LoadOptions load{{}, true, true, log.refs->covered_through()};
  load.segments = &log.writer->segments();
  auto loaded = app::load_state(options.dir, load);
  if (!loaded) return loaded.status();
  log.loaded = std::move(*loaded);
  log.state().set_ref_archive(log.refs.get());
  log.state().set_timeline(log.timeline.get());
  return Status::ok();
}

Status add_event(store::LogWriter& writer, const domain::PendingEvent& pending) {
  const domain::EncodedEvent encoded = domain::encode_event(pending.event);
  return writer.add({encoded.type, encoded.version, pending.effective_ns,
                     {reinterpret_cast<const unsigned char*>(encoded.payload.data()),
                      encoded.payload.size()}});
}


// Snapshots and the ref index are derived data: failing to write them loses nothing, so it is a
// warning. The ref index is brought up to the head first, so that every snapshot is within its
// reach.
void write_snapshots(const LedgerOptions& options, OpenLog& log,
                     const app::PendingSnapshots& pending, const app::SpilledRefs* spilled,
                     std::vector<std::string>& warnings) {
  if (pending.empty()) return;
  if (Status s = log.refs->add_from(log.state(), log.state().last_seq(), spilled); !s) {
    warnings.push_back(fmt::format("ref index not updated: {}", s.message()));
  }
  Status written = pending.for_each([&](const app::PendingSnapshot& snapshot) {
    app::PendingSnapshot reaching = snapshot;
    reaching.meta.refs_through = log.refs->covered_through();
    return app::write_snapshot(options.dir, reaching);
  });
  if (!written) {
    warnings.push_back(fmt::format("snapshot not written: {}", written.message()));
    return;
  }
  if (auto thinned = app::thin_snapshots(options.dir, options.snapshot_every_events); !thinned) {
    warnings.push_back(fmt::format("old snapshots not thinned: {}", thinned.status().message()));
  }
}

// After a commit: a snapshot of the head if the newest one is far enough behind. `spilled`: the
// refs an import moved out of the state.
void snapshot_if_due(const LedgerOptions& options, OpenLog& log, app::PendingSnapshots pending,
                     std::vector<std::string>& warnings,
                     const app::SpilledRefs* spilled = nullptr, bool bulk = false) {
  const uint64_t every = bulk ? std::min(options.snapshot_every_events, kImportSnapshotEvents)
                              : options.snapshot_every_events;
  // Due when the newest snapshot, or the ref index, is `every` events behind the head.
  // (Pending snapshots bring the ref index up to the head anyway.) The newest snapshot is the
  // one the state was loaded from: the loader has read the folder already, and a damaged newer
  // one it skipped is then replaced at once.
  const uint64_t newest = pending.empty()
                              ? std::min(log.refs->covered_through(), log.loaded.snapshot_seq)
                              : pending.back_meta().seq_last;
  const auto& frame = log.writer->last_frame();
  if (every > 0 && frame && log.state().last_seq() - newest >= every) {
    // A write decided on the accounts it names; a snapshot holds them all.
    if (Status s = load_every_account(options, log); !s) {
      warnings.push_back(fmt::format("snapshot not written: {}", s.message()));
    } else if (auto snapshot =
                   app::prepare_snapshot(log.state(), *frame, log.loaded.effective_max_ns)) {
      if (Status s = pending.add(std::move(*snapshot)); !s) {
        warnings.push_back(fmt::format("snapshot not written: {}", s.message()));
      }
    }
  }
  write_snapshots(options, log, pending, spilled, warnings);
}

Status take_pending_snapshot(store::LogWriter& writer, OpenLog& log,
                             app::PendingSnapshots& snapshots) {
  LEDGER_RETURN_IF_ERROR(writer.flush_frame());
  auto snapshot =
      app::prepare_snapshot(log.state(), *writer.last_frame(), log.loaded.effective_max_ns);
  if (!snapshot) return snapshot.status();
  return snapshots.add(std::move(*snapshot));
}

// Segments sealed by the commit get their account indexes now, so that the first statement or
// `--at` after an import does not pay for them. Derived data: a failure costs only a warning.
// The writer's own segment list serves: it already holds what the commit sealed.
void index_sealed_segments(const store::LogWriter& writer, std::vector<std::string>& warnings) {
  store::Syscalls& sys = store::real_syscalls();
  const std::vector<store::SegmentFile>& segments = writer.segments();
  if (segments.size() < 2) return;
  for (size_t i = segments.size() - 1; i-- > 0;) {
    const auto& segment = segments[i];
    std::error_code ec;
    if (segment.archived || std::filesystem::exists(app::account_index_path(segment), ec)) return;
    if (auto index = app::SegmentAccountIndex::open(sys, segments, i, app::IndexUse::kBuild); !index) {
      warnings.push_back(fmt::format("account index of {} not built: {}",
                                     segment.path.filename().string(), index.status().message()));
      return;
    }
  }
}

void apply_recorded(OpenLog& log, uint64_t seq, int64_t recorded_ns,
                    const domain::PendingEvent& pending) {
  log.state().apply({seq, recorded_ns, pending.effective_ns, pending.event});
  log.loaded.effective_max_ns = std::max(log.loaded.effective_max_ns, pending.effective_ns);
}

}  // namespace

int64_t Ledger::now_ns() const { return options_.clock_ns ? options_.clock_ns() : util::now_ns(); }

Result<WriteResult> Ledger::execute(const Command& command) {
  if (books_) return books_->execute(command);
  auto result = execute(command, app::RefCheck::kTrust);
  // The ref index is derived data: damage found by a lookup costs a rebuild, not the write.
  if (!result && result.status().code() == ErrorCode::kIndexDamaged) {
    result = execute(command, app::RefCheck::kRebuild);
  }
  return result;
}

Result<WriteResult> Ledger::execute(const Command& command, app::RefCheck check) {
  warnings_.clear();
  // On a ledger that does not exist yet, a refused command leaves no trace: the directory is
  // made by the first write, not by the first attempt. (Were it created meanwhile, the command
  // is decided again below, under the lock.)
  std::error_code ec;
  if (!std::filesystem::exists(options_.dir, ec) && !ec) {
    auto decision = domain::decide(domain::LedgerState(), command, now_ns());
    if (!decision) return decision.status();
  }
  // The command is decided on the accounts and the ref it names, read alone.
  std::vector<std::string> named;
  for (std::string_view id : domain::accounts_named(command)) named.emplace_back(id);
  std::vector<std::string> ref;
  std::visit([&ref](const auto& c) { if (!c.ref.empty()) ref.push_back(c.ref); }, command);
  auto log = open_for_writing(options_, check, std::move(named), std::move(ref));
  if (!log) return log.status();
  warnings_ = std::move(log->loaded.warnings);
  store::LogWriter& writer = *log->writer;
  LEDGER_RETURN_IF_ERROR(writer.begin(writer.last_seq()));
  auto decision = domain::decide(log->state(), command, writer.commit_recorded_ns());
  if (!decision && decision.status().code() == ErrorCode::kRefused &&
      !log->state().held().empty()) {
    // A refusal may suggest another id ("did you mean"): decided again with every account.
    if (Status s = load_every_account(options_, *log); !s) {
      (void)writer.abandon();
      return s;
    }
    decision = domain::decide(log->state(), command, writer.commit_recorded_ns());
  }
  if (!decision || !decision->event) {
    (void)writer.abandon();
    if (!decision) return decision.status();
    return WriteResult{false, decision->recorded_seq, log->recovery,
                       app::amount_moved(log->state(), command)};
  }
  if (Status s = add_event(writer, *decision->event); !s) {
    (void)writer.abandon();
    return s;
  }
  auto info = writer.commit();
  if (!info) return info.status();
  std::string amount = app::amount_moved(log->state(), command);
  apply_recorded(*log, info->seq_first, info->recorded_ns, *decision->event);
  snapshot_if_due(options_, *log, app::PendingSnapshots(), warnings_);
  index_sealed_segments(*log->writer, warnings_);
  return WriteResult{true, info->seq_first, log->recovery, std::move(amount)};
}

Result<ImportResult> Ledger::import(ImportSource& rows, bool dry_run, size_t issues_max,
                                    const std::function<void(size_t)>& progress) {
  if (books_) return books_->import(rows, dry_run, issues_max, progress);
  // A dry run on a ledger that does not exist yet checks against the empty ledger and creates
  // nothing: the directory is made on the first write.
  warnings_.clear();
  std::error_code ec;
  const bool absent = dry_run && !std::filesystem::exists(options_.dir, ec);
  app::LoadedState empty;
  empty.state = domain::LedgerState(true);
  Result<OpenLog> log = absent ? Result<OpenLog>(OpenLog{nullptr, nullptr, nullptr, std::move(empty), ""})
                               : open_for_writing(options_, app::RefCheck::kVerify);
  if (!log) return log.status();
  warnings_ = std::move(log->loaded.warnings);
  store::LogWriter* writer = log->writer.get();
  if (writer != nullptr) LEDGER_RETURN_IF_ERROR(writer->begin(writer->last_seq()));
  const int64_t now = writer != nullptr ? writer->commit_recorded_ns() : now_ns();
  ImportResult result;
  result.recovery = log->recovery;
  uint64_t seq = log->state().last_seq();
  // Snapshots inside a large import serve time travel into it; they are written only once the
  // import is durable.
  app::PendingSnapshots snapshots;
  uint64_t snapshot_seq = writer != nullptr ? log->loaded.snapshot_seq : 0;
  const uint64_t every = options_.snapshot_every_events;
  bool snapshot_due = false;
  // Rows are written as they pass, so memory stays bounded; the first bad row stops writing
  // (the commit is abandoned at the end) but checking goes on to report every bad row.
  bool writing = !dry_run;
  // Rows are checked and applied in timeline order, stable by line, so that the order of the
  // file (a bank's newest-first export, an export sorted by date) never changes the outcome.
  // Freed before the commit, whose snapshots and ref index need the memory.
  auto ordered = std::make_unique<app::ImportOrder>();
  auto abandon = [writer](const Status& s) {
    if (writer != nullptr) (void)writer->abandon();
    return s;
  };
  // The refs the ledger's ref index may already hold are found for all rows at once.
  std::optional<app::RefSweep> ref_sweep;
  if (log->refs != nullptr && !log->refs->runs().runs().empty()) ref_sweep.emplace(*log->refs);
  size_t with_ref = 0;
  for (ImportRow row; rows.next(row);) {
    const std::string& ref = std::visit([](const auto& c) -> const std::string& { return c.ref; },
                                        row.command);
    if (!ref.empty()) {
      ++with_ref;
      if (ref_sweep) {
        if (Status s = ref_sweep->add(ref); !s) return abandon(s);
      }
    }
    if (Status s = ordered->add(row, domain::timeline_key(row.command, now)); !s) return abandon(s);
  }
  if (Status s = ordered->finish(); !s) return abandon(s);
  if (ref_sweep) {
    if (Status s = ref_sweep->sweep(); !s) return abandon(s);
  }
  // Their refs may all be new: the table of refs grows once, not by doubling as they come, up to
  // the size at which they move to scratch runs.
  log->state().reserve_refs(std::min(with_ref, kImportRefsInMemory));
  const domain::RefArchive* below =
      ref_sweep ? static_cast<const domain::RefArchive*>(&*ref_sweep) : log->refs.get();
  app::SpilledRefs spilled(below, log->state().tracked_refs() + ordered->size());
  log->state().set_ref_archive(&spilled);
  // Applies a checked row to the state and, while no row has failed, writes it.
  auto record_row = [&](const domain::PendingEvent& event) -> Status {
    // A snapshot falls due at a frame's end but is taken when the next row comes: the last
    // frame of the import must stay open to carry the commit's end.
    // The first bad row stops the writing; checking goes on.
    if (result.issues_total > 0) writing = false;
    if (snapshot_due && writing) {
      if (Status s = take_pending_snapshot(*writer, *log, snapshots); !s) {
        (void)writer->abandon();
        return s;
      }
      snapshot_seq = seq;
      snapshot_due = false;
    }
    apply_recorded(*log, ++seq, now, event);
    ++result.recorded;
    if (log->state().tracked_refs() >= kImportRefsInMemory) {
      if (Status s = spilled.spill(log->state()); !s) return abandon(s);
    }
    if (!writing) return Status::ok();
    if (Status s = add_event(*writer, event); !s) {
      (void)writer->abandon();
      return s;
    }
    if (result.recorded % kImportFrameEvents != 0) return Status::ok();
    writer->end_frame();
    snapshot_due = every > 0 && seq - snapshot_seq >= every;
    return Status::ok();
  };
  app::ImportCheck check{log->state(), now, issues_max, progress, record_row};
  if (Status s = app::check_import_rows(*ordered, check, result); !s) return abandon(s);
  if (result.issues_total > 0) writing = false;
  ordered.reset();
  if (writer == nullptr) return result;
  if (!writing || rows.failed() || result.recorded == 0) {
    LEDGER_RETURN_IF_ERROR(writer->abandon());
    return result;
  }
  auto info = writer->commit();
  if (!info) return info.status();
  // Sealing is a roll, as a full segment's: its failure leaves the log as committed and the
  // writer refusing more, so it costs a warning, not the import.
  if (writer->newest_segment_bytes() >= options_.segment_size_bytes_max / kImportSealShare) {
    if (Status s = writer->seal_newest(); !s) {
      warnings_.push_back(fmt::format("newest segment not sealed: {}", s.message()));
    }
  }
  snapshot_if_due(options_, *log, std::move(snapshots), warnings_, &spilled, /*bulk=*/true);
  index_sealed_segments(*writer, warnings_);
  return result;
}

namespace {

Status nothing_to_snapshot() {
  return {ErrorCode::kRefused, "the ledger is empty: there is nothing to snapshot"};
}

// A snapshot of the head (the ref index brought there first), unless one is there already.
Result<SnapshotResult> snapshot_head(const LedgerOptions& options, OpenLog& log) {
  if (!log.loaded.last_frame) return nothing_to_snapshot();
  SnapshotResult result;
  result.seq = log.state().last_seq();
  result.accounts = log.state().accounts().size();
  result.already = app::newest_snapshot_seq(options.dir) == result.seq &&
                   log.refs->covered_through() == result.seq;
  if (!result.already) {
    auto snapshot =
        app::prepare_snapshot(log.state(), *log.loaded.last_frame, log.loaded.effective_max_ns);
    if (!snapshot) return snapshot.status();
    LEDGER_RETURN_IF_ERROR(log.refs->add_from(log.state(), result.seq));
    snapshot->meta.refs_through = log.refs->covered_through();
    LEDGER_RETURN_IF_ERROR(app::write_snapshot(options.dir, *snapshot));
  }
  std::error_code ec;
  result.size_bytes = std::filesystem::file_size(store::snapshot_path(options.dir, result.seq), ec);
  return result;
}

// Opening for writing would create the directory; a refusal leaves nothing behind.
Result<OpenLog> open_existing(const LedgerOptions& options, std::vector<std::string>& warnings) {
  std::error_code ec;
  if (!std::filesystem::exists(options.dir, ec)) return nothing_to_snapshot();
  auto log = open_for_writing(options);
  if (!log) return log.status();
  warnings = std::move(log->loaded.warnings);
  if (!log->recovery.empty()) warnings.push_back(log->recovery);
  return log;
}

}  // namespace

// Queries never write: the indexes they found missing or damaged (and answered from the log
// without) are built here, by an explicit command, or by the next write that needs them.
static void rebuild_indexes(const store::LogWriter& writer, std::vector<std::string>& warnings) {
  store::Syscalls& sys = store::real_syscalls();
  const std::vector<store::SegmentFile>& segments = writer.segments();
  if (segments.size() < 2) return;
  std::vector<store::SegmentFile> sealed(segments.begin(), segments.end() - 1);
  if (auto index = store::TimeIndex::load(sys, std::move(sealed), false, true); !index) {
    warnings.push_back(fmt::format("time indexes not rebuilt: {}", index.status().message()));
  }
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    if (segments[i].archived) continue;
    if (auto index = app::SegmentAccountIndex::open(sys, segments, i, app::IndexUse::kBuild);
        !index) {
      warnings.push_back(fmt::format("account index of {} not built: {}",
                                     segments[i].path.filename().string(),
                                     index.status().message()));
    }
  }
}

Result<SnapshotResult> Ledger::snapshot() {
  if (books_) return books_->snapshot();
  warnings_.clear();
  auto log = open_existing(options_, warnings_);
  if (!log) return log.status();
  auto result = snapshot_head(options_, *log);
  if (!result) return result.status();
  rebuild_indexes(*log->writer, warnings_);
  auto thinned = app::thin_snapshots(options_.dir, options_.snapshot_every_events);
  if (!thinned) return thinned.status();
  result->thinned = *thinned;
  return result;
}

Result<CompactResult> Ledger::compact(bool purge, const std::function<void(uint64_t, uint64_t)>& progress) {
  if (books_) return books_->compact(purge, progress);
  warnings_.clear();
  auto log = open_existing(options_, warnings_);
  if (!log) return log.status();
  // 1. The head is snapshotted (and durable) before any segment moves: history stays answerable
  //    from the archive, and after a purge, from the snapshot.
  auto head = snapshot_head(options_, *log);
  if (!head) return head.status();
  CompactResult result;
  result.snapshot_seq = head->seq;
  result.purged = purge;
  // 2. Sealed segments wholly before it go to the archive, or away.
  auto report = log->writer->archive_segments(
      head->seq + 1, purge ? store::ArchiveMode::kPurge : store::ArchiveMode::kArchive,
      [&progress](const store::ArchiveProgress& p) {
        if (progress) progress(p.segments_done, p.segments_total);
      });
  if (!report) return report.status();
  result.segments = report->segments;
  result.bytes_in = report->bytes_in;
  result.bytes_out = report->bytes_out;
  result.first_seq = report->first_seq;
  // 3. After a purge, snapshots that end before what is left cannot be checked against the log
  //    any more: they go too (the one at the purge point stays: the next segment names it).
  if (purge) {
    store::Syscalls& sys = store::real_syscalls();
    for (const auto& info : store::list_snapshots(sys, options_.dir).snapshots) {
      if (info.meta.seq_last + 1 >= result.first_seq) continue;
      LEDGER_RETURN_IF_ERROR(store::remove_durably(sys, info.path));
      ++result.snapshots_removed;
    }
  }
  return result;
}

}  // namespace ledger
