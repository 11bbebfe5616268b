#include "app/state_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "domain/event_view.h"
#include "domain/state_codec.h"
#include "store/log_reader.h"
#include "store/record.h"
#include "store/segment_source.h"
#include "store/snapshot_file.h"
#include "store/time_index.h"
#include "app/account_index.h"
#include "app/replay.h"
#include "util/time.h"

namespace ledger::app {

namespace fs = std::filesystem;

namespace {

// A snapshot serves a query only if everything in it passes the query's cutoffs (and, for a
// time series, holds nothing after its first period).
bool serves(const store::SnapshotMeta& meta, const LoadOptions& options) {
  const Cutoffs& cutoffs = options.cutoffs;
  if (cutoffs.known_at_ns && meta.recorded_ns > *cutoffs.known_at_ns) return false;
  if (cutoffs.effective_at_ns && meta.effective_max_ns > *cutoffs.effective_at_ns) return false;
  const auto& series_max = options.snapshot_effective_max_ns;
  return !series_max || meta.effective_max_ns <= *series_max;
}

std::string skipped(const fs::path& path, const Status& why) {
  return fmt::format("snapshot {} skipped: {}", path.filename().string(), why.message());
}

// The 64-bit index keys (account_key) of the held accounts, hashed once.
std::vector<uint64_t> keys_of(const std::vector<std::string>& held) {
  std::vector<uint64_t> keys;
  for (const std::string& id : held) keys.push_back(account_key(id));
  return keys;
}

// Whether `id`, not a held account, has the key of one.
bool shares_key(std::string_view id, const std::vector<std::string>& held,
                const std::vector<uint64_t>& held_keys) {
  if (std::find(held.begin(), held.end(), id) != held.end()) return false;
  const uint64_t key = account_key(id);
  return std::find(held_keys.begin(), held_keys.end(), key) != held_keys.end();
}

// A snapshot's reader flag (store::SnapshotMeta::reader_flags): no two of its accounts share
// an account index key (account_key), so that one of them shares its key with no other.
constexpr uint32_t kAccountKeysDistinct = 1;

bool keys_distinct(const std::vector<domain::Account>& accounts) {
  std::vector<uint64_t> keys;
  keys.reserve(accounts.size());
  for (const domain::Account& a : accounts) keys.push_back(account_key(a.id));
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) == keys.end();
}

// A snapshot's payload as the state codec reads it: each range checked when first read.
class CheckedPayload final : public domain::StateBytes {
 public:
  explicit CheckedPayload(const store::SnapshotPayload& payload) : payload_(payload) {}
  uint64_t size() const override { return payload_.size(); }
  Result<std::span<const unsigned char>> read(uint64_t offset, uint64_t size) const override {
    return payload_.read(offset, size);
  }

