// libFuzzer target for the amount parser and formatter (ledger/money.h).
//
// An input is one control byte and the text of an amount. The control byte picks the currency
// (by its number of decimals: 0, 2, 3 or 4); the text goes through parse_decimal and
// parse_amount, whose verdict and value are compared with a plain reference parser written
// here, and every accepted value must format back to text that parses to the same value. The
// first 8 bytes of the text, read as a number of minor units, also go through format_amount,
// add_minor and subtract_minor, and the first 3 through find_currency.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "ledger/money.h"

namespace {

using ledger::Currency;
using ledger::fuzz::check;

constexpr const char* kCodes[] = {"JPY", "USD", "BHD", "CLF"};  // 0, 2, 3 and 4 decimals.

// The grammar and value of parse_decimal, by another route: [0-9]+(\.[0-9]+)?, at most
// `decimals` digits after the point, and a value that fits int64.
std::optional<int64_t> reference_decimal(std::string_view text, int decimals) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) return std::nullopt;
  if (fraction.size() > static_cast<size_t>(decimals)) return std::nullopt;
  __int128 value = 0;
  auto push = [&value](char c) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
    return value <= INT64_MAX;
  };
  for (char c : whole) {
    if (!push(c)) return std::nullopt;
  }
  for (char c : fraction) {
    if (!push(c)) return std::nullopt;
  }
  for (size_t i = fraction.size(); i < static_cast<size_t>(decimals); ++i) {
    if (!push('0')) return std::nullopt;
  }
  return static_cast<int64_t>(value);
}

// format_amount writes exactly `decimals` places, a '-' only for a negative value, and nothing
// else but digits.
void check_formatted(const std::string& text, int64_t minor, int decimals) {
  std::string_view rest = text;
  if (minor < 0) {
    check(!rest.empty() && rest.front() == '-');
    rest.remove_prefix(1);
  }
  const size_t dot = rest.find('.');
  if (decimals == 0) {
    check(dot == std::string_view::npos);
  } else {
    check(dot != std::string_view::npos && rest.size() - dot - 1 == static_cast<size_t>(decimals));
  }
  check(!rest.empty() && rest.front() != '.');
}

// Any value, formatted, reads back as itself (a negative one without its sign, as its
// magnitude), except INT64_MIN, whose magnitude is too large for parse_decimal.
void check_format_round_trip(int64_t minor, const Currency& currency) {
  const std::string text = ledger::format_amount(minor, currency.decimals);
  check_formatted(text, minor, currency.decimals);
  if (minor >= 0) {
    auto back = ledger::parse_decimal(text, currency);
    check(back.is_ok() && *back == minor);
    return;
  }
  auto magnitude = ledger::parse_decimal(std::string_view(text).substr(1), currency);
  if (minor == INT64_MIN) {
    check(!magnitude.is_ok());
  } else {
    check(magnitude.is_ok() && *magnitude == -minor);
  }
}

void check_arithmetic(int64_t a, int64_t b) {
  const __int128 sum = static_cast<__int128>(a) + b;
  const __int128 difference = static_cast<__int128>(a) - b;
  auto added = ledger::add_minor(a, b);
  auto subtracted = ledger::subtract_minor(a, b);
  check(added.is_ok() == (sum >= INT64_MIN && sum <= INT64_MAX));
  if (added) check(*added == sum);
  check(subtracted.is_ok() == (difference >= INT64_MIN && difference <= INT64_MAX));
  if (subtracted) check(*subtracted == difference);
}

void check_currency(std::string_view code) {
  auto currency = ledger::find_currency(code);
  if (!currency) return;
  check(currency->code == code);
  check(currency->decimals >= 0 && currency->decimals <= 4);
}

}  // namespace

extern "C" int LEDGER_FUZZ_ENTRY(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto currency = ledger::find_currency(kCodes[data[0] % 4]);
  check(currency.is_ok());
  const std::string_view text = ledger::fuzz::as_text(data + 1, size - 1);

  auto parsed = ledger::parse_decimal(text, *currency);
  const std::optional<int64_t> expected = reference_decimal(text, currency->decimals);
  check(parsed.is_ok() == expected.has_value());
  if (parsed) {
    check(*parsed == *expected && *parsed >= 0);
    check_format_round_trip(*parsed, *currency);
  } else {
    check(!parsed.status().message().empty());
  }
  auto amount = ledger::parse_amount(text, *currency);
  check(amount.is_ok() == (parsed.is_ok() && *parsed > 0));
  if (amount) check(*amount == *parsed);

  if (text.size() >= 16) {
    int64_t a = 0;
    int64_t b = 0;
    std::memcpy(&a, text.data(), sizeof a);
    std::memcpy(&b, text.data() + 8, sizeof b);
    check_format_round_trip(a, *currency);
    check_arithmetic(a, b);
  }
  check_currency(text.substr(0, 3));
  return 0;
}
