#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "domain/event_codec.h"
#include "domain/event_view.h"

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

std::span<const unsigned char> bytes_of(const std::string& payload) {
  return {reinterpret_cast<const unsigned char*>(payload.data()), payload.size()};
}

// Random events of every type, with the strings a log holds (empty, short ids, long memos,
// UTF-8) and integers over their whole range.
class RandomEvents {
 public:
  explicit RandomEvents(uint64_t seed) : rng_(seed) {}

  Event next() {
    switch (rng_() % 5) {
      case 0: return AccountOpened{text(), text(), text(), integer(), ref()};
      case 1: return MoneyDeposited{text(), integer(), text(), ref()};
      case 2: return MoneyWithdrawn{text(), integer(), text(), ref()};
      case 3: return MoneyTransferred{text(), text(), integer(), text(), ref()};
      default: return AccountClosed{text(), ref()};
    }
  }

 private:
  std::string text() {
    static constexpr size_t kLengths[] = {0, 1, 3, 7, 8, 9, 16, 40, 64, 300};
    std::string s(kLengths[rng_() % std::size(kLengths)], ' ');
    for (char& c : s) c = static_cast<char>(rng_() % 256);
    return s;
  }
  int64_t integer() {
    switch (rng_() % 3) {
      case 0: return static_cast<int64_t>(rng_() % 100000);
      case 1: return -static_cast<int64_t>(rng_() % 100000);
      default: return static_cast<int64_t>(rng_());
    }
  }
  RefKey ref() { return rng_() % 3 == 0 ? RefKey{"", 0} : RefKey{text(), rng_()}; }

  std::mt19937_64 rng_;
};

// Both readers on the same bytes: they accept the same payloads, with equal events.
void check_readers_agree(uint16_t type, uint16_t version, std::span<const unsigned char> bytes) {
  auto owned = decode_event(type, version, bytes);
  EventView view;
  const Status status = decode_event_view(type, version, bytes, view);
  REQUIRE(status.is_ok() == owned.is_ok());
  if (!status) {
    CHECK(status.code() == ErrorCode::kCorruption);
    CHECK(owned.status().code() == ErrorCode::kCorruption);
    return;
  }
  CHECK(to_event(view) == *owned);
  CHECK(to_event(view_of(*owned)) == *owned);
}

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

  TEST_CASE("the view decoder agrees with Cereal on random events of every type") {
    RandomEvents events(20260630);
    for (int i = 0; i < 5000; ++i) {
      const Event event = events.next();
      const EncodedEvent encoded = encode_event(event);
      CAPTURE(i);
      EventView view;
      REQUIRE(decode_event_view(encoded.type, encoded.version, bytes_of(encoded.payload), view));
      CHECK(static_cast<size_t>(view.type) == event.index() + 1);
      CHECK(to_event(view) == event);
      check_readers_agree(encoded.type, encoded.version, bytes_of(encoded.payload));
    }
  }

  TEST_CASE("the view decoder reads the version 1 bytes") {
    const char* const kVersion1[] = {
#include "domain/events_v1.inc"
    };
    for (size_t i = 0; i < std::size(kSamples); ++i) {
      CAPTURE(i);
      const auto bytes = unhex(kVersion1[i]);
      EventView view;
      REQUIRE(decode_event_view(static_cast<uint16_t>(i + 1), 1, bytes, view));
      CHECK(to_event(view) == kSamples[i]);
      check_readers_agree(static_cast<uint16_t>(i + 1), 1, bytes);
    }
  }

  TEST_CASE("both readers refuse truncated, extended and overlong payloads") {
    RandomEvents events(7);
    for (int i = 0; i < 200; ++i) {
      const EncodedEvent encoded = encode_event(events.next());
      const std::vector<unsigned char> bytes(encoded.payload.begin(), encoded.payload.end());
      CAPTURE(i);
      for (size_t n = 0; n < bytes.size(); ++n) {
        CAPTURE(n);
        EventView view;
        CHECK_FALSE(decode_event_view(encoded.type, 1, std::span(bytes).first(n), view));
        check_readers_agree(encoded.type, 1, std::span(bytes).first(n));
      }
      auto longer = bytes;
      longer.push_back(static_cast<unsigned char>(i));
      EventView view;
      CHECK_FALSE(decode_event_view(encoded.type, 1, longer, view));
      check_readers_agree(encoded.type, 1, longer);
      // The first string's length, one past the end of the payload (a small number, so that
      // Cereal's reader refuses it without allocating much).
      auto overlong = bytes;
      const uint64_t past_end = bytes.size();
      std::memcpy(overlong.data() + 1, &past_end, sizeof past_end);
      CHECK_FALSE(decode_event_view(encoded.type, 1, overlong, view));
      check_readers_agree(encoded.type, 1, overlong);
    }
  }

  TEST_CASE("the view decoder refuses unknown types and newer versions as Cereal's does") {
    const EncodedEvent encoded = encode_event(kSamples[1]);
    const auto bytes = bytes_of(encoded.payload);
    for (uint16_t type : {0, 6, 99}) check_readers_agree(type, 1, bytes);
    for (uint16_t version : {0, 2}) check_readers_agree(encoded.type, version, bytes);
    EventView view;
    const Status newer = decode_event_view(encoded.type, kEventSchemaVersion + 1, bytes, view);
    REQUIRE_FALSE(newer);
    CHECK(newer.message().find("newer than this build") != std::string::npos);
  }

  TEST_CASE("a big-endian writer's payload reads the same through both readers") {
    // Cereal swaps integers when the flag byte is not 1; the view decoder must too.
    std::vector<unsigned char> bytes = {0};  // The flag: a big-endian writer.
    const auto put_big = [&bytes](uint64_t v) {
      for (int shift = 56; shift >= 0; shift -= 8) {
        bytes.push_back(static_cast<unsigned char>(v >> shift));
      }
    };
    put_big(2);
    bytes.push_back('A');
    bytes.push_back('B');
    put_big(0);
    put_big(5);
    check_readers_agree(static_cast<uint16_t>(EventType::kAccountClosed), 1, bytes);
    EventView view;
    REQUIRE(decode_event_view(static_cast<uint16_t>(EventType::kAccountClosed), 1, bytes, view));
    CHECK(view.account == "AB");
    CHECK(view.ref_digest == 5);
  }
}