 private:
  const store::SnapshotPayload& payload_;
};

// The held accounts of a snapshot's state: found by binary search in a version 3 table, or
// picked from the whole state of an older version. With `by_index_key`, whether another
// account shares a held one's key: every id is hashed, unless the snapshot says its keys are
// distinct and holds every held account (a table of 10,000 accounts is 830 KB to read and
// check, where a search reads a few pages of it).
Result<domain::LedgerState> held_state(const store::SnapshotPayload& payload,
                                       const store::SnapshotMeta& meta,
                                       const std::vector<std::string>& held, bool track_refs,
                                       bool by_index_key, bool& key_shared) {
  std::vector<domain::Account> accounts;
  uint64_t last_seq = 0;
  const std::vector<uint64_t> held_keys = keys_of(held);
  const CheckedPayload bytes(payload);
  auto table = domain::StateTable::open(bytes);
  if (!table && table.status().code() == ErrorCode::kNotFound) {
    auto all = payload.all();
    if (!all) return all.status();
    auto whole = domain::decode_state(*all, track_refs);
    if (!whole) return whole.status();
    for (const domain::Account& a : whole->accounts()) {
      if (std::find(held.begin(), held.end(), a.id) != held.end()) accounts.push_back(a);
      key_shared = key_shared || shares_key(a.id, held, held_keys);
    }
    last_seq = whole->last_seq();
  } else if (!table) {
    return table.status();
  } else {
    for (const std::string& id : held) {
      auto found = table->find(id);
      if (!found) return found.status();
      if (*found) accounts.push_back(std::move(**found));
    }
    if ((meta.reader_flags & kAccountKeysDistinct) != 0 && accounts.size() == held.size()) {
      by_index_key = false;
    }
    for (uint64_t i = 0; by_index_key && i < table->size() && !key_shared; ++i) {
      auto id = table->id_at(i);
      if (!id) return id.status();
      key_shared = shares_key(*id, held, held_keys);
    }
    last_seq = table->last_seq();
  }
  domain::LedgerState state(track_refs);
  state.restore(std::move(accounts), last_seq);
  state.hold_only(held);
  return state;
}

// How many of the snapshots `seqs` (oldest first) may serve the cutoffs. Recorded times and the latest
// effective time never decrease along the log, so the snapshots that serve are the oldest ones,
// up to a point that a binary search over headers finds (a ledger keeps about a hundred). A
// header that does not read ends the search: then every snapshot is a candidate.
size_t may_serve(store::Syscalls& sys, const fs::path& dir, const std::vector<uint64_t>& seqs,
                 const LoadOptions& options) {
  const Cutoffs& cutoffs = options.cutoffs;
  if (!cutoffs.effective_at_ns && !cutoffs.known_at_ns && !options.snapshot_effective_max_ns) {
    return seqs.size();
  }
  size_t serving = 0;
  size_t not_serving = seqs.size();
  while (serving < not_serving) {
    const size_t mid = serving + (not_serving - serving) / 2;
    auto info = store::read_snapshot_info(sys, dir, seqs[mid]);
    if (!info) return seqs.size();
    if (serves(info->meta, options)) {
      serving = mid + 1;
    } else {
      not_serving = mid;
    }
  }
  return serving;
}

// Loads the newest snapshot that serves the cutoffs and matches the log; where to read on.
std::optional<store::LogPosition> start_from_snapshot(const fs::path& dir,
                                                      const std::vector<store::SegmentFile>& segments,
                                                      const LoadOptions& options,
                                                      LoadedState& loaded) {
  store::Syscalls& sys = store::real_syscalls();
  std::vector<std::string> problems;
  const auto seqs = store::snapshot_seqs(dir, problems);
  for (const std::string& problem : problems) loaded.warnings.push_back(problem + "; skipped");
  // Headers are read newest first and only until one serves: a ledger keeps many snapshots.
  const size_t candidates = may_serve(sys, dir, seqs, options);
  for (auto seq = seqs.rend() - static_cast<std::ptrdiff_t>(candidates); seq != seqs.rend();
       ++seq) {
    auto info = store::read_snapshot_info(sys, dir, *seq);
    if (!info) {
      loaded.warnings.push_back(info.status().message() + "; skipped");
      continue;
    }
    const auto it = &*info;
    const store::SnapshotMeta& meta = it->meta;
    if (!serves(meta, options)) continue;
    auto position = store::check_against_log(sys, segments, meta);
    if (!position) {
      loaded.warnings.push_back(skipped(it->path, position.status()));
      continue;
    }
    // A question about a few accounts checks the blocks of the snapshot it reads, not all.
    auto payload = store::SnapshotPayload::open(sys, *it);
    bool key_shared = false;
    Result<domain::LedgerState> state = Status(ErrorCode::kInternal, "not read");
    if (!payload) {
      state = payload.status();
    } else if (options.only_accounts.empty()) {
      auto all = payload->all();
      state = all ? domain::decode_state(*all, options.track_refs)
                  : Result<domain::LedgerState>(all.status());
    } else {
      state = held_state(*payload, meta, options.only_accounts, options.track_refs,
                         options.by_index_key, key_shared);
    }
    if (state && state->last_seq() != meta.seq_last) {
      state = Status(ErrorCode::kCorruption, "its state and header disagree on the sequence");
    }
    if (!state) {
      loaded.warnings.push_back(skipped(it->path, state.status()));
      continue;
    }
    loaded.state = std::move(*state);
    loaded.key_shared = key_shared;
    loaded.last_frame = store::FrameMark{meta.segment_base, meta.frame_offset, meta.next_offset,
                                         meta.seq_last,     meta.chain,        meta.recorded_ns,
                                         meta.effective_max_ns};
    loaded.effective_max_ns = meta.effective_max_ns;
    loaded.snapshot_seq = meta.seq_last;
    return *position;
  }
  return std::nullopt;
}

// Whether a frame holds none of `needles` (see frame_may_name).
bool names_none(store::ByteView frame, const std::vector<std::string>& needles) {
  return std::none_of(needles.begin(), needles.end(),
                      [frame](const std::string& text) { return frame_may_name(frame, text); });
}

// What a frame must contain for the state to decode it: the ids of the few accounts it holds
// and the refs it tracks, when nothing else will be asked of it (no other ref, no index key).
// Empty: every frame is decoded.
std::vector<std::string> needles_of(const LoadOptions& options) {
  if (options.only_accounts.empty() || options.by_index_key) return {};
  if (options.track_refs && !options.only_refs) return {};
  std::vector<std::string> needles = options.only_accounts;
  if (options.track_refs) {
    for (const std::string& ref : *options.only_refs) {
      if (!ref.empty()) needles.push_back(ref);
    }
  }
  return needles;
}

// A frame that holds none of `needles` gives the state only its sequence numbers and times.
Status apply_frame(const store::FrameRef& frame, const LoadOptions& options,
                   const std::vector<std::string>& needles, LoadedState& loaded) {
  const Cutoffs& cutoffs = options.cutoffs;
  store::RecordIterator records(frame.bytes);
  store::Record record;
  if (!needles.empty() && names_none(frame.bytes, needles)) {
    while (records.next(record)) {
      if (cutoffs.effective_at_ns && record.effective_ns > *cutoffs.effective_at_ns) continue;
      loaded.effective_max_ns = std::max(loaded.effective_max_ns, record.effective_ns);
      ++loaded.events_read;
    }
    loaded.state.set_last_seq(frame.header.seq_last());
    return Status::ok();
  }
  domain::EventAt e{frame.header.seq_first, frame.header.recorded_ns, 0, {}};
  for (; records.next(record); ++e.seq) {
    if (cutoffs.effective_at_ns && record.effective_ns > *cutoffs.effective_at_ns) continue;
    e.effective_ns = record.effective_ns;
    if (Status s = domain::decode_event_view(record.type, record.version, record.payload, e.event);
        !s) {
      return Status(s.code(), fmt::format("event {}: {}", e.seq, s.message()));
    }
    if (e.event.type == domain::EventType::kAccountOpened && !loaded.state.holds(e.event.account) &&
        shares_key(e.event.account, loaded.state.held(), keys_of(loaded.state.held()))) {
      loaded.key_shared = true;
    }
    loaded.state.apply(e);
    if (options.observe != nullptr) (*options.observe)(e);
    loaded.effective_max_ns = std::max(loaded.effective_max_ns, record.effective_ns);
    ++loaded.events_read;
  }
  return Status::ok();
}

// Everything from `from` on, up to the end of the log.
constexpr store::LogPosition kLogEnd{SIZE_MAX, 0, 0, 0, 0};

bool before(const store::FrameRef& frame, const store::LogPosition& to) {
  return frame.segment < to.segment || (frame.segment == to.segment && frame.offset < to.offset);
}

// The parts of the log after `start` that a query must read. With --at, the time index of the
// sealed segments leaves out the blocks whose events all take effect after the cutoff
// (ledger-format(5), TIME INDEX FILES); the newest segment is read whole (its frames are still skipped by their headers).
std::vector<store::LogRange> ranges_to_read(const std::vector<store::SegmentFile>& segments,
                                            const store::LogPosition& start,
                                            const Cutoffs& cutoffs) {
  const size_t active = segments.size() - 1;
  if (!cutoffs.effective_at_ns || start.segment >= active) return {{start, kLogEnd}};
  std::vector<store::SegmentFile> sealed(segments.begin(), segments.end() - 1);
  // A query only reads: an index it finds missing is rebuilt in memory, and stored by a write.
  auto index = store::TimeIndex::load(store::real_syscalls(), std::move(sealed), false, false);
  if (!index) return {{start, kLogEnd}};  // The log itself will say what is wrong, if anything.
  std::vector<store::LogRange> ranges;
  for (store::LogRange r : index->ranges_effective_at_or_before(*cutoffs.effective_at_ns)) {
    const bool ends_before_start =
        r.to.segment < start.segment || (r.to.segment == start.segment && r.to.offset <= start.offset);
    if (ends_before_start) continue;
    const bool starts_before_start =
        r.from.segment < start.segment ||
        (r.from.segment == start.segment && r.from.offset < start.offset);
    if (starts_before_start) r.from = start;
    ranges.push_back(r);
  }
  auto active_start = store::segment_start(store::real_syscalls(), segments, active);
  if (!active_start) return {{start, kLogEnd}};
  ranges.push_back({*active_start, kLogEnd});
  return ranges;
}

// Applies the frames of `range`; `known_ends` when a frame recorded after --known-at was met.
Status read_range(const std::vector<store::SegmentFile>& segments, const store::LogRange& range,
                  const LoadOptions& options, const std::vector<std::string>& needles,
                  LoadedState& loaded,
                  bool& known_ends) {
  const Cutoffs& cutoffs = options.cutoffs;
  store::LogReader reader(store::real_syscalls(), segments, range.from);
  if (cutoffs.effective_at_ns) {
    reader.pass_over([at = *cutoffs.effective_at_ns](const store::FrameHeader& header) {
      return header.effective_min_ns > at;
    });
  }
  for (;;) {
    auto frame = reader.next();
    if (!frame) return frame.status();
    if (*frame == nullptr || !before(**frame, range.to)) return Status::ok();
    const store::FrameHeader& header = (*frame)->header;
    // Recorded times never decrease along the log: nothing after this frame is known yet.
    if (cutoffs.known_at_ns && header.recorded_ns > *cutoffs.known_at_ns) {
      known_ends = true;
      return Status::ok();
    }
    loaded.last_frame = store::mark_of(**frame, reader.segments());
    if (cutoffs.effective_at_ns && header.effective_min_ns > *cutoffs.effective_at_ns) continue;
    LEDGER_RETURN_IF_ERROR(apply_frame(**frame, options, needles, loaded));
  }
}

// An entry of a sealed segment's index that `--at` takes: a posting, or an opening or closing.
using IndexedEntry = std::pair<size_t, EffectiveEntry>;  // (segment, entry)

// Derived data that is missing (the next write builds it) or does not check out (never
// trusted; a write or `ledger snapshot` builds it again): false, and the log answers. Other
// errors are the caller's.
Result<bool> index_unusable(const std::vector<store::SegmentFile>& segments, size_t segment,
                            const Status& status, LoadedState& loaded) {
  if (index_cannot_serve(segments[segment], status, loaded.warnings)) return false;
  return status;
}

// The entries of events after `start` effective by `at_ns`, of every account (from the
// effective order, .eff) or, for a state of a few accounts, of theirs alone (from the postings,
// .acx: one seek per account and segment, where the effective order would be read through every
// entry dated by the cutoff). False when an index cannot be used.
Result<bool> gather_indexed(const std::vector<store::SegmentFile>& segments,
                            const store::LogPosition& start, int64_t at_ns, LoadedState& loaded,
                            std::vector<IndexedEntry>& out) {
  store::Syscalls& sys = store::real_syscalls();
  const std::vector<std::string>& held = loaded.state.held();
  const uint64_t seq_after = start.seq_next - 1;
  const std::vector<uint64_t> held_keys = keys_of(held);
  for (size_t i = start.segment; i + 1 < segments.size(); ++i) {
    // A segment whose events all take effect after the cutoff has nothing to give, and its time
    // index (a few KiB, checked against the segment) says so for less than an account index.
    if (auto time_index = store::load_stored_index(sys, segments[i]);
        time_index && time_index->effective_min_ns > at_ns) {
      continue;
    }
    const IndexParts parts = held.empty() ? IndexParts::kEffective : IndexParts::kPostings;
    auto index = SegmentAccountIndex::open(sys, segments, i, IndexUse::kReadOnly, parts);
    if (!index) return index_unusable(segments, i, index.status(), loaded);
    if (held.empty()) {
      std::vector<EffectiveEntry> entries;
      Status read = index->effective_through(at_ns, seq_after, entries);
      if (!read) return index_unusable(segments, i, read, loaded);
      for (const EffectiveEntry& e : entries) out.emplace_back(i, e);
      continue;
    }
    for (const uint64_t key : held_keys) {
      std::vector<Posting> postings;
      Status read = index->postings(key, postings, true);
      if (!read) return index_unusable(segments, i, read, loaded);
      for (const Posting& p : postings) {
        if (p.seq > seq_after && p.effective_ns <= at_ns) {
          out.emplace_back(i, EffectiveEntry{p.seq, p.effective_ns, key, p.amount, p.other});
        }
      }
    }
  }
  return true;
}

// `--at` over sealed segments through their account indexes (app/account_index.h): only the
// postings effective by the cutoff are read, however far back they were dated, where a read of
// the log would go through every block that holds one. False (nothing changed) when they
// cannot be used: two accounts share a key, or an index does not check out.
Result<bool> read_effective_indexes(const std::vector<store::SegmentFile>& segments,
                                    const store::LogPosition& start, int64_t at_ns,
                                    LoadedState& loaded) {
  store::Syscalls& sys = store::real_syscalls();
  domain::LedgerState& state = loaded.state;
  // A state of a few accounts reads their entries alone, by key: unless another account
  // shares one of their keys.
  if (!state.held().empty() && loaded.key_shared) return false;
  std::unordered_map<uint64_t, size_t> by_key;
  for (size_t i = 0; i < state.accounts().size(); ++i) {
    if (!by_key.emplace(account_key(state.accounts()[i].id), i).second) return false;
  }
  std::vector<IndexedEntry> entries;
  auto gathered = gather_indexed(segments, start, at_ns, loaded, entries);
  if (!gathered || !*gathered) return gathered;
  std::vector<IndexedEntry> others;
  std::vector<EffectiveEntry> postings;
  std::unordered_set<uint64_t> opened;
  for (const auto& [segment, e] : entries) {
    if (e.other) {
      others.emplace_back(segment, e);
      opened.insert(e.account_key);
    } else {
      postings.push_back(e);
    }
  }
  for (const EffectiveEntry& p : postings) {
    if (!by_key.contains(p.account_key) && !opened.contains(p.account_key)) return false;
  }
  // Openings and closings, in log order, from the log itself; then the postings. Read first,
  // applied after: a state is left as it was when the indexes cannot serve. Each frame is read
  // once, each segment through one open file: a young ledger's accounts were all opened after
  // the snapshot a question starts from, thousands of them in a few frames.
  std::sort(others.begin(), others.end(),
            [](const auto& a, const auto& b) { return a.second.seq < b.second.seq; });
  std::vector<std::pair<uint64_t, domain::StoredEvent>> other_events;
  bool foreign = false;
  for (size_t first = 0; first < others.size();) {
    const size_t segment = others[first].first;
    size_t end = first;
    while (end < others.size() && others[end].first == segment) ++end;
    auto index = SegmentAccountIndex::open(sys, segments, segment, IndexUse::kReadOnly,
                                           IndexParts::kPostings);
    if (!index) return index_unusable(segments, segment, index.status(), loaded);
    std::vector<uint64_t> seqs;
    for (size_t i = first; i < end; ++i) seqs.push_back(others[i].second.seq);
    auto locations = index->frames_of(seqs);
    if (!locations) return index_unusable(segments, segment, locations.status(), loaded);
    auto source = store::SegmentSource::open(sys, segments[segment]);
    if (!source) return source.status();
    for (size_t i = first; i < end;) {
      const FrameLocation& location = (*locations)[i - first];
      size_t frame_end = i;
      while (frame_end < end && (*locations)[frame_end - first].offset == location.offset) {
        ++frame_end;
      }
      auto frame = store::read_frame_at(*source, segments[segment], location.offset,
                                        location.length);
      if (!frame) return frame.status();
      size_t next = i;  // The next wanted entry: the frame gives its events in seq order.
      LEDGER_RETURN_IF_ERROR(for_each_event_in_frame(*frame, [&](const domain::EventAt& e) {
        if (next == frame_end || e.seq != others[next].second.seq) return;
        // Another account under a held one's key: entries cannot be told apart by key.
        foreign = foreign || !state.holds(e.event.account);
        other_events.emplace_back(others[next].second.account_key,
                                  domain::StoredEvent{e.seq, e.recorded_ns, e.effective_ns,
                                                      domain::to_event(e.event)});
        ++next;
      }));
      if (next != frame_end) {
        return index_unusable(
            segments, segment,
            Status(ErrorCode::kCorruption,
                   fmt::format("it names event {}, which is not in its frame",
                               others[next].second.seq)),
            loaded);
      }
      i = frame_end;
    }
    first = end;
  }
  if (foreign) return false;
  for (const auto& [key, event] : other_events) {
    const size_t before = state.accounts().size();
    state.apply(event);
    if (state.accounts().size() > before) by_key.emplace(key, before);
  }
  for (const EffectiveEntry& p : postings) {
    auto it = by_key.find(p.account_key);
    if (it == by_key.end()) {
      return Status(ErrorCode::kCorruption,
                    fmt::format("event {} moves money of an account that is not open", p.seq));
    }
    state.add_to_balance(it->second, p.amount);
    loaded.effective_max_ns = std::max(loaded.effective_max_ns, p.effective_ns);
    ++loaded.events_read;
  }
  return true;
}

// The refs of events (after, through]: older than the state's snapshot, newer than the ref
// index. Only after damage or a purge is this range long.
Status load_refs(const fs::path& dir, const std::vector<store::SegmentFile>& segments,
                 uint64_t after, uint64_t through, domain::LedgerState& state) {
  store::Syscalls& sys = store::real_syscalls();
  auto start = store::log_start(sys, dir, segments);
  if (!start) return start.status();
  store::LogReader reader(sys, segments, *start);
  domain::EventView view;
  for (;;) {
    auto frame = reader.next();
    if (!frame) return frame.status();
    if (*frame == nullptr || (*frame)->header.seq_first > through) return Status::ok();
    if ((*frame)->header.seq_last() <= after) continue;
    if (state.held_refs() && names_none((*frame)->bytes, *state.held_refs())) continue;
    store::RecordIterator records((*frame)->bytes);
    store::Record record;
    for (uint64_t seq = (*frame)->header.seq_first; records.next(record); ++seq) {
      if (seq <= after || seq > through) continue;
      LEDGER_RETURN_IF_ERROR(
          domain::decode_event_view(record.type, record.version, record.payload, view));
      if (!view.ref.empty()) state.track_ref(view.ref, {view.ref_digest, seq});
    }
  }
}

}  // namespace

