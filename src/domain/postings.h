#pragma once
// What an event does to balances, and where it stands among events at one instant: the one place
// that says either. Everything that moves money (apply, statements, indexes, verify, export)
// asks here.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/event_view.h"

namespace ledger::domain {

// What an event does to balances: the one place that says it. A deposit posts +amount to its
// account, a withdrawal -amount, a transfer -amount to `from` and +amount to `to`; openings and
// closings post nothing. The postings take effect at the event's effective time.
struct Posting {
  std::string_view account;
  int64_t amount = 0;
};
struct EventPostings {
  Posting items[2];
  size_t count = 0;
  const Posting* begin() const { return items; }
  const Posting* end() const { return items + count; }
};
EventPostings postings_of(const EventView& event);

// Order at one position on the timeline: openings, then money, then closings.
int timeline_rank(EventType type);

}  // namespace ledger::domain
