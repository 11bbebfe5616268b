// `export`: every event the cutoffs let through, in effective order with running balances, for
// the CLI to write as a journal or as import rows. The cutoffs mean what they mean for
// balances() (ledger(1), TIMES): frames recorded after --known-at are not read, events effective
// after --at are left out. The final running balances are checked against balances() for the
// same cutoffs, so a journal never asserts numbers that our own queries would not give.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "app/replay.h"
#include "app/state_loader.h"
#include "ledger/ledger.h"
#include "domain/ledger_state.h"
#include "ledger/money.h"
#include "store/log_cursor.h"

namespace ledger {

namespace {

// Reporting progress for every event would cost more than the export itself.
constexpr uint64_t kProgressEveryEvents = 4096;

struct AccountInfo {
  std::string currency;
  int decimals = 2;
  int64_t balance = 0;
};

using Accounts = std::map<std::string, AccountInfo, std::less<>>;

ExportEvent export_event_of(const domain::EventAt& e, Accounts& accounts) {
  const domain::EventView& v = e.event;
  ExportEvent x;
  x.seq = e.seq;
  x.recorded_ns = e.recorded_ns;
  x.effective_ns = e.effective_ns;
  x.memo = std::string(v.memo);
  x.ref = std::string(v.ref);
  x.amount = v.amount;
  switch (v.type) {
    case domain::EventType::kAccountOpened: {
      auto currency = find_currency(v.currency);
      AccountInfo& info = accounts[std::string(v.account)];
      info.currency = std::string(v.currency);
      info.decimals = currency ? currency->decimals : 2;
      x.op = EntryOp::kOpen;
      x.account = std::string(v.account);
      x.owner = std::string(v.owner);
      x.overdraft_limit = v.overdraft_limit;
      break;
    }
    case domain::EventType::kMoneyDeposited:
      x.op = EntryOp::kDeposit;
      x.account = std::string(v.account);
      break;
    case domain::EventType::kMoneyWithdrawn:
      x.op = EntryOp::kWithdraw;
      x.account = std::string(v.account);
      break;
    case domain::EventType::kMoneyTransferred:
      x.op = EntryOp::kTransfer;
      x.account = std::string(v.from);
      x.to = std::string(v.to);
      break;
    case domain::EventType::kAccountClosed:
      x.op = EntryOp::kClose;
      x.account = std::string(v.account);
      break;
  }
  return x;
}

domain::EventType event_type_of(EntryOp op) {
  switch (op) {
    case EntryOp::kOpen: return domain::EventType::kAccountOpened;
    case EntryOp::kDeposit: return domain::EventType::kMoneyDeposited;
    case EntryOp::kWithdraw: return domain::EventType::kMoneyWithdrawn;
    case EntryOp::kTransfer: return domain::EventType::kMoneyTransferred;
    case EntryOp::kClose: return domain::EventType::kAccountClosed;
  }
  return domain::EventType::kAccountOpened;
}

// Fills in currency, decimals and running balances, in export order.
Status add_balances(std::vector<ExportEvent>& events, Accounts& accounts) {
  std::map<std::string, __int128, std::less<>> external;  // By currency.
  for (ExportEvent& x : events) {
    auto it = accounts.find(x.account);
    if (it == accounts.end()) {
      return {
          ErrorCode::kCorruption,
          fmt::format("event {} touches account \"{}\", which was never opened", x.seq, x.account)};
    }
    AccountInfo& from = it->second;
    x.currency = from.currency;
    x.decimals = from.decimals;
    if (x.op == EntryOp::kDeposit || x.op == EntryOp::kWithdraw || x.op == EntryOp::kTransfer) {
      auto next = x.op == EntryOp::kDeposit ? add_minor(from.balance, x.amount)
                                    : subtract_minor(from.balance, x.amount);
      if (!next) return next.status();
      from.balance = *next;
    }
    if (x.op == EntryOp::kDeposit) external[x.currency] += x.amount;
    if (x.op == EntryOp::kWithdraw) external[x.currency] -= x.amount;
    if (auto it_ext = external.find(x.currency); it_ext != external.end()) {
      x.external_balance = it_ext->second;
    }
    x.balance = from.balance;
    if (x.op != EntryOp::kTransfer) continue;
    auto to = accounts.find(x.to);
    if (to == accounts.end()) {
      return {ErrorCode::kCorruption,
              fmt::format("event {} touches account \"{}\", which was never opened", x.seq, x.to)};
    }
    auto next = add_minor(to->second.balance, x.amount);
    if (!next) return next.status();
    to->second.balance = *next;
    x.to_balance = *next;
  }
  return Status::ok();
}

// In timeline order (domain/ledger_state.h): by position, openings first and closings last at
// one position, then sequence; the order in which import applies rows, so that an export
// imported into an empty ledger is accepted whatever was backdated. The keys are sorted, not
// the events: moving events of several strings each costs more than the rest of the export.
void sort_for_export(std::vector<ExportEvent>& events) {
  struct Key {
    int64_t position;
    int rank;
    uint64_t seq;
    size_t index;
  };
  std::vector<Key> keys;
  keys.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const ExportEvent& x = events[i];
    const bool open = x.op == EntryOp::kOpen;
    // A version 1 opening kept its instant; the account is open from its day's start.
    const int64_t position = open ? domain::opening_day_start(x.effective_ns) : x.effective_ns;
    keys.push_back({position, domain::timeline_rank(event_type_of(x.op)), x.seq, i});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return std::tie(a.position, a.rank, a.seq) < std::tie(b.position, b.rank, b.seq);
  });
  std::vector<ExportEvent> sorted;
  sorted.reserve(events.size());
  for (const Key& key : keys) sorted.push_back(std::move(events[key.index]));
  events = std::move(sorted);
}

}  // namespace

