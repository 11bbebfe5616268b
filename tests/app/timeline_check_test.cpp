#include "app/timeline_check.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "store/verify.h"

namespace {

using namespace ledger;
using app::TimelineCheck;

constexpr int64_t kDay = 86'400LL * 1'000'000'000;

std::vector<domain::Account> accounts_of(int count) {
  std::vector<domain::Account> accounts(count);
  for (int i = 0; i < count; ++i) {
    accounts[i].id = "ACC-" + std::to_string(i);
    accounts[i].currency = *find_currency("USD");
    accounts[i].overdraft_limit = 100 * (i % 3);
  }
  return accounts;
}

struct Asked {
  uint32_t account = 0;
  uint64_t seq_through = 0;
  int64_t at_ns = 0;
};

// What LedgerState's own timeline would have said: the account's postings through the question,
// in timeline order, those after its date checked by the domain.
std::optional<std::string> expected(const std::vector<TimelineCheck::Posting>& postings,
                                    domain::Account account, const Asked& q) {
  std::vector<domain::LaterPosting> timeline;
  int64_t balance = 0;
  for (const TimelineCheck::Posting& p : postings) {
    if (p.account != q.account || p.seq > q.seq_through) continue;
    balance += p.amount;
    if (p.position_ns > q.at_ns) timeline.push_back({p.position_ns, p.seq, p.amount});
  }
  std::stable_sort(timeline.begin(), timeline.end(),
                   [](const auto& a, const auto& b) { return a.effective_ns < b.effective_ns; });
  account.balance = balance;
  const Status s = domain::check_funds(account, q.at_ns, timeline);
  if (s) return std::nullopt;
  return "event " + std::to_string(q.seq_through) + " breaks a rule: " + s.message();
}

}  // namespace

TEST_SUITE("timeline check") {
  TEST_CASE("backdated balances are answered as the whole timeline answers them, spilled or not") {
    for (const size_t memory : {size_t{256}, TimelineCheck::kPostingsMemoryBytes}) {
      CAPTURE(memory);
      const auto accounts = accounts_of(12);
      std::mt19937_64 random(7);
      TimelineCheck check(memory, memory);
      std::vector<TimelineCheck::Posting> postings;
      std::vector<Asked> asked;
      for (uint64_t seq = 1; seq <= 4000; ++seq) {
        const auto account = static_cast<uint32_t>(random() % accounts.size());
        const int64_t position = static_cast<int64_t>(random() % 200) * kDay;
        const int64_t amount = static_cast<int64_t>(random() % 1000) - 520;
        postings.push_back({account, seq, position, amount});
        REQUIRE(check.posting(account, seq, position, amount));
        if (seq % 7 == 0) {
          asked.push_back({account, seq, position});
          int64_t balance = 0;
          for (const auto& p : postings) balance += p.account == account ? p.amount : 0;
          app::TimelineOrigin origin;
          origin.event_seq = seq;
          REQUIRE(check.funds(account, seq, position, balance, origin));
        }
      }
      if (memory == 256) CHECK(check.scratch_runs() > 100);
      auto found = check.finish(accounts);
      REQUIRE(found);
      std::vector<std::string> want;
      for (const Asked& q : asked) {
        if (auto what = expected(postings, accounts[q.account], q)) want.push_back(*what);
      }
      REQUIRE(want.size() > 10);
      REQUIRE(want.size() < store::kVerifyProblemsMax);
      std::vector<std::string> got;
      for (const auto& f : found->listed) got.push_back(f.what);
      CHECK(got == want);
      CHECK(found->unlisted == 0);
    }
  }

  TEST_CASE("a closing's refusal names the first entry after its date, among those before it") {
    const auto accounts = accounts_of(2);
    TimelineCheck check(64, 64);
    REQUIRE(check.posting(1, 1, 10 * kDay, 500));
    REQUIRE(check.posting(1, 2, 40 * kDay, 500));
    REQUIRE(check.posting(1, 4, 20 * kDay, 500));  // After the closing: not its concern.
    app::TimelineOrigin origin;
    origin.event_seq = 3;
    REQUIRE(check.closing(1, 15 * kDay, 40 * kDay, origin));
    auto found = check.finish(accounts);
    REQUIRE(found);
    REQUIRE(found->listed.size() == 1);
    CHECK(found->listed[0].what ==
          "event 3 breaks a rule: cannot close \"ACC-1\" on 1970-01-16: it has entries after "
          "that (the first on 1970-02-10)");
  }

  TEST_CASE("failures are listed in the order asked, up to a report's bound, the rest counted") {
    const size_t count = store::kVerifyProblemsMax + 200;
    const auto accounts = accounts_of(static_cast<int>(count));
    TimelineCheck check(512, 512);
    for (size_t i = 0; i < count; ++i) {
      // Asked from the last account to the first, so answered in the reverse order.
      const auto account = static_cast<uint32_t>(count - 1 - i);
      const uint64_t seq = 2 * i + 1;
      REQUIRE(check.posting(account, seq, 5 * kDay, -1000));
      REQUIRE(check.posting(account, seq + 1, 9 * kDay, 1000));
      app::TimelineOrigin origin;
      origin.event_seq = seq + 1;
      origin.slot = i;
      origin.consequence = i % 10 == 9;
      REQUIRE(check.funds(account, seq + 1, 5 * kDay, 0, origin));
    }
    auto found = check.finish(accounts);
    REQUIRE(found);
    CHECK(found->consequences == count / 10);
    REQUIRE(found->listed.size() == store::kVerifyProblemsMax);
    CHECK(found->unlisted == count - count / 10 - store::kVerifyProblemsMax);
    for (size_t i = 1; i < found->listed.size(); ++i) {
      CHECK(found->listed[i - 1].origin.slot < found->listed[i].origin.slot);
    }
    CHECK(found->listed[0].what.find("insufficient funds in \"ACC-1199\": on 1970-01-06") !=
          std::string::npos);
  }
}
