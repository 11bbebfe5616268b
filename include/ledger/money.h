#pragma once
// Money: an exact count of a currency's minor units (cents for USD, yen for JPY), never floating
// point. Parsing is strict and arithmetic that would overflow is refused, never wrapped.

#include <cstdint>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace ledger {

struct Currency {
  std::string code;  // ISO 4217, e.g. "USD".
  int decimals = 2;  // Digits after the decimal point: JPY 0, USD 2, BHD 3.
};

inline constexpr std::string_view kDefaultCurrency = "USD";

// The ISO 4217 currency named by `code` (upper case), or kInvalidArgument.
Result<Currency> find_currency(std::string_view code);

// Parses a plain decimal such as "500", "500.5" or "500.25" into minor units. Refuses signs,
// exponents, separators, more decimals than the currency has, and values beyond int64.
// `what` names the value in messages ("amount", "overdraft limit").
Result<int64_t> parse_decimal(std::string_view text, const Currency& currency,
                              std::string_view what = "amount");
// parse_decimal, and the amount must be greater than zero.
Result<int64_t> parse_amount(std::string_view text, const Currency& currency);

// "-12.30" for -1230 minor units of a 2-decimal currency; exactly `decimals` places.
std::string format_amount(int64_t minor, int decimals);

// Overflow-checked arithmetic on minor units.
Result<int64_t> add_minor(int64_t a, int64_t b);
Result<int64_t> subtract_minor(int64_t a, int64_t b);

}  // namespace ledger
