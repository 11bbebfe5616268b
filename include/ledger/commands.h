#pragma once
// What a user asks for. Amounts arrive as the text the user typed: only the account knows its
// currency, and so how many decimals the text may have. An absent effective time means "now".
// Where a dated command sits within its day is the domain's rule (ledger_state.h).

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "ledger/effective_time.h"

namespace ledger {

struct OpenAccount {
  std::string account;
  std::string owner;
  std::string currency = "USD";
  std::string overdraft_limit = "0";
  std::optional<EffectiveTime> effective;
  std::string ref;
};

struct Deposit {
  std::string account;
  std::string amount;
  std::string memo;
  std::optional<EffectiveTime> effective;
  std::string ref;
};

struct Withdraw {
  std::string account;
  std::string amount;
  std::string memo;
  std::optional<EffectiveTime> effective;
  std::string ref;
};

struct Transfer {
  std::string from;
  std::string to;
  std::string amount;
  std::string memo;
  std::optional<EffectiveTime> effective;
  std::string ref;
};

struct CloseAccount {
  std::string account;
  std::optional<EffectiveTime> effective;
  std::string ref;
};

using Command = std::variant<OpenAccount, Deposit, Withdraw, Transfer, CloseAccount>;

}  // namespace ledger
