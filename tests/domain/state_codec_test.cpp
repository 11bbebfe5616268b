#include <doctest/doctest.h>

#include "domain/state_codec.h"

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
    newer[1] = 9;  // After cereal's endianness byte: the schema version.
    auto refused = decode_state(bytes_of(newer), false);
    REQUIRE(!refused);
    CHECK(refused.status().message().find("version 9") != std::string::npos);
  }
}
