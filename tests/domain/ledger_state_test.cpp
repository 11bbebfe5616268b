#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "domain/event_codec.h"
#include "domain/event_view.h"
#include "domain/ledger_state.h"

using namespace ledger;
using namespace ledger::domain;

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kNow = 1782777600LL * kSecond;  // 2026-06-30T00:00:00Z

// Applies what decide() returns, as the service would, and returns the decision.
struct Books {
  LedgerState state;
  std::vector<StoredEvent> log;
  uint64_t seq = 0;
  int64_t now = kNow;

  Result<Decision> run(const Command& command) {
    auto decision = decide(state, command, now);
    if (decision && decision->event) {
      log.push_back({++seq, now, decision->event->effective_ns, decision->event->event});
      state.apply(log.back());
    }
    now += kSecond;
    return decision;
  }
  void must(const Command& command) {
    auto d = run(command);
    if (!d) FAIL(d.status().message());
  }
  int64_t balance(const std::string& id) const { return state.find(id)->balance; }
};

void expect_refusal(Books& books, const Command& command, ErrorCode code, const std::string& text) {
  const uint64_t seq_before = books.seq;
  auto d = books.run(command);
  REQUIRE_FALSE(d);
  CHECK(d.status().code() == code);
  CHECK_MESSAGE(d.status().message().find(text) != std::string::npos, d.status().message());
  CHECK(books.seq == seq_before);
}

}  // namespace

