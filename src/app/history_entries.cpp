#include "app/history_entries.h"

#include <type_traits>
#include <variant>

#include "ledger/money.h"

namespace ledger::app {

std::string HistoryCollector::money(const std::string& account, int64_t amount) const {
  auto it = decimals_.find(account);
  return format_amount(amount, it == decimals_.end() ? 2 : it->second);
}

void HistoryCollector::add(const domain::StoredEvent& e) {
  HistoryEntry h;
  h.seq = e.seq;
  h.recorded_ns = e.recorded_ns;
  h.effective_ns = e.effective_ns;
  h.type = domain::event_type_name(e.event);
  std::visit(
      [&](const auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        h.ref = ev.ref.ref;
        if constexpr (std::is_same_v<T, domain::AccountOpened>) {
          auto currency = find_currency(ev.currency);
          decimals_[ev.account] = currency ? currency->decimals : 2;
          h.account = ev.account;
          h.owner = ev.owner;
          h.currency = ev.currency;
          h.overdraft_limit = money(ev.account, ev.overdraft_limit);
        } else if constexpr (std::is_same_v<T, domain::MoneyTransferred>) {
          h.account = ev.from;
          h.to = ev.to;
          h.amount = money(ev.from, ev.amount);
          h.memo = ev.memo;
        } else if constexpr (std::is_same_v<T, domain::AccountClosed>) {
          h.account = ev.account;
        } else {
          h.account = ev.account;
          h.amount = money(ev.account, ev.amount);
          h.memo = ev.memo;
        }
      },
      e.event);
  const bool touches = !id_ || h.account == *id_ || h.to == *id_;
  seen_ = seen_ || (id_ && touches);
  const bool in_range = !from_ns_ || e.recorded_ns >= *from_ns_;
  if (touches && in_range) entries_.push_back(std::move(h));
}

}  // namespace ledger::app