std::string time_text(int64_t ns) { return util::format_time_human(ns); }

namespace {

// "(the log now begins at event 120; the oldest snapshot kept covers events up to 119)"
std::string purge_point(const PurgeBase& base) {
  return fmt::format("(the log now begins at event {}; the oldest snapshot kept covers events up "
                     "to {})",
                     base.first_seq, base.snapshot.meta.seq_last);
}

}  // namespace

Status purged_before(const PurgeBase& base, const Cutoffs& cutoffs) {
  const store::SnapshotMeta& m = base.snapshot.meta;
  const int64_t t = cutoffs.known_at_ns && m.recorded_ns > *cutoffs.known_at_ns
                        ? m.recorded_ns
                        : m.effective_max_ns;
  return {ErrorCode::kRefused,
          fmt::format("history before {} was purged {}", time_text(t), purge_point(base))};
}

Status purged_through(const PurgeBase& base) {
  return {ErrorCode::kRefused,
          fmt::format("history up to and including {} was purged {}",
                      time_text(base.snapshot.meta.effective_max_ns), purge_point(base))};
}

Result<domain::LedgerState> read_snapshot_state(const store::SnapshotFileInfo& info) {
  auto payload = store::read_snapshot_payload(store::real_syscalls(), info);
  if (!payload) return payload.status();
  auto state = domain::decode_state(*payload, false);
  if (state && state->last_seq() != info.meta.seq_last) {
    return Status(ErrorCode::kCorruption, "snapshot state and header disagree on the sequence");
  }
  return state;
}

