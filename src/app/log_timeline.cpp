#include "app/log_timeline.h"

#include <fmt/format.h>

#include <algorithm>

#include "app/account_index.h"
#include "app/replay.h"
#include "store/log_reader.h"
#include "util/time.h"

namespace ledger::app {

LogTimeline::LogTimeline(std::vector<store::SegmentFile> segments, uint64_t seq_last,
                         std::optional<int64_t> purged_effective_max_ns)
    : segments_(std::move(segments)),
      seq_last_(seq_last),
      purged_effective_max_ns_(purged_effective_max_ns) {}

Result<const store::TimeIndex*> LogTimeline::time_index() const {
  if (!time_index_) {
    // The sealed segments only: the newest is scanned, its frame headers serve as its index.
    std::vector<store::SegmentFile> sealed(segments_.begin(), segments_.end() - 1);
    auto index = store::TimeIndex::load(store::real_syscalls(), std::move(sealed), false);
    if (!index) return index.status();
    time_index_ = std::move(*index);
  }
  return &*time_index_;
}

Result<std::span<const domain::LaterPosting>> LogTimeline::postings_after(
    std::string_view account, int64_t after_ns) const {
  if (purged_effective_max_ns_ && after_ns < *purged_effective_max_ns_) {
    return Status(ErrorCode::kRefused,
                  fmt::format("an entry on {} for \"{}\" cannot be checked: the history before {} "
                              "was purged",
                              util::format_effective(after_ns, false, true), account,
                              util::format_effective(*purged_effective_max_ns_, false, true)));
  }
  auto cached = cache_.find(account);
  if (cached == cache_.end() || cached->second.after_ns > after_ns) {
    Read read{after_ns, {}};
    if (!segments_.empty()) {
      auto index = time_index();
      if (!index) return index.status();
      const auto& sealed = (*index)->segments();
      for (size_t i = 0; i < sealed.size(); ++i) {
        if (sealed[i].empty() || sealed[i].effective_max_ns <= after_ns) continue;
        LEDGER_RETURN_IF_ERROR(read_sealed(i, account, after_ns, read.postings));
      }
      // A write asks about an account or two: a scan passes over the frames dated before the
      // entry. An import asks about thousands: one read of the segment serves them all.
      if (++newest_asks_ <= kNewestScans) {
        LEDGER_RETURN_IF_ERROR(scan(segments_.size() - 1, account, after_ns, read.postings));
      } else {
        auto newest = newest_postings();
        if (!newest) return newest.status();
        if (auto it = (*newest)->find(account); it != (*newest)->end()) {
          for (const domain::LaterPosting& p : it->second) {
            if (p.effective_ns > after_ns) read.postings.push_back(p);
          }
        }
      }
    }
    std::sort(read.postings.begin(), read.postings.end(),
              [](const domain::LaterPosting& a, const domain::LaterPosting& b) {
                return std::tie(a.effective_ns, a.seq) < std::tie(b.effective_ns, b.seq);
              });
    cached = cache_.insert_or_assign(std::string(account), std::move(read)).first;
  }
  const auto& postings = cached->second.postings;
  auto from = std::upper_bound(
      postings.begin(), postings.end(), after_ns,
      [](int64_t t, const domain::LaterPosting& p) { return t < p.effective_ns; });
  return std::span<const domain::LaterPosting>(from, postings.end());
}

// The newest segment has no account index; an import asks about thousands of accounts, and a
// scan of the segment for each cost minutes on a large ledger. Past the first few it is read
// once, for all of them: a segment rolls at 8 MiB, so this holds at most a segment's postings.
Result<const LogTimeline::ByAccount*> LogTimeline::newest_postings() const {
  if (!newest_) {
    ByAccount by_account;
    LEDGER_RETURN_IF_ERROR(for_each_event_in_segment(
        store::real_syscalls(), segments_, segments_.size() - 1, seq_last_,
        [&](const domain::EventAt& e) {
          for (const domain::Posting& p : domain::postings_of(e.event)) {
            auto it = by_account.find(p.account);
            if (it == by_account.end()) {
              it = by_account.emplace(std::string(p.account), std::vector<domain::LaterPosting>())
                       .first;
            }
            it->second.push_back({e.effective_ns, e.seq, p.amount});
          }
        },
        [](const FrameSummary&) { return false; }));
    newest_ = std::move(by_account);
  }
  return &*newest_;
}

// Through the segment's account index (built now if it is missing: this is the write path).
Status LogTimeline::read_sealed(size_t index, std::string_view account, int64_t after_ns,
                                std::vector<domain::LaterPosting>& out) const {
  std::vector<Posting> postings;
  // Derived data that cannot be built (a full disk) or does not check out: the segment itself
  // answers, and says so if it cannot either.
  if (!indexed_postings(index, account, postings)) return scan(index, account, after_ns, out);
  for (const Posting& p : postings) {
    if (p.effective_ns > after_ns && p.seq <= seq_last_) out.push_back({p.effective_ns, p.seq, p.amount});
  }
  return Status::ok();
}

Status LogTimeline::indexed_postings(size_t index, std::string_view account,
                                     std::vector<Posting>& postings) const {
  if (auto found = open_indexes_.find(index); found != open_indexes_.end()) {
    return found->second.postings(account_key(account), postings);
  }
  auto opened = SegmentAccountIndex::open(store::real_syscalls(), segments_, index,
                                          IndexUse::kBuild, IndexParts::kPostings);
  if (!opened) return opened.status();
  const Status status = opened->postings(account_key(account), postings);
  if (open_indexes_.size() < kOpenIndexesMax) open_indexes_.emplace(index, std::move(*opened));
  return status;
}

Status LogTimeline::scan(size_t index, std::string_view account, int64_t after_ns,
                         std::vector<domain::LaterPosting>& out) const {
  return for_each_event_in_segment(
      store::real_syscalls(), segments_, index, seq_last_,
      [&](const domain::EventAt& e) {
        if (e.effective_ns <= after_ns) return;
        for (const domain::Posting& p : domain::postings_of(e.event)) {
          if (p.account == account) out.push_back({e.effective_ns, e.seq, p.amount});
        }
      },
      // A frame whose events are all effective by `after_ns` holds nothing later.
      [after_ns, account](const FrameSummary& f, store::ByteView frame) {
        return f.effective_max_ns <= after_ns || !frame_may_name(frame, account);
      });
}

}  // namespace ledger::app
