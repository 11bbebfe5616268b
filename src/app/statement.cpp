// `statement`: one account's movements in effective order with running balances. The account
// index (app/account_index.h) gives the postings of sealed segments without decoding them; the
// newest segment is read in full; only the frames of the printed lines are read for details.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "app/account_index.h"
#include "app/query_support.h"
#include "app/replay.h"
#include "app/state_loader.h"
#include "ledger/ledger.h"
#include "store/log_cursor.h"
#include "store/log_reader.h"

namespace ledger {

namespace {

struct Movement {
  app::Posting posting;
  size_t segment = 0;
  std::optional<StatementLine> line;  // Filled in from the log.
};

// Every movement of `id` in segment `index` read from the log itself (the newest segment, or one
// whose account index cannot be used).
Status scan_segment(store::Syscalls& sys, const std::vector<store::SegmentFile>& segments,
                    size_t index, uint64_t seq_limit, const std::string& id,
                    std::vector<Movement>& out) {
  return app::for_each_event_in_segment(
      sys, segments, index, seq_limit,
      [&](const domain::EventAt& e) {
        if (auto line = app::line_of(e, id)) {
          out.push_back({{e.seq, e.effective_ns, line->amount}, index, std::move(line)});
        }
      },
      [&id](const app::FrameSummary&, store::ByteView frame) {
        return !app::frame_may_name(frame, id);
      });
}

// What is hinted of a segment's last frame, whose length its account index does not give: an
// import's frame of 64 events is about 6 KB.
constexpr uint64_t kLastFrameHint = 8u << 10;
// Frames closer than this share one hint: the kernel reads whole pages anyway.
constexpr uint64_t kHintGap = 4096;
// Segments a statement keeps open between hinting their frames and reading them.
constexpr size_t kSegmentsHeldOpen = 256;

// Reads the frames of the lines to print, once each, and checks them against the index. `cold`:
// the account indexes were not in the page cache, so every read is hinted to the kernel first.
Status fill_lines(store::Syscalls& sys, const std::vector<store::SegmentFile>& segments,
                  const std::map<size_t, app::SegmentAccountIndex>& indexes, const std::string& id,
                  std::vector<Movement*>& wanted, bool cold) {
  std::map<std::pair<size_t, uint64_t>, std::vector<Movement*>> by_frame;
  std::map<std::pair<size_t, uint64_t>, uint64_t> length;
  std::map<size_t, std::vector<Movement*>> by_segment;
  for (Movement* m : wanted) by_segment[m->segment].push_back(m);
  std::map<size_t, std::vector<uint64_t>> seqs_of;
  for (auto& [segment, movements] : by_segment) {
    std::sort(movements.begin(), movements.end(), [](const Movement* a, const Movement* b) {
      return a->posting.seq < b->posting.seq;
    });
    std::vector<uint64_t>& seqs = seqs_of[segment];
    for (const Movement* m : movements) seqs.push_back(m->posting.seq);
    if (cold) indexes.at(segment).will_need_frames(seqs);  // For all before any is read.
  }
  for (auto& [segment, movements] : by_segment) {
    auto locations = indexes.at(segment).frames_of(seqs_of.at(segment));
    if (!locations) return locations.status();
    for (size_t i = 0; i < movements.size(); ++i) {
      const app::FrameLocation& location = (*locations)[i];
      by_frame[{segment, location.offset}].push_back(movements[i]);
      length[{segment, location.offset}] = location.length;
    }
  }
  // On a cold cache every frame to read is hinted to the kernel first, so that the disk reads
  // them together rather than one after another; frames less than a page apart share one hint.
  // The frames come in (segment, offset) order. The segments opened for the hints stay open for
  // the reads, up to kSegmentsHeldOpen (a hint outlives the file it was given through).
  std::map<size_t, store::SegmentSource> sources;
  auto source_of = [&](size_t segment) -> Result<const store::SegmentSource*> {
    if (auto held = sources.find(segment); held != sources.end()) return &held->second;
    auto opened = store::SegmentSource::open(sys, segments[segment]);
    if (!opened) return opened.status();
    if (sources.size() == kSegmentsHeldOpen) sources.erase(sources.begin());
    return &sources.emplace(segment, std::move(*opened)).first->second;
  };
  std::optional<std::pair<size_t, uint64_t>> range;  // (segment, start) of the open range.
  uint64_t range_end = 0;
  auto flush_hint = [&]() -> Status {
    if (!range) return Status::ok();
    auto source = source_of(range->first);
    if (!source) return source.status();
    (*source)->will_need(range->second, range_end - range->second);
    return Status::ok();
  };
  // The frames are cold too if the indexes were; if not, the first frame is asked, since the
  // indexes a statement read last time may still be cached when its frames are not.
  bool hint = cold;
  if (!hint && !by_frame.empty()) {
    auto first = source_of(by_frame.begin()->first.first);
    if (!first) return first.status();
    hint = !(*first)->cached(by_frame.begin()->first.second);
  }
  // Each frame's own bytes, as its account index gives them: hinting 32 KiB from each (fit for
  // the 256-event frames of old, not the 6 KB of 64 events) made a cold one-year statement at
  // ten million events ask the disk for 21 MB to print 673 lines.
  for (auto item = by_frame.begin(); hint && item != by_frame.end(); ++item) {
    const auto [segment, offset] = item->first;
    const uint64_t known = length.at(item->first);  // 0: a segment's last frame.
    const uint64_t end = offset + (known != 0 ? known : kLastFrameHint);
    if (range && range->first == segment && offset <= range_end + kHintGap) {
      range_end = std::max(range_end, end);
      continue;
    }
    LEDGER_RETURN_IF_ERROR(flush_hint());
    range = item->first;
    range_end = end;
  }
  LEDGER_RETURN_IF_ERROR(flush_hint());
  for (auto& item : by_frame) {
    // Not a structured binding: clang before 16 cannot capture one in the lambda below.
    const std::pair<size_t, uint64_t>& place = item.first;
    std::vector<Movement*>& movements = item.second;
    auto source = source_of(place.first);
    if (!source) return source.status();
    auto frame = store::read_frame_at(**source, segments[place.first], place.second,
                                      length.at(place));
    if (!frame) return frame.status();
    LEDGER_RETURN_IF_ERROR(app::for_each_event_in_frame(*frame, [&](const domain::EventAt& e) {
      for (Movement* m : movements) {
        if (m->posting.seq != e.seq) continue;
        m->line = app::line_of(e, id);
        if (!m->line || m->line->amount != m->posting.amount ||
            m->line->effective_ns != m->posting.effective_ns) {
          return Status(ErrorCode::kCorruption,
                        fmt::format("the account index of {} disagrees with the log at event {} "
                                    "(delete {} to rebuild it; `ledger verify` checks it)",
                                    segments[place.first].path.filename().string(), e.seq,
                                    app::account_index_path(segments[place.first]).string()));
        }
      }
      return Status::ok();
    }, [&movements](uint64_t seq) {
      return std::any_of(movements.begin(), movements.end(),
                         [seq](const Movement* m) { return m->posting.seq == seq; });
    }));
    for (Movement* m : movements) {
      if (!m->line) {
        return Status(ErrorCode::kCorruption,
                      fmt::format("the account index of {} names event {}, which is not in its frame",
                                  segments[place.first].path.filename().string(), m->posting.seq));
      }
    }
  }
  return Status::ok();
}

}  // namespace

Result<Statement> Ledger::statement(const std::string& id, std::optional<int64_t> from_ns,
                                    std::optional<int64_t> to_ns,
                                    std::optional<int64_t> known_at_ns) const {
  if (books_) return books_->statement(id, from_ns, to_ns, known_at_ns);
  const Cutoffs known{std::nullopt, known_at_ns};
  // The account alone: a binary search of the snapshot, and its entries after it.
  auto loaded = app::load_state(options_.dir, {known, false, true, std::nullopt, {id}, true});
  if (!loaded) return loaded.status();
  if (loaded->no_ledger) return app::no_ledger(options_.dir);
  warnings_ = std::move(loaded->warnings);
  const domain::Account* account = loaded->state.find(id);
  if (account == nullptr) return app::unknown_account(options_.dir, id, known);
  const uint64_t seq_limit = loaded->state.last_seq();
  const uint64_t key = app::account_key(id);
  // Another account with the same 64-bit key would mix its postings in: read the log then.
  const bool key_shared = loaded->key_shared;
  store::Syscalls& sys = store::real_syscalls();
  auto segments = store::list_segments(options_.dir);
  if (!segments) return segments.status();
  // After a purge, the statement opens from the account's balance in the snapshot that stands
  // for the purged history; only later events are listed.
  int64_t base_balance = 0;
  uint64_t base_seq = 0;
  auto base = app::purge_base(options_.dir, *segments);
  if (!base) return base.status();
  if (*base) {
    const store::SnapshotMeta& meta = (*base)->snapshot.meta;
    if (known_at_ns && *known_at_ns < meta.recorded_ns) {
      return app::purged_before(**base, Cutoffs{std::nullopt, known_at_ns});
    }
    if (from_ns && *from_ns <= meta.effective_max_ns) return app::purged_through(**base);
    auto state = app::read_snapshot_state((*base)->snapshot);
    if (!state) return state.status();
    if (const domain::Account* then = state->find(id)) base_balance = then->balance;
    base_seq = meta.seq_last;
  }
  // Everything in a snapshot whose events are all effective before --from goes into the opening
  // balance alone: the statement opens from the account's balance there, and only the segments
  // after it are read (events after it that are dated before --from still count).
  if (from_ns && !known_at_ns && *from_ns > INT64_MIN) {
    app::LoadOptions before;
    before.only_accounts = {id};
    // (And within --to: a statement that ends before it opens counts nothing after its end.)
    before.snapshot_effective_max_ns = to_ns ? std::min(*from_ns - 1, *to_ns) : *from_ns - 1;
    before.snapshot_only = true;
    before.segments = &*segments;
    auto opening = app::load_state(options_.dir, before);
    if (!opening) return opening.status();
    for (std::string& warning : opening->warnings) {
      if (std::find(warnings_.begin(), warnings_.end(), warning) == warnings_.end()) {
        warnings_.push_back(std::move(warning));
      }
    }
    if (opening->snapshot_seq > base_seq) {
      const domain::Account* then = opening->state.find(id);
      base_balance = then != nullptr ? then->balance : 0;
      base_seq = opening->snapshot_seq;
    }
  }
  std::vector<Movement> movements;
  std::vector<size_t> indexed;  // The sealed segments read through their account index.
  for (size_t i = 0; i < segments->size() && (*segments)[i].base_seq <= seq_limit; ++i) {
    const bool sealed = i + 1 < segments->size();
    if (sealed && (*segments)[i + 1].base_seq - 1 <= base_seq) continue;  // All in the base.
    if (!sealed || key_shared) {
      LEDGER_RETURN_IF_ERROR(scan_segment(sys, *segments, i, seq_limit, id, movements));
      continue;
    }
    indexed.push_back(i);
  }
  // Derived data that is missing or does not check out: the segment itself answers (a query
  // writes nothing; a write or `ledger snapshot` builds the index again).
  auto unusable = [&](size_t i, const Status& why) -> Status {
    if (!app::index_cannot_serve((*segments)[i], why, warnings_)) return why;
    return scan_segment(sys, *segments, i, seq_limit, id, movements);
  };
  // Each step is hinted to the kernel for every segment before any is read (what opening reads,
  // then the postings' blocks, then the frames): on a cold cache the disk serves a step's reads
  // together, not one segment's after another's. On a warm cache each hint is a system call
  // that changes nothing (about 1,100 of them, a tenth of the time, for a one-year statement at
  // ten million events), so the indexes' reads are hinted only when the first account index
  // does not begin in the page cache (and the frames' reads when the first frame is not, too).
  const bool cold =
      !indexed.empty() && !app::SegmentAccountIndex::cached(sys, *segments, indexed.front());
  if (cold) {
    for (const size_t i : indexed) app::SegmentAccountIndex::will_need_to_open(sys, *segments, i);
  }
  std::map<size_t, app::SegmentAccountIndex> indexes;
  for (const size_t i : indexed) {
    auto index = app::SegmentAccountIndex::open(sys, *segments, i, app::IndexUse::kReadOnly,
                                                app::IndexParts::kPostings);
    if (!index) {
      LEDGER_RETURN_IF_ERROR(unusable(i, index.status()));
      continue;
    }
    if (cold) index->will_need_postings(key);
    indexes.emplace(i, std::move(*index));
  }
  for (auto it = indexes.begin(); it != indexes.end();) {
    std::vector<app::Posting> postings;
    if (Status read = it->second.postings(key, postings); !read) {
      LEDGER_RETURN_IF_ERROR(unusable(it->first, read));
      it = indexes.erase(it);
      continue;
    }
    for (const app::Posting& p : postings) {
      if (p.seq <= seq_limit && p.seq > base_seq) movements.push_back({p, it->first, std::nullopt});
    }
    ++it;
  }
  std::erase_if(movements, [base_seq](const Movement& m) { return m.posting.seq <= base_seq; });
  // Effective order; the sequence number breaks ties, so the order is the same on every run.
  std::sort(movements.begin(), movements.end(), [](const Movement& a, const Movement& b) {
    return std::tie(a.posting.effective_ns, a.posting.seq) <
           std::tie(b.posting.effective_ns, b.posting.seq);
  });
  std::vector<Movement*> wanted;
  for (Movement& m : movements) {
    const int64_t at = m.posting.effective_ns;
    if (to_ns && at > *to_ns) break;
    if ((!from_ns || at >= *from_ns) && !m.line) wanted.push_back(&m);
  }
  LEDGER_RETURN_IF_ERROR(fill_lines(sys, *segments, indexes, id, wanted, cold));
  Statement statement{app::view_of(*account), from_ns, to_ns, base_balance, 0, {}};
  int64_t balance = base_balance;
  for (Movement& m : movements) {
    if (to_ns && m.posting.effective_ns > *to_ns) break;
    balance += m.posting.amount;
    if (from_ns && m.posting.effective_ns < *from_ns) {
      statement.opening_balance = balance;
      continue;
    }
    m.line->balance = balance;
    statement.lines.push_back(std::move(*m.line));
  }
  statement.closing_balance = balance;
  statement.account.balance = balance;
  return statement;
}

}  // namespace ledger
