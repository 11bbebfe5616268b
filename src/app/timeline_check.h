#pragma once
// The rules of the timeline that `ledger verify` cannot check as its replay goes without keeping
// every posting in memory: the balance of a backdated event's accounts at its date and at every
// later one, and the first entry after a closing dated before it. The replay hands over each
// posting it applies and each such question where it meets it; finish() answers them all at the
// end, account by account, from the postings sorted by account in a scratch file
// (util/external_sort.h). So memory holds the postings of one questioned account at a time,
// not the log's. Most events come in effective order and ask nothing; a backdated one is the
// exception.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/ledger_state.h"
#include "ledger/status.h"
#include "util/external_sort.h"

namespace ledger::app {

// Where the replay met a question, so that a failure is named and placed as it would have been
// had the replay known the answer then.
struct TimelineOrigin {
  uint64_t event_seq = 0;
  uint64_t offset = 0;       // Of the event's frame in its segment.
  uint32_t segment = 0;      // The replay's number for the segment.
  uint64_t slot = 0;         // How many problems the report held then.
  bool consequence = false;  // Events were lost to damage by then: a failure is counted only.
};

struct TimelineFinding {
  TimelineOrigin origin;
  uint32_t account = 0;     // Its index in the replay's accounts.
  int64_t position_ns = 0;  // The event's position on the timeline.
  std::string what;         // "event N breaks a rule: ..."
};

struct TimelineFindings {
  // The first failures that are not consequences, in the order they were asked, up to the
  // number of problems a report lists; `unlisted` counts the rest.
  std::vector<TimelineFinding> listed;
  uint64_t unlisted = 0;
  uint64_t consequences = 0;
};

class TimelineCheck {
 public:
  // Verify sorts its refs in 8 MiB beside these; merging costs 64 KiB per spilled run.
  static constexpr size_t kPostingsMemoryBytes = size_t{8} << 20;
  static constexpr size_t kQuestionsMemoryBytes = size_t{4} << 20;

  explicit TimelineCheck(size_t postings_memory_bytes = kPostingsMemoryBytes,
                         size_t questions_memory_bytes = kQuestionsMemoryBytes);

  // A posting the replay applied to `account` (its index in the replay's accounts).
  Status posting(uint32_t account, uint64_t seq, int64_t position_ns, int64_t amount);
  // With every event through `seq_through` applied, `account` stands at `balance` at the head;
  // its running balance must hold from `at_ns` on.
  Status funds(uint32_t account, uint64_t seq_through, int64_t at_ns, int64_t balance,
               const TimelineOrigin& origin);
  // A closing at `at_ns` of `account`, whose latest entry (at `latest_ns`) is later, was refused;
  // the refusal names the first entry after `at_ns`.
  Status closing(uint32_t account, int64_t at_ns, int64_t latest_ns, const TimelineOrigin& origin);
  // Answers every question against the replay's accounts at its end.
  Result<TimelineFindings> finish(const std::vector<domain::Account>& accounts);

  uint64_t questions() const { return questions_.size(); }
  size_t scratch_runs() const { return postings_.scratch_runs() + questions_.scratch_runs(); }

  struct Posting {
    uint32_t account = 0;
    uint64_t seq = 0;
    int64_t position_ns = 0;
    int64_t amount = 0;
  };
  struct Question {
    uint32_t account = 0;
    uint32_t segment = 0;
    uint64_t seq_through = 0;  // It is asked of the postings up to this event.
    uint64_t order = 0;        // How many questions came before it.
    int64_t at_ns = 0;
    int64_t value = 0;  // Funds: the balance at the head; a closing: its account's latest entry.
    uint64_t event_seq = 0;
    uint64_t offset = 0;
    uint64_t slot = 0;
    bool closing = false;
    bool consequence = false;
  };

 private:
  struct PostingOrder {
    bool operator()(const Posting& a, const Posting& b) const {
      return a.account != b.account ? a.account < b.account : a.seq < b.seq;
    }
  };
  struct QuestionOrder {
    bool operator()(const Question& a, const Question& b) const {
      if (a.account != b.account) return a.account < b.account;
      if (a.seq_through != b.seq_through) return a.seq_through < b.seq_through;
      return a.order < b.order;
    }
  };

  util::ExternalSort<Posting, PostingOrder> postings_;
  util::ExternalSort<Question, QuestionOrder> questions_;
};

// The timeline verify's replay gives its state. Only a closing dated before a later entry of its
// account asks it during the replay (balances go to TimelineCheck instead), and which entry
// comes first is known only at the end: it answers with an error, which refuses the closing, and
// keeps the question for the replay to hand on.
class DeferredTimeline : public domain::Timeline {
 public:
  Result<std::span<const domain::LaterPosting>> postings_after(std::string_view account,
                                                               int64_t after_ns) const override;
  // The position asked about since the last take(), if any.
  std::optional<int64_t> take() const;

 private:
  mutable std::optional<int64_t> asked_ns_;
};

}  // namespace ledger::app
