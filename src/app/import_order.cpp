#include "app/import_order.h"

#include <type_traits>
#include <utility>

#include "util/scratch_bytes.h"

namespace ledger::app {

namespace {

// The string fields of each command, in one order for writing and reading.
template <class C, class F>
void fields(C& c, F f) {
  using T = std::remove_const_t<C>;
  if constexpr (std::is_same_v<T, OpenAccount>) {
    f(c.account), f(c.owner), f(c.currency), f(c.overdraft_limit), f(c.ref);
  } else if constexpr (std::is_same_v<T, Transfer>) {
    f(c.from), f(c.to), f(c.amount), f(c.memo), f(c.ref);
  } else if constexpr (std::is_same_v<T, CloseAccount>) {
    f(c.account), f(c.ref);
  } else {  // Deposit, Withdraw.
    f(c.account), f(c.amount), f(c.memo), f(c.ref);
  }
}

void put_body(std::string& out, const ImportRow& row) {
  util::put_bytes(out, static_cast<uint8_t>(row.command.index()));
  util::put_bytes(out, static_cast<uint64_t>(row.line));
  const auto& effective = std::visit([](const auto& c) -> const std::optional<EffectiveTime>& {
    return c.effective;
  }, row.command);
  util::put_bytes(out, static_cast<uint8_t>(effective ? (effective->date ? 2 : 1) : 0));
  if (effective) util::put_bytes(out, effective->ns);
  std::visit([&out](const auto& c) {
    fields(c, [&out](const std::string& s) { util::put_text(out, s); });
  }, row.command);
}

// Into `row`, reusing the capacity of its strings where the kind of command is the same.
void get_body(const char* at, ImportRow& row) {
  const auto kind = util::get_bytes<uint8_t>(at);
  row.line = static_cast<size_t>(util::get_bytes<uint64_t>(at));
  const auto has = util::get_bytes<uint8_t>(at);
  std::optional<EffectiveTime> effective;
  if (has != 0) effective = EffectiveTime{util::get_bytes<int64_t>(at), has == 2};
  auto fill = [&](auto blank) {
    using C = decltype(blank);
    if (!std::holds_alternative<C>(row.command)) row.command = std::move(blank);
    C& command = std::get<C>(row.command);
    command.effective = effective;
    fields(command, [&at](std::string& s) { util::get_text(at, s); });
  };
  switch (kind) {
    case 0: fill(OpenAccount{}); break;
    case 1: fill(Deposit{}); break;
    case 2: fill(Withdraw{}); break;
    case 3: fill(Transfer{}); break;
    default: fill(CloseAccount{}); break;
  }
}

}  // namespace

Status ImportOrder::add(const ImportRow& row, const domain::TimelineKey& key) {
  body_.clear();
  put_body(body_, row);
  return sorted_.add(key, body_);
}

Status ImportOrder::finish() {
  LEDGER_RETURN_IF_ERROR(sorted_.finish());
  auto cursor = sorted_.cursor();
  if (!cursor) return cursor.status();
  cursor_.emplace(std::move(*cursor));
  return advance();
}

Status ImportOrder::advance() {
  auto next = cursor_->next();
  if (!next) return next.status();
  next_key_ = *next;
  return Status::ok();
}

Status ImportOrder::take(ImportRow& row) {
  get_body(cursor_->payload().data(), row);
  return advance();
}

}  // namespace ledger::app
