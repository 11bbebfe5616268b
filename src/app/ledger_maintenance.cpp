// The maintenance side of the Ledger service: verify and stats. Both take no lock and write
// nothing.
#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "app/account_index.h"
#include "app/query_support.h"
#include "app/ref_index.h"
#include "app/replay.h"
#include "app/state_loader.h"
#include "app/timeline_check.h"
#include "app/verify_derived.h"
#include "domain/event_codec.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "store/record.h"
#include "store/run_set.h"
#include "store/snapshot_file.h"
#include "store/verify.h"

namespace ledger {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> accounts_of(const domain::Event& event) {
  return std::visit(
      [](const auto& e) -> std::vector<std::string> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, domain::MoneyTransferred>) {
          return {e.from, e.to};
        } else {
          return {e.account};
        }
      },
      event);
}

// The accounts a record names, if it still decodes; nothing otherwise. Its bytes may be
// damaged, and the decoder refuses what does not decode to exactly one event.
std::vector<std::string> describe_record(const store::Record& record) {
  auto event = domain::decode_event(record.type, record.version, record.payload);
  return event ? accounts_of(*event) : std::vector<std::string>{};
}

// The domain's checks, fed every frame that passed the log's checks: each event decodes, and
// replaying it keeps every rule (LedgerState::check, then apply). Each snapshot is compared with
// this state when the replay reaches its sequence number. A purged log's replay starts from a
// snapshot's state; without one, only the refs are collected. The rules that need the postings
// after a backdated event are answered after the replay (TimelineCheck), and only for a replay
// of the whole log: one from a snapshot has not seen the postings before it.
class DomainCheck {
 public:
  // `report` holds what was found before the log check (snapshot headers, the purge marker):
  // those problems do not make the replay incomplete.
  DomainCheck(app::SnapshotCheck& snapshots, std::optional<app::ReplayStart> start,
              bool replay_possible, const store::VerifyReport& report)
      : snapshots_(snapshots),
        replay_possible_(replay_possible),
        problems_before_(report.problems_total() - snapshots.problems_added()) {
    if (start) {
      state_ = std::move(start->state);
      seq_start_ = start->seq;
      effective_max_ns_ = start->effective_max_ns;
    }
    whole_log_ = state_.last_seq() == 0;
    if (whole_log_) state_.set_timeline(&deferred_timeline_);
  }

  void frame(const store::FrameRef& f, const fs::path& segment, store::VerifyReport& report) {
    if (!replay_possible_ || f.header.seq_last() <= seq_start_) return;
    const uint32_t segment_number = number_of(segment);
    store::RecordIterator records(f.bytes);
    store::Record r;
    uint64_t seq = f.header.seq_first;
    for (; records.next(r); ++seq) {
      if (seq <= seq_start_) continue;
      auto event = domain::decode_event(r.type, r.version, r.payload);
      if (!event) {
        auto p = store::make_problem(
            "event", segment, f.offset, seq, seq,
            fmt::format("event {} does not decode: {}", seq, event.status().message()));
        p.effective_min_ns = p.effective_max_ns = r.effective_ns;
        add(report, std::move(p));
        continue;
      }
      domain::StoredEvent stored{seq, f.header.recorded_ns, r.effective_ns, std::move(*event)};
      if (Status s = state_.check(stored, /*defer_funds=*/true); !s) {
        if (auto at = deferred_timeline_.take()) {
          close_refused(stored, *at, {seq, f.offset, segment_number}, report);
          continue;
        }
        auto p = store::make_problem("replay", segment, f.offset, seq, seq, s.message());
        p.effective_min_ns = p.effective_max_ns = r.effective_ns;
        p.subjects = accounts_of(stored.event);
        replay_failed(report, std::move(p));
        continue;
      }
      if (const domain::RefKey& ref = domain::ref_of(stored.event); !ref.ref.empty()) {
        const XXH128_hash_t digest = XXH3_128bits(ref.ref.data(), ref.ref.size());
        remember(refs_.add({digest.low64, digest.high64, ref.digest, seq}));
      }
      defer_funds(stored, segment_number, f.offset);
      state_.apply(stored);
      if (whole_log_) hand_on_postings(stored);
      effective_max_ns_ = std::max(effective_max_ns_, r.effective_ns);
    }
    if (f.header.ends_commit()) check_funds(f.header.seq_last(), report);
    snapshots_.reached(f.header.seq_last(), state_, effective_max_ns_, incomplete(report), report);
  }

