#include "domain/postings.h"

namespace ledger::domain {

EventPostings postings_of(const EventView& e) {
  EventPostings out;
  switch (e.type) {
    case EventType::kMoneyDeposited:
      out.items[out.count++] = {e.account, e.amount};
      break;
    case EventType::kMoneyWithdrawn:
      out.items[out.count++] = {e.account, -e.amount};
      break;
    case EventType::kMoneyTransferred:
      out.items[out.count++] = {e.from, -e.amount};
      out.items[out.count++] = {e.to, e.amount};
      break;
    case EventType::kAccountOpened:
    case EventType::kAccountClosed:
      break;
  }
  return out;
}

int timeline_rank(EventType type) {
  switch (type) {
    case EventType::kAccountOpened: return 0;
    case EventType::kAccountClosed: return 2;
    default: return 1;
  }
}

}  // namespace ledger::domain
