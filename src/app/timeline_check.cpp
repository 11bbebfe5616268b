#include "app/timeline_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "store/verify.h"

namespace ledger::app {

namespace {

// The failures worth listing are the first ones asked, but they are found account by account:
// a heap keeps the earliest asked so far, its top the latest of them.
class Findings {
 public:
  void add(const TimelineCheck::Question& q, std::string what) {
    if (q.consequence) {
      ++out_.consequences;
      return;
    }
    if (heap_.size() == store::kVerifyProblemsMax) {
      ++out_.unlisted;
      if (heap_.front().order < q.order) return;
      std::pop_heap(heap_.begin(), heap_.end(), earlier);
      heap_.pop_back();
    }
    heap_.push_back({q.order, TimelineFinding{{q.event_seq, q.offset, q.segment, q.slot, false},
                                              q.account,
                                              q.at_ns,
                                              std::move(what)}});
    std::push_heap(heap_.begin(), heap_.end(), earlier);
  }

  TimelineFindings done() && {
    std::sort_heap(heap_.begin(), heap_.end(), earlier);
    for (Entry& e : heap_) out_.listed.push_back(std::move(e.finding));
    return std::move(out_);
  }

 private:
  struct Entry {
    uint64_t order = 0;
    TimelineFinding finding;
  };
  static bool earlier(const Entry& a, const Entry& b) { return a.order < b.order; }

  std::vector<Entry> heap_;
  TimelineFindings out_;
};

auto after(const std::vector<domain::LaterPosting>& timeline, int64_t at_ns) {
  return std::upper_bound(
      timeline.begin(), timeline.end(), at_ns,
      [](int64_t t, const domain::LaterPosting& p) { return t < p.effective_ns; });
}

// What breaks, if anything, for question `q` on its account's postings up to it.
std::optional<std::string> answer(const TimelineCheck::Question& q, domain::Account account,
                                  const std::vector<domain::LaterPosting>& timeline) {
  const auto first = after(timeline, q.at_ns);
  Status s;
  if (q.closing) {
    s = domain::closing_before_entry(account, q.at_ns,
                                     first == timeline.end() ? q.value : first->effective_ns);
  } else {
    account.balance = q.value;
    s = domain::check_funds(account, q.at_ns, std::span(first, timeline.end()));
  }
  if (s) return std::nullopt;
  return fmt::format("event {} breaks a rule: {}", q.event_seq, s.message());
}

// Puts a posting in timeline order: by position, then sequence (the highest yet). Most come
// last, in effective order.
void insert(std::vector<domain::LaterPosting>& timeline, const TimelineCheck::Posting& p) {
  const domain::LaterPosting later{p.position_ns, p.seq, p.amount};
  timeline.insert(after(timeline, p.position_ns), later);
}

}  // namespace

TimelineCheck::TimelineCheck(size_t postings_memory_bytes, size_t questions_memory_bytes)
    : postings_(postings_memory_bytes), questions_(questions_memory_bytes) {}

Status TimelineCheck::posting(uint32_t account, uint64_t seq, int64_t position_ns, int64_t amount) {
  return postings_.add({account, seq, position_ns, amount});
}

Status TimelineCheck::funds(uint32_t account, uint64_t seq_through, int64_t at_ns, int64_t balance,
                            const TimelineOrigin& origin) {
  return questions_.add({account, origin.segment, seq_through, questions_.size(), at_ns, balance,
                         origin.event_seq, origin.offset, origin.slot, false, origin.consequence});
}

Status TimelineCheck::closing(uint32_t account, int64_t at_ns, int64_t latest_ns,
                              const TimelineOrigin& origin) {
  return questions_.add({account, origin.segment, origin.event_seq, questions_.size(), at_ns,
                         latest_ns, origin.event_seq, origin.offset, origin.slot, true,
                         origin.consequence});
}

Result<TimelineFindings> TimelineCheck::finish(const std::vector<domain::Account>& accounts) {
  LEDGER_RETURN_IF_ERROR(postings_.finish());
  LEDGER_RETURN_IF_ERROR(questions_.finish());
  auto postings = postings_.cursor();
  if (!postings) return postings.status();
  auto questions = questions_.cursor();
  if (!questions) return questions.status();
  auto next = postings->next();
  if (!next) return next.status();
  std::optional<Posting> posting = *next;
  std::vector<domain::LaterPosting> timeline;  // Of the account questioned, in timeline order.
  uint32_t account = UINT32_MAX;
  Findings findings;
  for (;;) {
    auto question = questions->next();
    if (!question) return question.status();
    if (!*question) return std::move(findings).done();
    const Question& q = **question;
    if (q.account != account) {
      timeline.clear();
      account = q.account;
    }
    // Postings of accounts that nothing asks about are passed over.
    while (posting && (posting->account < account ||
                       (posting->account == account && posting->seq <= q.seq_through))) {
      if (posting->account == account) insert(timeline, *posting);
      next = postings->next();
      if (!next) return next.status();
      posting = *next;
    }
    if (auto what = answer(q, accounts[q.account], timeline)) findings.add(q, std::move(*what));
  }
}

Result<std::span<const domain::LaterPosting>> DeferredTimeline::postings_after(
    std::string_view, int64_t after_ns) const {
  asked_ns_ = after_ns;
  return Status{ErrorCode::kInternal, "the postings after a date are known after the replay"};
}

std::optional<int64_t> DeferredTimeline::take() const {
  return std::exchange(asked_ns_, std::nullopt);
}

}  // namespace ledger::app
