#include <doctest/doctest.h>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>

#include <sstream>

#include "domain/state_codec.h"
#include "util/endian.h"

using namespace ledger;
using namespace ledger::domain;

namespace {

constexpr int64_t kNow = 1782777600LL * 1'000'000'000;  // 2026-06-30T00:00:00Z

LedgerState some_state() {
  LedgerState state(false);
  uint64_t seq = 0;
  auto apply = [&](Event e) { state.apply({++seq, kNow, kNow - 5, std::move(e)}); };
  apply(AccountOpened{"ACC-1", "Ada", "EUR", 5000, {}});
  apply(AccountOpened{"ACC-2", "", "JPY", 0, {}});
  apply(AccountOpened{"ACC-3", "Bob \"the\" ,owner", "BHD", 0, {}});
  apply(MoneyDeposited{"ACC-1", 12345, "salary", {}});
  apply(MoneyTransferred{"ACC-1", "ACC-3", 45, "", {}});
  apply(MoneyWithdrawn{"ACC-2", 0, "", {}});
  apply(AccountClosed{"ACC-2", {}});
  return state;
}

std::span<const unsigned char> bytes_of(const std::string& s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

}  // namespace

TEST_SUITE("state codec") {
  TEST_CASE("the accounts and the sequence survive a round trip") {
    const LedgerState state = some_state();
    const std::string bytes = encode_state(state);
    auto back = decode_state(bytes_of(bytes), false);
    REQUIRE(back);
    CHECK(back->last_seq() == 7);
    const auto before = state.sorted_accounts();
    const auto after = back->sorted_accounts();
    REQUIRE(before.size() == after.size());
    for (size_t i = 0; i < before.size(); ++i) {
      CHECK(after[i]->id == before[i]->id);
      CHECK(after[i]->owner == before[i]->owner);
      CHECK(after[i]->currency.code == before[i]->currency.code);
      CHECK(after[i]->currency.decimals == before[i]->currency.decimals);
      CHECK(after[i]->balance == before[i]->balance);
      CHECK(after[i]->overdraft_limit == before[i]->overdraft_limit);
      CHECK(after[i]->closed == before[i]->closed);
      CHECK(after[i]->opened_effective_ns == before[i]->opened_effective_ns);
      CHECK(after[i]->closed_effective_ns == before[i]->closed_effective_ns);
      CHECK(after[i]->last_posting_ns == before[i]->last_posting_ns);
    }
    CHECK(back->find("ACC-1")->balance == 12300);
    CHECK(back->find("ACC-3")->balance == 45);
    // The restored state goes on like the original.
    back->apply({8, kNow, kNow, MoneyDeposited{"ACC-3", 5, "", {}}});
    CHECK(back->find("ACC-3")->balance == 50);
    CHECK(encode_state(*back) != bytes);
  }

  TEST_CASE("encoding is deterministic") {
    CHECK(encode_state(some_state()) == encode_state(some_state()));
  }

  TEST_CASE("truncated, extended or foreign bytes are refused") {
    const std::string bytes = encode_state(some_state());
    for (size_t n = 0; n < bytes.size(); ++n) {
      CHECK_MESSAGE(!decode_state(bytes_of(bytes.substr(0, n)), false), "length ", n);
    }
    CHECK(!decode_state(bytes_of(bytes + "x"), false));
    std::string newer = bytes;
    newer[1] = 9;  // After Cereal's endianness byte: the schema version.
    auto refused = decode_state(bytes_of(newer), false);
    REQUIRE(!refused);
    CHECK(refused.status().message().find("version 9") != std::string::npos);
  }

  TEST_CASE("a version 3 table finds one account by binary search, and nothing for other ids") {
    LedgerState state(false);
    uint64_t seq = 0;
    // Ids whose sorted order is not the order they were opened in.
    for (const char* id : {"M-5", "A-1", "Z-9", "B-2", "M-50", "a-lower"}) {
      state.apply({++seq, kNow, kNow - 5, AccountOpened{id, std::string("owner of ") + id, "USD", 0, {}}});
    }
    state.apply({++seq, kNow, kNow - 2, MoneyDeposited{"M-50", 700, "", {}}});
    const std::string bytes = encode_state(state);
    auto table = StateTable::open(bytes_of(bytes));
    REQUIRE(table);
    CHECK(table->size() == 6);
    CHECK(table->last_seq() == 7);
    for (const char* id : {"A-1", "B-2", "M-5", "M-50", "Z-9", "a-lower"}) {
      auto found = table->find(id);
      REQUIRE(found);
      REQUIRE(found->has_value());
      CHECK((*found)->id == id);
      CHECK((*found)->owner == std::string("owner of ") + id);
      CHECK((*found)->balance == (std::string(id) == "M-50" ? 700 : 0));
      CHECK((*found)->last_posting_ns == (std::string(id) == "M-50" ? kNow - 2 : INT64_MIN));
    }
    for (const char* id : {"", "0", "A-0", "A-10", "M-6", "Z-99", "zzz", "M"}) {
      auto found = table->find(id);
      REQUIRE(found);
      CHECK_MESSAGE(!found->has_value(), id);
    }
    // A table reads its bytes in place: they must outlive it.
    const std::string empty_bytes = encode_state(LedgerState(false));
    auto empty = StateTable::open(bytes_of(empty_bytes));
    REQUIRE(empty);
    CHECK(empty->size() == 0);
    CHECK(!empty->find("A-1")->has_value());
  }

  TEST_CASE("a damaged table is refused by the full decode and by the record a search reads") {
    const std::string bytes = encode_state(some_state());
    // Cereal's endianness byte and the version, then the table header of three u64.
    const size_t records = 1 + 4 + 24;
    auto damage = [&](size_t at, unsigned char value) {
      std::string d = bytes;
      d[at] = static_cast<char>(value);
      return d;
    };
    auto refused = [](const std::string& d, std::string_view why) {
      auto decoded = decode_state(bytes_of(d), false);
      REQUIRE(!decoded);
      CHECK(decoded.status().code() == ErrorCode::kCorruption);
      CHECK_MESSAGE(decoded.status().message().find(why) != std::string::npos,
                    decoded.status().message());
    };
    // ACC-1 is the first record: its id offset far outside the heap.
    refused(damage(records + 3, 0x7f), "outside the heap");
    // Its closed flag neither 0 nor 1, and its currency unknown.
    refused(damage(records + 20, 2), "closed flag");
    refused(damage(records + 16, 'Q'), "currency");
    // Two records swapped by renaming the first to sort after the second.
    std::string swapped = bytes;
    const size_t heap = records + 3 * 64;  // Three accounts, then the heap: "ACC-1" first.
    REQUIRE(swapped.substr(heap, 5) == "ACC-1");
    swapped[heap + 4] = '9';
    refused(swapped, "out of order");
    // A search reads only what it probes, and refuses a probed record that is damaged.
    const std::string damaged_second = damage(records + 64 + 3, 0x7f);
    auto table = StateTable::open(bytes_of(damaged_second));
    REQUIRE(table);
    CHECK(!table->find("ACC-2"));
    // The sizes in the header must add up to the payload's.
    refused(damage(1 + 4 + 8, 4), "do not add up");
  }

  TEST_CASE("a version 2 state, written field by field with Cereal, still decodes") {
    std::ostringstream out;
    {
      cereal::PortableBinaryOutputArchive archive(out);
      archive(uint32_t{2}, uint64_t{41}, uint64_t{2});
      archive(std::string("ACC-1"), std::string("Ada"), std::string("EUR"), int64_t{500},
              int64_t{1234}, false, int64_t{kNow - 100}, int64_t{INT64_MAX}, int64_t{kNow - 7});
      archive(std::string("ACC-2"), std::string(""), std::string("JPY"), int64_t{0}, int64_t{0},
              true, int64_t{kNow - 90}, int64_t{kNow - 3}, int64_t{INT64_MIN});
    }
    const std::string bytes = std::move(out).str();
    CHECK(StateTable::open(bytes_of(bytes)).status().code() == ErrorCode::kNotFound);
    auto state = decode_state(bytes_of(bytes), false);
    REQUIRE(state);
    CHECK(state->last_seq() == 41);
    const Account* a = state->find("ACC-1");
    REQUIRE(a != nullptr);
    CHECK(a->owner == "Ada");
    CHECK(a->currency.code == "EUR");
    CHECK(a->overdraft_limit == 500);
    CHECK(a->balance == 1234);
    CHECK(!a->closed);
    CHECK(a->last_posting_ns == kNow - 7);
    const Account* b = state->find("ACC-2");
    REQUIRE(b != nullptr);
    CHECK(b->closed);
    CHECK(b->closed_effective_ns == kNow - 3);
    CHECK(b->currency.decimals == 0);
    // Written again, it is a version 3 table with the same accounts.
    const std::string again = encode_state(*state);
    auto table = StateTable::open(bytes_of(again));
    REQUIRE(table);
    CHECK((*table->find("ACC-1"))->balance == 1234);
  }
}