  // The balance rules of a commit's events are checked once the whole commit is in: an import's
  // rows at one position count together, as they did when it was written.
  // Each account is checked once per commit, from its earliest position there on (which covers
  // every later one); a failure is named on the event there.
  void defer_funds(const domain::StoredEvent& stored, uint32_t segment, uint64_t offset) {
    for (const domain::Posting& p : domain::postings_of(domain::view_of(stored.event))) {
      auto [it, added] = deferred_.try_emplace(std::string(p.account),
                                               Deferred{stored.effective_ns, stored.seq, segment,
                                                        offset});
      if (!added && stored.effective_ns < it->second.position) {
        it->second = {stored.effective_ns, stored.seq, segment, offset};
      }
    }
  }

  // A backdated event's balances depend on the postings after it: those are asked of
  // TimelineCheck, and the replay goes on.
  void check_funds(uint64_t seq_through, store::VerifyReport& report) {
    for (const auto& [account, d] : deferred_) {
      const domain::Account* a = state_.find(account);
      if (a != nullptr && d.position < a->last_posting_ns) {
        if (whole_log_) {
          remember(timeline_check_.funds(index_of(*a), seq_through, d.position, a->balance,
                                         origin({d.seq, d.offset, d.segment}, report)));
        }
        continue;
      }
      if (Status s = domain::check_funds(state_, account, d.position); !s) {
        auto p = store::make_problem("replay", segments_[d.segment], d.offset, d.seq, d.seq,
                                     fmt::format("event {} breaks a rule: {}", d.seq, s.message()));
        p.effective_min_ns = p.effective_max_ns = d.position;
        p.subjects = {account};
        replay_failed(report, std::move(p));
      }
    }
    deferred_.clear();
  }

  // Whether events were lost to damage, so that the replayed state is not the log's.
  bool incomplete(const store::VerifyReport& report) const {
    return consequences_ > 0 || log_problems(report) > 0;
  }

  // Once the log has lost events, the replay fails where later events needed them; those are
  // consequences of the damage already reported, so they are counted, not listed.
  // The error of a scratch file that failed (verify stops with it), else ok.
  Status finish(store::VerifyReport& report) {
    LEDGER_RETURN_IF_ERROR(scratch_);
    LEDGER_RETURN_IF_ERROR(answer_timeline(report));
    LEDGER_RETURN_IF_ERROR(check_refs(report));
    if (consequences_ == 0) return Status::ok();
    report.note(
        fmt::format("{} later {} not be replayed because {} on events lost to the damage above",
                    consequences_, consequences_ == 1 ? "event could" : "events could",
                    consequences_ == 1 ? "it depends" : "they depend"));
    return Status::ok();
  }

  const domain::LedgerState& state() const { return state_; }
  // Sorted by key (high, low), then sequence, once finish() ran.
  const app::RefsSeen& refs() const { return refs_; }
  // Events up to this one were not replayed (purged, or before the starting snapshot).
  uint64_t seq_start() const { return seq_start_; }

 private:
  struct Place {
    uint64_t seq = 0;
    uint64_t offset = 0;
    uint32_t segment = 0;
  };

  // Segments are numbered as the replay meets them, so that what waits for the timeline's
  // answers holds no path.
  uint32_t number_of(const fs::path& segment) {
    if (segments_.empty() || segments_.back() != segment) segments_.push_back(segment);
    return static_cast<uint32_t>(segments_.size() - 1);
  }
  uint32_t index_of(const domain::Account& a) const {
    return static_cast<uint32_t>(&a - state_.accounts().data());
  }
  app::TimelineOrigin origin(const Place& place, const store::VerifyReport& report) const {
    return {place.seq, place.offset, place.segment, report.problems_total(),
            log_problems(report) > 0};
  }
  // The first error of a scratch file is kept; verify stops with it at the end.
  void remember(Status s) {
    if (!s && scratch_) scratch_ = s;
  }