TEST_SUITE("ledger state") {
  TEST_CASE("deposits, withdrawals and a transfer move exact amounts") {
    Books b;
    b.must(OpenAccount{"ACC-001", "Ada", "USD"});
    b.must(OpenAccount{"ACC-002", "Bob", "USD"});
    b.must(Deposit{"ACC-001", "500"});
    b.must(Withdraw{"ACC-001", "120.55"});
    b.must(Transfer{"ACC-001", "ACC-002", "79.45"});
    CHECK(b.balance("ACC-001") == 30000);
    CHECK(b.balance("ACC-002") == 7945);
    CHECK(b.state.last_seq() == 5);
  }

  TEST_CASE("every rule refuses with its reason and records nothing") {
    Books b;
    b.must(OpenAccount{"A", "", "USD", "10"});
    b.must(OpenAccount{"B", "", "USD"});
    b.must(OpenAccount{"Y", "", "JPY"});
    b.must(Deposit{"A", "5"});
    expect_refusal(b, Withdraw{"A", "15.01"}, ErrorCode::kRefused, "insufficient funds in \"A\"");
    b.must(Withdraw{"A", "15"});  // Down to the overdraft limit exactly.
    CHECK(b.balance("A") == -1000);
    expect_refusal(b, Deposit{"ACC-404", "5"}, ErrorCode::kRefused,
                   "unknown account \"ACC-404\"; open it first with: ledger open ACC-404");
    expect_refusal(b, Deposit{"AA", "5"}, ErrorCode::kRefused, "did you mean \"A\"?");
    expect_refusal(b, Deposit{"A", "-5"}, ErrorCode::kInvalidArgument, "must be positive");
    expect_refusal(b, Deposit{"A", "0"}, ErrorCode::kInvalidArgument, "greater than zero");
    expect_refusal(b, Deposit{"A", "1.234"}, ErrorCode::kInvalidArgument, "2 decimal places");
    expect_refusal(b, Deposit{"bad id!", "5"}, ErrorCode::kInvalidArgument, "invalid account id");
    expect_refusal(b, Transfer{"A", "A", "1"}, ErrorCode::kRefused, "to itself");
    expect_refusal(b, Transfer{"B", "Y", "1"}, ErrorCode::kRefused, "between currencies");
    expect_refusal(b, Transfer{"B", "A", "1"}, ErrorCode::kRefused, "insufficient funds in \"B\"");
    expect_refusal(b, OpenAccount{"A"}, ErrorCode::kRefused, "already exists");
    expect_refusal(b, OpenAccount{"C", "", "XYZ"}, ErrorCode::kInvalidArgument, "unknown currency");
    expect_refusal(b, CloseAccount{"A"}, ErrorCode::kRefused, "balance is -10.00 USD");
    b.must(CloseAccount{"B"});
    expect_refusal(b, Deposit{"B", "1"}, ErrorCode::kRefused, "account \"B\" is closed");
    expect_refusal(b, Transfer{"A", "B", "1"}, ErrorCode::kRefused, "is closed");
  }

  TEST_CASE("effective times: backdating works, the future and before-opening do not") {
    Books b;
    b.must(OpenAccount{"A", "", "USD", "0", EffectiveTime{kNow - 10 * 86400 * kSecond, false}});
    b.must(Deposit{"A", "5", "", EffectiveTime{kNow - 86400 * kSecond, false}});
    expect_refusal(b, Deposit{"A", "5", "", EffectiveTime{kNow + 3600 * kSecond, false}},
                   ErrorCode::kInvalidArgument, "in the future");
    expect_refusal(b, Deposit{"A", "5", "", EffectiveTime{kNow - 11 * 86400 * kSecond, false}},
                   ErrorCode::kRefused, "is before account \"A\" was opened");
    CHECK(b.balance("A") == 500);
  }

  TEST_CASE("a ref makes a retry a no-op and refuses other content") {
    Books b;
    b.must(OpenAccount{"A"});
    auto first = b.run(Deposit{"A", "5", "coffee", std::nullopt, "R1"});
    REQUIRE(first);
    REQUIRE(first->event);
    auto retry = b.run(Deposit{"A", "5.00", "coffee", std::nullopt, "R1"});
    REQUIRE(retry);
    CHECK_FALSE(retry->event);
    CHECK(retry->recorded_seq == 2);
    CHECK(b.balance("A") == 500);
    expect_refusal(b, Deposit{"A", "6", "coffee", std::nullopt, "R1"}, ErrorCode::kRefused,
                   "ref \"R1\" was already used for different content (event 2)");
    expect_refusal(b, Withdraw{"A", "5", "coffee", std::nullopt, "R1"}, ErrorCode::kRefused,
                   "already used");
    // A retry of a withdrawal still succeeds after the money is gone.
    b.must(Withdraw{"A", "5", "", std::nullopt, "W1"});
    auto again = b.run(Withdraw{"A", "5", "", std::nullopt, "W1"});
    REQUIRE(again);
    CHECK_FALSE(again->event);
  }

  TEST_CASE("replaying the same events gives the same state") {
    Books b;
    b.must(OpenAccount{"A", "Ada", "EUR", "50"});
    b.must(OpenAccount{"B", "", "EUR"});
    b.must(Deposit{"A", "100", "", std::nullopt, "D1"});
    b.must(Withdraw{"A", "120"});
    b.must(Transfer{"A", "B", "25.50"});
    b.must(Withdraw{"B", "25.50"});
    b.must(CloseAccount{"B"});
    auto replay = [&b] {
      LedgerState s;
      for (const StoredEvent& e : b.log) s.apply(e);
      return s;
    };
    const LedgerState once = replay(), twice = replay();
    REQUIRE(once.sorted_accounts().size() == 2);
    for (const Account* account_ptr : b.state.sorted_accounts()) {
      const Account& account = *account_ptr;
      CAPTURE(account.id);
      for (const LedgerState* s : {&once, &twice}) {
        const Account* r = s->find(account.id);
        REQUIRE(r != nullptr);
        CHECK(r->balance == account.balance);
        CHECK(r->closed == account.closed);
        CHECK(r->overdraft_limit == account.overdraft_limit);
        CHECK(r->currency.code == account.currency.code);
      }
    }
    CHECK(once.find("A")->balance == -4550);
    CHECK(once.find_ref("D1")->seq == 3);
    CHECK(once.last_seq() == 7);
  }

  TEST_CASE("account ids: 1 to 64 of A-Z a-z 0-9 . _ : -") {
    CHECK(validate_account_id("ACC-001"));
    CHECK(validate_account_id("a.b_c:d-e"));
    CHECK(validate_account_id(std::string(64, 'x')));
    CHECK_FALSE(validate_account_id(std::string(65, 'x')));
    CHECK_FALSE(validate_account_id(""));
    CHECK_FALSE(validate_account_id("acc 1"));
    CHECK_FALSE(validate_account_id("acc/1"));
    CHECK_FALSE(validate_account_id("café"));
  }

  TEST_CASE("applying decoded views gives the state that applying owned events gives") {
    Books b;
    b.must(OpenAccount{"A", "Ada", "EUR", "50"});
    b.must(OpenAccount{"B", "", "EUR"});
    b.must(Deposit{"A", "100", "", std::nullopt, "D1"});
    b.must(Transfer{"A", "B", "25.50", "", std::nullopt, "T1"});
    b.must(Withdraw{"B", "25.50"});
    b.must(CloseAccount{"B"});
    LedgerState viewed;
    for (const StoredEvent& e : b.log) {
      const EncodedEvent encoded = encode_event(e.event);
      EventView view;
      REQUIRE(decode_event_view(encoded.type, encoded.version,
                                {reinterpret_cast<const unsigned char*>(encoded.payload.data()),
                                 encoded.payload.size()},
                                view));
      viewed.apply(e.seq, e.recorded_ns, e.effective_ns, view);
    }
    REQUIRE(viewed.accounts().size() == 2);
    for (const Account& account : b.state.accounts()) {
      const Account* v = viewed.find(account.id);
      REQUIRE(v != nullptr);
      CHECK(v->balance == account.balance);
      CHECK(v->closed == account.closed);
      CHECK(v->opened_effective_ns == account.opened_effective_ns);
    }
    CHECK(viewed.find_ref("D1")->seq == 3);
    CHECK(viewed.find_ref("T1")->digest == b.state.find_ref("T1")->digest);
    CHECK(viewed.last_seq() == 6);
  }

  TEST_CASE("accounts keep their opening order and many ids are all found") {
    LedgerState state(false);
    uint64_t seq = 0;
    std::vector<std::string> ids;
    for (int i = 0; i < 5000; ++i) ids.push_back("ACC-" + std::to_string((i * 7919) % 100000));
    for (const std::string& id : ids) {
      EventView open;
      open.type = EventType::kAccountOpened;
      open.account = id;
      open.currency = "USD";
      state.apply(++seq, 0, 0, open);
    }
    REQUIRE(state.accounts().size() == ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      CHECK(state.accounts()[i].id == ids[i]);
      REQUIRE(state.find(ids[i]) == &state.accounts()[i]);
    }
    CHECK(state.find("ACC-") == nullptr);
    CHECK(state.find("") == nullptr);
  }

  TEST_CASE("a restored state finds each of many accounts, and gives them up when taken") {
    std::vector<Account> accounts(3000);
    for (size_t i = 0; i < accounts.size(); ++i) {
      accounts[i].id = "ACC-" + std::to_string((i * 7919) % 100000);
      accounts[i].owner = "An owner whose name is longer than fifteen bytes " + std::to_string(i);
      accounts[i].balance = static_cast<int64_t>(i) * 100 - 7;
    }
    LedgerState state(false);
    state.restore(accounts, 42);
    for (const Account& a : accounts) {
      const Account* found = state.find(a.id);
      REQUIRE(found != nullptr);
      CHECK(found->balance == a.balance);
    }
    CHECK(state.find("ACC-100000") == nullptr);
    const std::vector<Account> taken = state.take_accounts();
    REQUIRE(taken.size() == accounts.size());
    CHECK(taken[1234].id == accounts[1234].id);
    CHECK(taken[1234].owner == accounts[1234].owner);
    CHECK(state.accounts().empty());
    CHECK(state.find(accounts[0].id) == nullptr);
    CHECK(state.last_seq() == 42);
  }

  TEST_CASE("a state restored from its accounts and refs answers as the original") {
    Books b;
    b.must(OpenAccount{"A", "Ada", "EUR", "50"});
    b.must(OpenAccount{"B", "", "EUR"});
    b.must(Deposit{"A", "100", "", std::nullopt, "D1"});
    b.must(Transfer{"A", "B", "25.50", "", std::nullopt, "T1"});
    LedgerState restored;
    restored.restore(b.state.accounts(), b.state.last_seq());
    size_t refs = 0;
    b.state.for_each_ref([&](uint64_t low, uint64_t high, const RefEntry& entry) {
      restored.restore_ref(low, high, entry);
      ++refs;
    });
    CHECK(refs == 2);
    CHECK(restored.last_seq() == 4);
    CHECK(restored.find("A")->balance == b.balance("A"));
    CHECK(restored.find("B")->balance == b.balance("B"));
    CHECK(restored.find_ref("T1")->seq == 4);
    // It decides as the original does: the retry is known, a new deposit lands after seq 4.
    auto retry = decide(restored, Deposit{"A", "100", "", std::nullopt, "D1"}, kNow);
    REQUIRE(retry);
    CHECK_FALSE(retry->event);
    restored.set_last_seq(9);
    CHECK(restored.last_seq() == 9);
  }

  TEST_CASE("check accepts every event decide recorded, in log order") {
    Books books;
    books.must(OpenAccount{"A", "Ada", "USD", "50", std::nullopt, "r1"});
    books.must(OpenAccount{"B", "Bob"});
    books.must(Deposit{"A", "100", "", std::nullopt, "r2"});
    books.must(Withdraw{"A", "140"});
    books.must(Deposit{"B", "0.01"});
    books.must(Transfer{"B", "A", "0.01"});
    books.must(Deposit{"B", "3"});
    books.must(Withdraw{"B", "3"});
    books.must(CloseAccount{"B"});
    CHECK_FALSE(books.run(Withdraw{"A", "-"}));  // Refused: not recorded.
    LedgerState replay;
    for (const StoredEvent& e : books.log) {
      CHECK_MESSAGE(replay.check(e), e.seq);
      replay.apply(e);
    }
  }

  TEST_CASE("check refuses events that decide never records, naming the rule") {
    Books books;
    books.must(OpenAccount{"A", "Ada"});
    books.must(OpenAccount{"C", "Cy", "EUR"});
    books.must(Deposit{"A", "10", "", std::nullopt, "used"});
    books.must(OpenAccount{"Z", "Zed"});
    books.must(CloseAccount{"Z"});
    const int64_t t = books.now;
    const std::vector<std::pair<Event, std::string>> bad = {
        {MoneyDeposited{"NOPE", 5, "", {}}, "account \"NOPE\" is used before it is opened"},
        {MoneyWithdrawn{"A", 1001, "", {}}, "insufficient funds in \"A\""},
        {MoneyDeposited{"A", 0, "", {}}, "amount is not positive"},
        {MoneyTransferred{"A", "C", 1, "", {}}, "transfer between currencies"},
        {MoneyTransferred{"A", "A", 1, "", {}}, "to itself"},
        {MoneyDeposited{"Z", 1, "", {}}, "account \"Z\" is closed"},
        {AccountOpened{"A", "again", "USD", 0, {}}, "opened a second time"},
        {AccountClosed{"A", {}}, "its balance is 10.00 USD (it must be zero)"},
        {MoneyDeposited{"A", 1, "", {"used", 7}}, "ref \"used\" was already used by event 3"},
    };
    for (const auto& [event, says] : bad) {
      const Status s = books.state.check({99, t, t, event});
      CAPTURE(says);
      REQUIRE_FALSE(s);
      CHECK(s.code() == ErrorCode::kCorruption);
      CHECK(s.message().find("event 99 breaks a rule: ") == 0);
      CHECK(s.message().find(says) != std::string::npos);
    }
    const Status later = books.state.check({99, t, t + 1, MoneyDeposited{"A", 1, "", {}}});
    CHECK(later.message().find("effective after it was recorded") != std::string::npos);
  }
}
