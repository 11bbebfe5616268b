#include <doctest/doctest.h>

#include "ledger/money.h"

using namespace ledger;

namespace {
const Currency kUsd{"USD", 2};
const Currency kJpy{"JPY", 0};
const Currency kBhd{"BHD", 3};
}  // namespace

TEST_SUITE("money") {
  TEST_CASE("plain decimals parse to exact minor units") {
    CHECK(*parse_amount("500", kUsd) == 50000);
    CHECK(*parse_amount("500.5", kUsd) == 50050);
    CHECK(*parse_amount("500.25", kUsd) == 50025);
    CHECK(*parse_amount("0.01", kUsd) == 1);
    CHECK(*parse_amount("007", kUsd) == 700);
    CHECK(*parse_amount("1500", kJpy) == 1500);
    CHECK(*parse_amount("1.125", kBhd) == 1125);
    CHECK(*parse_decimal("0", kUsd, "overdraft limit") == 0);
  }

  TEST_CASE("malformed, negative, zero and too precise amounts are refused with a reason") {
    struct Bad {
      const char* text;
      Currency currency;
      const char* reason;
    };
    const Bad cases[] = {
        {"500.255", kUsd, "USD has 2 decimal places"}, {"1e3", kUsd, "expected a decimal"},
        {"-5", kUsd, "must be positive"},             {"0", kUsd, "greater than zero"},
        {"0.00", kUsd, "greater than zero"},           {"12abc", kUsd, "expected a decimal"},
        {"", kUsd, "expected a decimal"},              {".5", kUsd, "expected a decimal"},
        {"5.", kUsd, "expected a decimal"},            {"+5", kUsd, "expected a decimal"},
        {"1,000", kUsd, "expected a decimal"},         {" 5", kUsd, "expected a decimal"},
        {"500.5", kJpy, "JPY has 0 decimal places"},   {"0x10", kUsd, "expected a decimal"},
        {"92233720368547758.08", kUsd, "too large"},   {"99999999999999999999", kJpy, "too large"},
    };
    for (const Bad& bad : cases) {
      CAPTURE(bad.text);
      auto parsed = parse_amount(bad.text, bad.currency);
      REQUIRE_FALSE(parsed);
      CHECK(parsed.status().code() == ErrorCode::kInvalidArgument);
      CHECK(parsed.status().message().find(bad.reason) != std::string::npos);
      CHECK(parsed.status().message().find(std::string("\"") + bad.text + "\"") !=
            std::string::npos);
    }
  }

  TEST_CASE("the largest amount that fits parses, one minor unit more does not") {
    CHECK(*parse_amount("92233720368547758.07", kUsd) == INT64_MAX);
    CHECK_FALSE(parse_amount("92233720368547758.08", kUsd));
  }

  TEST_CASE("amounts print with exactly the currency's decimals") {
    CHECK(format_amount(1230, 2) == "12.30");
    CHECK(format_amount(-1230, 2) == "-12.30");
    CHECK(format_amount(5, 2) == "0.05");
    CHECK(format_amount(-5, 2) == "-0.05");
    CHECK(format_amount(0, 2) == "0.00");
    CHECK(format_amount(1500, 0) == "1500");
    CHECK(format_amount(1125, 3) == "1.125");
    CHECK(format_amount(INT64_MIN, 2) == "-92233720368547758.08");
  }

  TEST_CASE("currencies come from ISO 4217 with their decimals") {
    CHECK(find_currency("USD")->decimals == 2);
    CHECK(find_currency("JPY")->decimals == 0);
    CHECK(find_currency("BHD")->decimals == 3);
    auto unknown = find_currency("usd");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.status().message().find("unknown currency \"usd\"") != std::string::npos);
  }

  TEST_CASE("arithmetic that would overflow is refused, never wrapped") {
    CHECK(*add_minor(1, 2) == 3);
    CHECK_FALSE(add_minor(INT64_MAX, 1));
    CHECK_FALSE(subtract_minor(INT64_MIN, 1));
    CHECK(*subtract_minor(0, INT64_MAX) == -INT64_MAX);
  }
}