  void hand_on_postings(const domain::StoredEvent& stored) {
    for (const domain::Posting& p : domain::postings_of(domain::view_of(stored.event))) {
      if (const domain::Account* a = state_.find(p.account)) {
        remember(timeline_check_.posting(index_of(*a), stored.seq, stored.effective_ns, p.amount));
      }
    }
  }

  // A closing dated before a later entry of its account: refused, and the refusal names that
  // entry once the replay knows it. The check refused it before looking at the balance.
  void close_refused(const domain::StoredEvent& stored, int64_t at, const Place& place,
                     store::VerifyReport& report) {
    if (log_problems(report) > 0) {
      ++consequences_;
      return;
    }
    const domain::Account* a = state_.find(accounts_of(stored.event).front());
    remember(timeline_check_.closing(index_of(*a), at, a->last_posting_ns, origin(place, report)));
  }

  // The timeline's answers go where the replay would have put them, had it known them then.
  Status answer_timeline(store::VerifyReport& report) {
    auto found = timeline_check_.finish(state_.accounts());
    if (!found) return found.status();
    for (size_t i = 0; i < found->listed.size(); ++i) {
      const app::TimelineFinding& f = found->listed[i];
      auto p = store::make_problem("replay", segments_[f.origin.segment], f.origin.offset,
                                   f.origin.event_seq, f.origin.event_seq, f.what);
      p.effective_min_ns = p.effective_max_ns = f.position_ns;
      p.subjects = {state_.accounts()[f.account].id};
      report.insert(f.origin.slot + i, std::move(p));
    }
    report.count_unlisted(found->unlisted);
    own_problems_ += found->listed.size() + found->unlisted;
    consequences_ += found->consequences;
    return Status::ok();
  }

  void add(store::VerifyReport& report, store::VerifyProblem problem) {
    ++own_problems_;
    report.add(std::move(problem));
  }
  // Problems of the log check: all but the replay's own and the snapshots'.
  size_t log_problems(const store::VerifyReport& report) const {
    return report.problems_total() - problems_before_ - own_problems_ - snapshots_.problems_added();
  }
  void replay_failed(store::VerifyReport& report, store::VerifyProblem problem) {
    if (log_problems(report) > 0) {
      ++consequences_;
      return;
    }
    add(report, std::move(problem));
  }

  // A ref names one event in the whole ledger. The state's own ref table would hold every ref
  // in memory; the refs wait in an external sort instead, whose order is the ref index's, so
  // that a ref used twice is two neighbours and the index is compared by one merge.
  Status check_refs(store::VerifyReport& report) {
    LEDGER_RETURN_IF_ERROR(refs_.finish());
    auto cursor = refs_.cursor();
    if (!cursor) return cursor.status();
    std::optional<app::RefSeen> previous;
    for (;;) {
      auto next = cursor->next();
      if (!next) return next.status();
      if (!*next) return Status::ok();
      const app::RefSeen& b = **next;
      if (previous && previous->low == b.low && previous->high == b.high) {
        add(report,
            store::make_problem("replay", {}, std::nullopt, b.seq, b.seq,
                                fmt::format("event {} breaks a rule: its ref was already used by "
                                            "event {}",
                                            b.seq, previous->seq)));
      }
      previous = b;
    }
  }