Result<std::optional<PurgeBase>> purge_base(const fs::path& dir,
                                            const std::vector<store::SegmentFile>& segments) {
  const uint64_t first_seq = segments.empty() ? 1 : segments.front().base_seq;
  if (first_seq <= 1) return std::optional<PurgeBase>();
  store::Syscalls& sys = store::real_syscalls();
  for (const store::SnapshotFileInfo& info : store::list_snapshots(sys, dir).snapshots) {
    if (info.meta.seq_last + 1 < first_seq) continue;
    if (store::check_against_log(sys, segments, info.meta)) {
      return std::optional<PurgeBase>(PurgeBase{first_seq, info});
    }
  }
  return Status(ErrorCode::kCorruption,
                fmt::format("the log begins at event {} (earlier history was purged) and no usable "
                            "snapshot stands for what came before",
                            first_seq));
}

Result<LoadedState> load_state(const fs::path& dir, const LoadOptions& options) {
  store::Syscalls& sys = store::real_syscalls();
  auto segments = options.segments != nullptr
                      ? Result<std::vector<store::SegmentFile>>(*options.segments)
                      : store::list_segments(dir);
  if (!segments) return segments.status();
  LoadedState loaded;
  loaded.no_ledger = segments->empty();
  loaded.state = domain::LedgerState(options.track_refs);
  if (!options.only_accounts.empty()) loaded.state.hold_only(options.only_accounts);
  std::optional<store::LogPosition> start;
  if (options.use_snapshots) start = start_from_snapshot(dir, *segments, options, loaded);
  if (options.snapshot_only) return loaded;
  if (options.track_refs && options.only_refs) loaded.state.hold_refs_only(*options.only_refs);
  if (!start && !segments->empty()) {
    // Replaying a purged log from its start would miss what came before: never do that.
    auto base = purge_base(dir, *segments);
    if (!base) return base.status();
    if (*base) return purged_before(**base, options.cutoffs);
    auto first = store::log_start(sys, dir, *segments);
    if (!first) return first.status();
    start = *first;
  }
  if (!start) return loaded;
  if (options.track_refs && options.refs_known_through &&
      loaded.snapshot_seq > *options.refs_known_through) {
    LEDGER_RETURN_IF_ERROR(
        load_refs(dir, *segments, *options.refs_known_through, loaded.snapshot_seq, loaded.state));
  }
  const Cutoffs& cutoffs = options.cutoffs;
  const size_t active = segments->size() - 1;
  const std::vector<std::string> needles = needles_of(options);
  const bool keys_known = options.only_accounts.empty() || options.by_index_key;
  if (cutoffs.effective_at_ns && !cutoffs.known_at_ns && !options.track_refs && keys_known &&
      options.observe == nullptr && start->segment < active) {
    auto indexed = read_effective_indexes(*segments, *start, *cutoffs.effective_at_ns, loaded);
    if (!indexed) return indexed.status();
    if (*indexed) {
      auto active_start = store::segment_start(sys, *segments, active);
      if (!active_start) return active_start.status();
      bool known_ends = false;
      LEDGER_RETURN_IF_ERROR(read_range(*segments, {*active_start, kLogEnd}, options, needles,
                                        loaded, known_ends));
      return loaded;
    }
  }
  for (const store::LogRange& range : ranges_to_read(*segments, *start, options.cutoffs)) {
    bool known_ends = false;
    LEDGER_RETURN_IF_ERROR(
        read_range(*segments, range, options, needles, loaded, known_ends));
    if (known_ends) break;
  }
  return loaded;
}