const char* op_name(EntryOp op) {
  switch (op) {
    case EntryOp::kOpen: return "open";
    case EntryOp::kDeposit: return "deposit";
    case EntryOp::kWithdraw: return "withdraw";
    case EntryOp::kTransfer: return "transfer";
    case EntryOp::kClose: return "close";
  }
  return "open";
}

Result<std::vector<ExportEvent>> Ledger::export_events(
    const Cutoffs& cutoffs, const std::function<void(uint64_t)>& progress) const {
  auto segments = store::list_segments(options_.dir);
  if (!segments) return segments.status();
  auto base = app::purge_base(options_.dir, *segments);
  if (!base) return base.status();
  if (*base) {
    return Status(ErrorCode::kRefused,
                  fmt::format("cannot export: the history before event {} was purged (`compact "
                              "--purge`), and an export needs every event from the first",
                              (*base)->first_seq));
  }
  Accounts accounts;
  std::vector<ExportEvent> events;
  uint64_t read = 0;
  // A frame whose events are all effective after --at holds nothing for the export; its
  // openings are not needed either, since nothing exported can touch those accounts.
  auto skip = [&cutoffs](const app::FrameSummary& f) {
    return cutoffs.effective_at_ns && f.effective_min_ns > *cutoffs.effective_at_ns;
  };
  LEDGER_RETURN_IF_ERROR(app::replay_events(
      options_.dir, cutoffs.known_at_ns,
      [&](const domain::EventAt& e) {
        if (progress && ++read % kProgressEveryEvents == 0) progress(read);
        if (cutoffs.effective_at_ns && e.effective_ns > *cutoffs.effective_at_ns) return;
        events.push_back(export_event_of(e, accounts));
      },
      skip));
  sort_for_export(events);
  LEDGER_RETURN_IF_ERROR(add_balances(events, accounts));
  // The same books through the query path (snapshots and all): they must agree.
  auto views = balances({}, cutoffs);
  if (!views) return views.status();
  if (views->size() != accounts.size()) {
    return Status(ErrorCode::kInternal, fmt::format("export found {} accounts, balance {}",
                                                    accounts.size(), views->size()));
  }
  for (const AccountView& view : *views) {
    auto it = accounts.find(view.id);
    const int64_t ours = it == accounts.end() ? 0 : it->second.balance;
    if (ours != view.balance) {
      return Status(ErrorCode::kInternal,
                    fmt::format("export disagrees with balance for \"{}\": {} against {} minor "
                                "units",
                                view.id, ours, view.balance));
    }
  }
  return events;
}

}  // namespace ledger
