#include "app/export_book.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <tuple>

#include "ledger/money.h"

namespace ledger::app {

namespace {

bool earlier(const std::pair<ExportKey, int>& a, const std::pair<ExportKey, int>& b) {
  return a.first < b.first || (!(b.first < a.first) && a.second < b.second);
}

bool fits_int64(__int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

}  // namespace

uint32_t ExportBook::number(std::string_view id) {
  auto [it, added] = numbers_.try_emplace(std::string(id), static_cast<uint32_t>(accounts_.size()));
  if (added) accounts_.emplace_back().id = id;
  return it->second;
}

void ExportBook::open(uint32_t account, std::string_view currency) {
  Account& a = accounts_[account];
  auto found = find_currency(currency);
  a.currency = std::string(currency);
  a.decimals = found ? found->decimals : 2;
  a.opened = true;
}

void ExportBook::touch(uint32_t account, const ExportKey& key, int side, int64_t delta) {
  Account& a = accounts_[account];
  a.total += delta;
  const std::pair<ExportKey, int> use{key, side};
  if (!a.first_use || earlier(use, *a.first_use)) a.first_use = use;
}

Status ExportBook::check_opened() const {
  const Account* first = nullptr;
  for (const Account& a : accounts_) {
    if (!a.opened && (first == nullptr || earlier(*a.first_use, *first->first_use))) first = &a;
  }
  if (first == nullptr) return Status::ok();
  return {ErrorCode::kCorruption,
          fmt::format("event {} touches account \"{}\", which was never opened",
                      first->first_use->first.seq, first->id)};
}

Status ExportBook::check_totals(const std::vector<AccountView>& views) const {
  if (views.size() != accounts_.size()) {
    return {ErrorCode::kInternal,
            fmt::format("export found {} accounts, balance {}", accounts_.size(), views.size())};
  }
  for (const AccountView& view : views) {
    auto it = numbers_.find(view.id);
    const __int128 ours = it == numbers_.end() ? 0 : accounts_[it->second].total;
    // Running balances that end beyond 64 bits overflow somewhere on the way.
    if (!fits_int64(ours)) return {ErrorCode::kRefused, "the balance would overflow"};
    if (ours != view.balance) {
      return {ErrorCode::kInternal,
              fmt::format("export disagrees with balance for \"{}\": {} against {} minor units",
                          view.id, static_cast<int64_t>(ours), view.balance)};
    }
  }
  return Status::ok();
}

std::vector<ExportAccount> ExportBook::accounts() const {
  std::vector<ExportAccount> out;
  for (const Account& a : accounts_) out.push_back({a.id, a.currency, a.decimals});
  std::sort(out.begin(), out.end(),
            [](const ExportAccount& a, const ExportAccount& b) { return a.id < b.id; });
  return out;
}

Status ExportBook::apply(ExportEvent& x, ExportAccountNumbers numbers) {
  Account& from = accounts_[numbers.account];
  x.account = from.id;
  x.currency = from.currency;
  x.decimals = from.decimals;
  if (x.op == EntryOp::kDeposit || x.op == EntryOp::kWithdraw || x.op == EntryOp::kTransfer) {
    auto next = x.op == EntryOp::kDeposit ? add_minor(from.balance, x.amount)
                                          : subtract_minor(from.balance, x.amount);
    if (!next) return next.status();
    from.balance = *next;
  }
  if (from.external == nullptr) from.external = &external_[from.currency];
  if (x.op == EntryOp::kDeposit) *from.external += x.amount;
  if (x.op == EntryOp::kWithdraw) *from.external -= x.amount;
  x.external_balance = *from.external;
  x.balance = from.balance;
  x.to.clear();
  x.to_balance = 0;
  if (x.op != EntryOp::kTransfer) return Status::ok();
  Account& to = accounts_[numbers.to];
  auto next = add_minor(to.balance, x.amount);
  if (!next) return next.status();
  to.balance = *next;
  x.to = to.id;
  x.to_balance = *next;
  return Status::ok();
}

Status ExportBook::check_written() const {
  for (const Account& a : accounts_) {
    if (a.balance != a.total) {
      return {ErrorCode::kInternal,
              fmt::format("export wrote a running balance for \"{}\" that ends at {}, not at the "
                          "{} minor units its events add up to",
                          a.id, a.balance, static_cast<int64_t>(a.total))};
    }
  }
  return Status::ok();
}

}  // namespace ledger::app
