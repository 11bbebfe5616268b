#include "app/query_support.h"

#include "app/state_loader.h"

#include <fmt/format.h>

#include "store/log_cursor.h"
#include "util/time.h"

namespace ledger::app {

AccountView view_of(const domain::Account& a) {
  return {a.id, a.owner, a.currency.code, a.currency.decimals, a.balance, a.overdraft_limit,
          a.closed, a.opened_effective_ns};
}

Status unknown_account(const std::filesystem::path& dir, const std::string& id,
                       const Cutoffs& cutoffs) {
  LEDGER_RETURN_IF_ERROR(domain::validate_account_id(id));
  auto whole = load_state(dir, {cutoffs, false, true, std::nullopt});
  if (!whole) return whole.status();
  const domain::LedgerState& state = whole->state;
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