  app::SnapshotCheck& snapshots_;
  bool replay_possible_ = true;
  size_t problems_before_ = 0;
  uint64_t seq_start_ = 0;
  int64_t effective_max_ns_ = INT64_MIN;
  domain::LedgerState state_{false};  // Refs are checked apart: see RefSeen.
  bool whole_log_ = false;            // The replay starts from the first event.
  app::DeferredTimeline deferred_timeline_;
  app::TimelineCheck timeline_check_;
  std::vector<fs::path> segments_;
  struct Deferred {
    int64_t position = 0;  // The account's earliest position in the commit...
    uint64_t seq = 0;      // ... and the event there.
    uint32_t segment = 0;
    uint64_t offset = 0;
  };
  std::map<std::string, Deferred, std::less<>> deferred_;
  app::RefsSeen refs_;
  Status scratch_;
  size_t own_problems_ = 0;
  uint64_t consequences_ = 0;
};

bool breaks_chain(const store::VerifyProblem& p) {
  return p.check == "frame" || p.check == "chain" || p.check == "sequence" ||
         p.check == "segment" || p.check == "time" || p.check == "purge";
}

// A file's path inside the data directory ("archive/00000000000000000001.seg.zst",
// "snapshots/...snap"); its name alone when it lies elsewhere.
std::string file_in(const fs::path& dir, const fs::path& file) {
  if (file.empty()) return {};
  const fs::path relative = file.lexically_relative(dir);
  if (relative.empty() || *relative.begin() == "..") return file.filename().string();
  return relative.string();
}

VerifyProblem public_problem(const fs::path& dir, const store::VerifyProblem& p) {
  VerifyProblem out;
  out.check = p.check;
  out.file = file_in(dir, p.file);
  out.offset = p.offset;
  out.seq_first = p.seq_first;
  out.seq_last = p.seq_last;
  out.effective_min_ns = p.effective_min_ns;
  out.effective_max_ns = p.effective_max_ns;
  out.accounts = p.subjects;
  out.accounts_unverified = p.subjects_unverified;
  out.accounts_more = p.subjects_more;
  out.what = p.what;
  return out;
}

VerifyResult result_of(const fs::path& dir, const store::VerifyReport& report,
                       const domain::LedgerState& state) {
  const store::VerifyCounts& c = report.counts;
  VerifyResult r;
  r.events = c.events;
  r.frames = c.frames;
  r.segments = c.segments;
  r.segment_bytes = c.segment_bytes;
  r.seq_first = c.seq_first;
  r.seq_last = c.seq_last;
  r.indexes_checked = c.indexes_checked;
  r.indexes_current = c.indexes_current;
  r.indexes_missing = c.indexes_missing;
  r.indexes_skipped = c.indexes_skipped;
  r.accounts = state.sorted_accounts().size();
  r.checks = report.checks();
  r.notes = report.notes();
  r.problems_total = report.problems_total();
  for (const store::VerifyProblem& p : report.problems()) {
    if (breaks_chain(p)) r.chain_intact = false;
    r.problems.push_back(public_problem(dir, p));
  }
  if (r.problems_total > r.problems.size()) r.chain_intact = false;  // Unknown: say so.
  return r;
}

}  // namespace

namespace {

// Where a purged log begins, checked: the PURGED marker against the first segment's header.
// Nothing when the log was not purged (or is empty).
struct PurgeCheck {
  std::optional<store::PurgeMarker> marker;
  std::optional<store::LogPosition> start;  // Where log_start() says the log begins.
};

PurgeCheck check_purge(store::Syscalls& sys, const fs::path& dir,
                       const std::vector<store::SegmentFile>& segments,
                       store::VerifyReport& report) {
  PurgeCheck out;
  const fs::path marker_path = dir / store::kPurgedFileName;
  auto marker = store::read_purge_marker(sys, dir);
  if (!marker) {
    report.add(
        store::make_problem("purge", marker_path, std::nullopt, 0, 0, marker.status().message()));
    return out;
  }
  if (!*marker) return out;
  report.ran("purge");
  out.marker = **marker;
  auto start = store::log_start(sys, dir, segments);
  if (!start) {
    report.add(store::make_problem("purge", marker_path, std::nullopt, (*marker)->first_seq, 0,
                                   start.status().message()));
    return out;
  }
  out.start = *start;
  return out;
}

uint64_t bytes_of(const fs::path& path) {
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  return ec ? 0 : size;
}

}  // namespace

