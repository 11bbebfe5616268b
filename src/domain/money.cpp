#include "ledger/money.h"

#include <algorithm>
#include <vector>
#include <array>
#include <fmt/format.h>

namespace ledger {

namespace {

struct CurrencyEntry {
  const char* code;
  int decimals;
};

// ISO 4217 active codes and their minor units (the standard's list as published in 2024).
constexpr CurrencyEntry kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2},
    {"AUD", 2}, {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2},
    {"BHD", 3}, {"BIF", 0}, {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2},
    {"BTN", 2}, {"BWP", 2}, {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2},
    {"CLF", 4}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2},
    {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2},
    {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
    {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2},
    {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2},
    {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2},
    {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2},
    {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2},
    {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2},
    {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2},
    {"RSD", 2}, {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2},
    {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2},
    {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2},
    {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2}, {"UAH", 2},
    {"UGX", 0}, {"USD", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2}, {"VED", 2},
    {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0},
    {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2}, {"ZWL", 2},
};

constexpr int64_t kPowersOfTen[] = {1, 10, 100, 1000, 10000};

Status invalid(std::string_view text, std::string_view what) {
  return {ErrorCode::kInvalidArgument,
          fmt::format("invalid {} \"{}\" (expected a decimal like 12.34)", what, text)};
}

}  // namespace

namespace {

// A three-letter code as one number, so that a lookup is a binary search over integers: loading
// a snapshot looks up every account's currency.
constexpr uint32_t code_key(std::string_view code) {
  return code.size() == 3 ? (uint32_t{static_cast<unsigned char>(code[0])} << 16) |
                                (uint32_t{static_cast<unsigned char>(code[1])} << 8) |
                                uint32_t{static_cast<unsigned char>(code[2])}
                          : 0;
}

const std::vector<std::pair<uint32_t, const CurrencyEntry*>>& currencies_by_key() {
  static const auto table = [] {
    std::vector<std::pair<uint32_t, const CurrencyEntry*>> t;
    for (const auto& c : kCurrencies) t.emplace_back(code_key(c.code), &c);
    std::sort(t.begin(), t.end());
    return t;
  }();
  return table;
}

}  // namespace

Result<Currency> find_currency(std::string_view code) {
  const uint32_t key = code_key(code);
  const auto& table = currencies_by_key();
  auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(key, nullptr),
                             [](const auto& a, const auto& b) { return a.first < b.first; });
  if (key != 0 && it != table.end() && it->first == key) {
    return Currency{it->second->code, it->second->decimals};
  }
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("unknown currency \"{}\" (expected an ISO 4217 code like USD)", code));
}

Result<int64_t> parse_decimal(std::string_view text, const Currency& currency,
                              std::string_view what) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  auto all_digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!text.empty() && text.front() == '-') {
    // An amount's sign comes from its command; an overdraft limit is a distance below zero.
    const std::string_view why = what == "amount"
                                     ? "it must be positive (a withdrawal or transfer says the "
                                       "direction)"
                                     : "it may not be negative";
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("invalid {} \"{}\": {}", what, text, why));
  }
  if (whole.empty() || !all_digits(whole) || !all_digits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    return invalid(text, what);
  }
  if (fraction.size() > static_cast<size_t>(currency.decimals)) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("invalid {} \"{}\": {} has {} decimal place{}", what, text,
                              currency.code, currency.decimals, currency.decimals == 1 ? "" : "s"));
  }
  int64_t minor = 0;
  auto push_digit = [&minor](char c) {
    return !__builtin_mul_overflow(minor, 10, &minor) &&
           !__builtin_add_overflow(minor, c - '0', &minor);
  };
  bool fits = std::all_of(whole.begin(), whole.end(), push_digit) &&
              std::all_of(fraction.begin(), fraction.end(), push_digit);
  const int64_t scale = kPowersOfTen[currency.decimals - fraction.size()];
  fits = fits && !__builtin_mul_overflow(minor, scale, &minor);
  if (!fits) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("invalid {} \"{}\": too large", what, text));
  }
  return minor;
}

Result<int64_t> parse_amount(std::string_view text, const Currency& currency) {
  auto minor = parse_decimal(text, currency, "amount");
  if (minor && *minor == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("invalid amount \"{}\": it must be greater than zero", text));
  }
  return minor;
}

std::string format_amount(int64_t minor, int decimals) {
  // Through unsigned, so that INT64_MIN prints rather than overflows on negation.
  const bool negative = minor < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  const uint64_t scale = static_cast<uint64_t>(kPowersOfTen[decimals]);
  std::string text = fmt::format("{}{}", negative ? "-" : "", magnitude / scale);
  if (decimals > 0) text += fmt::format(".{:0{}}", magnitude % scale, decimals);
  return text;
}

Result<int64_t> add_minor(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) {
    return Status(ErrorCode::kRefused, "the balance would overflow");
  }
  return sum;
}

Result<int64_t> subtract_minor(int64_t a, int64_t b) {
  int64_t difference;
  if (__builtin_sub_overflow(a, b, &difference)) {
    return Status(ErrorCode::kRefused, "the balance would overflow");
  }
  return difference;
}

}  // namespace ledger