Result<PendingSnapshot> prepare_snapshot(const domain::LedgerState& state,
                                         const store::FrameMark& frame, int64_t effective_max_ns) {
  if (state.last_seq() != frame.seq_last) {
    return Status(ErrorCode::kInternal, "a snapshot's state must end at its frame");
  }
  return PendingSnapshot{{frame.seq_last, frame.checksum, frame.segment_base, frame.offset,
                          frame.next_offset, frame.recorded_ns, effective_max_ns, util::now_ns(),
                          0, keys_distinct(state.accounts()) ? kAccountKeysDistinct : 0},
                         domain::encode_state(state)};
}

Status write_snapshot(const fs::path& dir, const PendingSnapshot& snapshot) {
  return store::write_snapshot(
      store::real_syscalls(), dir, snapshot.meta,
      store::ByteView(reinterpret_cast<const unsigned char*>(snapshot.payload.data()),
                      snapshot.payload.size()));
}

uint64_t newest_snapshot_seq(const fs::path& dir) {
  uint64_t newest = 0;
  // A folder that does not list holds no snapshot this can name.
  (void)store::for_each_name(store::snapshot_dir(dir), [&](std::string_view name) {
    if (auto seq = store::parse_snapshot_file_name(name)) newest = std::max(newest, *seq);
  });
  return newest;
}