Result<VerifyResult> Ledger::verify(const std::function<void(uint64_t, uint64_t)>& progress) const {
  if (books_) return books_->verify(progress);
  auto segments = store::list_segments(options_.dir);
  if (!segments) return segments.status();
  if (segments->empty()) return app::no_ledger(options_.dir);
  store::Syscalls& sys = store::real_syscalls();
  store::VerifyReport report;
  const PurgeCheck purge = check_purge(sys, options_.dir, *segments, report);
  app::SnapshotCheck snapshots;
  snapshots.prepare(sys, options_.dir, *segments, purge.marker ? purge.start : std::nullopt,
                    report);
  // A purged log's replay starts from the oldest snapshot at or after the purge point: the
  // events before it are gone.
  std::optional<app::ReplayStart> start;
  if (purge.marker) {
    const uint64_t first_seq = purge.start ? purge.start->seq_next : purge.marker->first_seq;
    start = snapshots.take_start(first_seq, report);
  }
  const bool replay_possible = !purge.marker || start.has_value();
  DomainCheck domain(snapshots, std::move(start), replay_possible, report);
  // Progress counts the segment bytes read by the log check, then those of the segments whose
  // account index is compared with a rebuild.
  uint64_t log_bytes = 0;
  uint64_t acx_bytes = 0;
  for (size_t i = 0; i < segments->size(); ++i) {
    const uint64_t size = bytes_of((*segments)[i].path);
    log_bytes += size;
    std::error_code ec;
    if (i + 1 < segments->size() && fs::exists(app::account_index_path((*segments)[i]), ec)) {
      acx_bytes += size;
    }
  }
  store::VerifyHooks hooks;
  hooks.describe = describe_record;
  hooks.frame = [&domain](const store::FrameRef& f, const fs::path& segment,
                          store::VerifyReport& r) { domain.frame(f, segment, r); };
  if (progress) {
    hooks.progress = [&](uint64_t done, uint64_t) { progress(done, log_bytes + acx_bytes); };
  }
  if (purge.marker) {
    // A purge that did not finish may leave older segments than the marker names.
    hooks.seq_start_expected =
        std::min(purge.marker->first_seq,
                 segments->empty() ? purge.marker->first_seq : segments->front().base_seq);
  }
  // The store's checks and the domain's in one read of the log: the log check feeds the
  // replay, and the replay compares each snapshot when it reaches it.
  LEDGER_RETURN_IF_ERROR(store::verify_log(sys, *segments, hooks, report));
  const bool replay_incomplete = domain.incomplete(report);
  report.ran(replay_possible ? "events" : "events (not replayed: no snapshot to start from)");
  if (replay_possible) report.ran("replay");
  LEDGER_RETURN_IF_ERROR(domain.finish(report));
  snapshots.finish(report);
  LEDGER_RETURN_IF_ERROR(store::verify_indexes(sys, *segments, report));
  LEDGER_RETURN_IF_ERROR(store::verify_trees(sys, *segments, report));
  uint64_t refs_through = 0;
  if (replay_possible) {
    auto through = app::verify_ref_index(options_.dir, domain.refs(), domain.seq_start(),
                                         report.counts.seq_last, !replay_incomplete, report);
    if (!through) return through.status();
    refs_through = *through;
  }
  const uint64_t account_indexes = app::verify_account_indexes(
      sys, *segments,
      [&](uint64_t done) {
        if (progress) progress(log_bytes + done, log_bytes + acx_bytes);
      },
      report);
  VerifyResult r = result_of(options_.dir, report, domain.state());
  for (const store::SegmentFile& s : *segments) r.archived_segments += s.archived ? 1 : 0;
  r.purged_before = purge.marker ? purge.marker->first_seq : 0;
  r.snapshots = snapshots.listed();
  r.snapshots_compared = snapshots.compared();
  r.account_indexes = account_indexes;
  r.ref_index_covered_through = refs_through;
  return r;
}

