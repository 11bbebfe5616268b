#include "app/query_support.h"

#include "app/state_loader.h"

#include <fmt/format.h>

#include "domain/postings.h"
#include "ledger/money.h"
#include "store/log_cursor.h"
#include "util/time.h"

namespace ledger::app {

AccountView view_of(const domain::Account& a) {
  return {a.id, a.owner, a.currency.code, a.currency.decimals, a.balance, a.overdraft_limit,
          a.closed, a.opened_effective_ns};
}

AccountView view_of(domain::Account&& a) {
  return {std::move(a.id),  std::move(a.owner), a.currency.code, a.currency.decimals,
          a.balance,        a.overdraft_limit,  a.closed,        a.opened_effective_ns};
}

Status unknown_account(const std::filesystem::path& dir, const std::string& id,
                       const Cutoffs& cutoffs) {
  LEDGER_RETURN_IF_ERROR(domain::validate_account_id(id));
  auto whole = load_state(dir, {cutoffs, false, true, std::nullopt});
  if (!whole) return whole.status();
  return unknown_account_among(whole->state, id, cutoffs);
}

Status unknown_account_among(const domain::LedgerState& state, const std::string& id,
                             const Cutoffs& cutoffs) {
  LEDGER_RETURN_IF_ERROR(domain::validate_account_id(id));
  std::string message = fmt::format("unknown account \"{}\"", id);
  if (cutoffs.effective_at_ns) {
    message += fmt::format(" as of {}", util::format_time_human(*cutoffs.effective_at_ns));
  }
  if (cutoffs.known_at_ns) {
    message += fmt::format(" as known at {}", util::format_time_human(*cutoffs.known_at_ns));
  }
  const auto similar = state.similar_ids(id);
  if (!similar.empty()) message += fmt::format(" (did you mean \"{}\"?)", similar.front());
  return {ErrorCode::kRefused, message};
}

std::string amount_moved(const domain::LedgerState& state, const Command& command) {
  return std::visit(
      [&state](const auto& c) -> std::string {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, OpenAccount> || std::is_same_v<C, CloseAccount>) {
          return {};
        } else {
          const domain::Account* account;
          if constexpr (std::is_same_v<C, Transfer>) {
            account = state.find(c.from);
          } else {
            account = state.find(c.account);
          }
          if (account == nullptr) return c.amount;
          auto minor = parse_amount(c.amount, account->currency);
          if (!minor) return c.amount;
          return fmt::format("{} {}", format_amount(*minor, account->currency.decimals),
                             account->currency.code);
        }
      },
      command);
}

std::optional<StatementLine> line_of(const domain::EventAt& e, std::string_view id) {
  using domain::EventType;
  const domain::EventView& ev = e.event;
  StatementLine line{e.seq, e.effective_ns, e.recorded_ns, "", "", 0, 0, "", ""};
  bool moves = false;
  for (const domain::Posting& p : domain::postings_of(ev)) {
    if (p.account != id) continue;
    moves = true;
    line.amount = p.amount;
  }
  if (!moves) return std::nullopt;
  if (ev.type == EventType::kMoneyTransferred) {
    const bool out = line.amount < 0;
    line.type = out ? "transfer out" : "transfer in";
    line.counterparty = out ? ev.to : ev.from;
  } else {
    line.type = ev.type == EventType::kMoneyDeposited ? "deposit" : "withdrawal";
  }
  line.memo = ev.memo;
  line.ref = ev.ref;
  return line;
}

Status require_ledger(const std::filesystem::path& dir) {
  auto segments = store::list_segments(dir);
  if (!segments) return segments.status();
  return segments->empty() ? no_ledger(dir) : Status::ok();
}

Status no_ledger(const std::filesystem::path& dir) {
  return {ErrorCode::kNotFound,
          fmt::format("no ledger at {}; `ledger open` creates one", dir.string())};
}

}  // namespace ledger::app
