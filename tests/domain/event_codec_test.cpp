#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "domain/event_codec.h"

using namespace ledger;
using namespace ledger::domain;

namespace {

std::vector<unsigned char> unhex(std::string_view hex) {
  std::vector<unsigned char> bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<unsigned char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

const Event kSamples[] = {
    AccountOpened{"ACC-001", "Ada Lovelace", "USD", 5000, {"open-1", 0x1122334455667788ULL}},
    MoneyDeposited{"ACC-001", 50025, "salary", {"", 0}},
    MoneyWithdrawn{"ACC-001", 1999, "coffee ☕", {"w-7", 42}},
    MoneyTransferred{"ACC-001", "ACC-002", 100, "rent", {"t-1", 7}},
    AccountClosed{"ACC-002", {"", 0}},
};

}  // namespace

TEST_SUITE("event codec") {
  TEST_CASE("every event type round trips through its encoding") {
    for (const Event& event : kSamples) {
      CAPTURE(event_type_name(event));
      const EncodedEvent encoded = encode_event(event);
      CHECK(encoded.version == kEventSchemaVersion);
      auto decoded = decode_event(encoded.type, encoded.version,
                                  {reinterpret_cast<const unsigned char*>(encoded.payload.data()),
                                   encoded.payload.size()});
      REQUIRE(decoded);
      CHECK(*decoded == event);
    }
  }

  // Bytes written by schema version 1 of each type. Every later build must still read them;
  // regenerate only by adding a new version, never by editing these.
  TEST_CASE("events written by version 1 of each type still decode") {
    if (std::getenv("LEDGER_PRINT_EVENTS_V1")) {
      for (const Event& event : kSamples) fmt::print("\"{}\",\n", hex(encode_event(event).payload));
    }
    const char* const kVersion1[] = {
#include "domain/events_v1.inc"
    };
    REQUIRE(std::size(kVersion1) == std::size(kSamples));
    for (size_t i = 0; i < std::size(kSamples); ++i) {
      CAPTURE(i);
      const auto bytes = unhex(kVersion1[i]);
      auto decoded = decode_event(static_cast<uint16_t>(i + 1), 1, bytes);
      REQUIRE(decoded);
      CHECK(*decoded == kSamples[i]);
    }
  }

  TEST_CASE("unknown types, newer versions and damaged payloads are refused") {
    const EncodedEvent encoded = encode_event(kSamples[0]);
    const std::vector<unsigned char> bytes(encoded.payload.begin(), encoded.payload.end());
    CHECK(decode_event(99, 1, bytes).status().code() == ErrorCode::kCorruption);
    auto newer = decode_event(1, kEventSchemaVersion + 1, bytes);
    REQUIRE_FALSE(newer);
    CHECK(newer.status().message().find("newer than this build") != std::string::npos);
    CHECK_FALSE(decode_event(1, 1, std::span(bytes).first(bytes.size() - 1)));
    auto longer = bytes;
    longer.push_back(0);
    CHECK_FALSE(decode_event(1, 1, longer));
  }
}