namespace {

void add_snapshot_stats(const fs::path& dir, LedgerStats& s) {
  const store::SnapshotListing listing = store::list_snapshots(store::real_syscalls(), dir);
  for (const store::SnapshotFileInfo& info : listing.snapshots) {
    ++s.snapshots;
    s.snapshot_bytes += info.size_bytes;
    const uint64_t seq = info.meta.seq_last;
    if (s.snapshot_seq_oldest == 0 || seq < s.snapshot_seq_oldest) s.snapshot_seq_oldest = seq;
    s.snapshot_seq_newest = std::max(s.snapshot_seq_newest, seq);
  }
}

// Archived segments: their files as stored, and the bytes their headers say they hold.
void add_archive_stats(const std::vector<store::SegmentFile>& segments, LedgerStats& s) {
  for (const store::SegmentFile& seg : segments) {
    if (!seg.archived) continue;
    ++s.archive_segments;
    s.archive_bytes += bytes_of(seg.path);
    if (auto size = store::segment_size(store::real_syscalls(), seg)) {
      s.archive_bytes_uncompressed += *size;
    }
  }
}

// The ref index as it opens; a set that does not open counts as none (verify says why).
void add_ref_index_stats(const fs::path& dir, LedgerStats& s) {
  std::error_code ec;
  const fs::path refs = dir / app::kRefIndexDirName;
  if (!fs::exists(refs, ec)) return;
  auto runs = store::RunSet::open(refs);
  if (!runs) return;
  s.ref_index_runs = runs->runs().size();
  for (const store::SortedRun& run : runs->runs()) s.ref_index_entries += run.entry_count();
  s.ref_index_covered_through = runs->covered_through();
}

void add_account_index_stats(const std::vector<store::SegmentFile>& segments, LedgerStats& s) {
  for (const store::SegmentFile& seg : segments) {
    const fs::path path = app::account_index_path(seg);
    std::error_code ec;
    const uint64_t size = fs::file_size(path, ec);
    if (ec) continue;
    ++s.account_indexes;
    s.account_index_bytes += size + fs::file_size(app::effective_index_path(path), ec);
  }
}

}  // namespace

Result<std::optional<std::string>> Ledger::recorded_time_zone() const {
  if (books_) return books_->recorded_time_zone();
  return store::recorded_zone(store::real_syscalls(), options_.dir);
}

Result<LedgerStats> Ledger::stats() const {
  if (books_) return books_->stats();
  auto segments = store::list_segments(options_.dir);
  if (!segments) return segments.status();
  if (segments->empty()) return app::no_ledger(options_.dir);
  store::Syscalls& sys = store::real_syscalls();
  auto log = store::log_stats(sys, *segments);
  if (!log) return log.status();
  LedgerStats s;
  auto zone = store::recorded_zone(sys, *segments);
  if (!zone) return zone.status();
  s.time_zone = zone->value_or("");
  s.events = log->events;
  s.frames = log->frames;
  s.segments = log->segments;
  s.segment_bytes = log->segment_bytes;
  s.seq_first = log->seq_first;
  s.seq_last = log->seq_last;
  s.recorded_first_ns = log->recorded_first_ns;
  s.recorded_last_ns = log->recorded_last_ns;
  add_snapshot_stats(options_.dir, s);
  add_archive_stats(*segments, s);
  add_ref_index_stats(options_.dir, s);
  add_account_index_stats(*segments, s);
  auto marker = store::read_purge_marker(sys, options_.dir);
  if (!marker) return marker.status();
  if (*marker) s.purged_before = (*marker)->first_seq;
  // The accounts: the newest usable snapshot and the events after it.
  auto loaded = app::load_state(options_.dir, app::LoadOptions{});
  if (!loaded) return loaded.status();
  warnings_ = loaded->warnings;
  for (const domain::Account* a : loaded->state.sorted_accounts()) {
    ++(a->closed ? s.accounts_closed : s.accounts_open);
  }
  return s;
}

}  // namespace ledger