// Retention: every snapshot within the newest kDenseSpans * N events of the newest one is
// kept; further back, a snapshot is kept only if the next newer kept one is at least a span
// away, and the span doubles each time the distance from the newest doubles. So the count
// grows with the logarithm of the history, and time travel to any date reads at most a span of
// events after its snapshot. The oldest snapshot is always kept: it is where a purged history
// begins.
Result<size_t> thin_snapshots(const fs::path& dir, uint64_t every_events) {
  constexpr uint64_t kDenseSpans = 64;
  store::Syscalls& sys = store::real_syscalls();
  store::SnapshotListing listing = store::list_snapshots(sys, dir);
  auto& all = listing.snapshots;
  if (all.size() < 3 || every_events == 0) return size_t{0};
  const uint64_t newest = all.back().meta.seq_last;
  const uint64_t dense = kDenseSpans * every_events;
  uint64_t kept_above = newest;
  size_t deleted = 0;
  for (size_t i = all.size() - 1; i-- > 1;) {
    const uint64_t seq = all[i].meta.seq_last;
    const uint64_t distance = newest - seq;
    if (distance < dense) {
      kept_above = seq;
      continue;
    }
    const uint64_t span = every_events << std::bit_width(distance / dense);
    if (kept_above - seq >= span) {
      kept_above = seq;
      continue;
    }
    LEDGER_RETURN_IF_ERROR(store::remove_durably(sys, all[i].path));
    ++deleted;
  }
  return deleted;
}

}  // namespace ledger::app
