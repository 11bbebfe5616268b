#pragma once
// The events of the ledger: immutable facts, named in the past tense. Each type has a schema
// version; the codec (event_codec.h) upcasts old versions on read. A transfer is one event that
// touches two accounts, so it is atomic by construction.

#include <cstdint>
#include <string>
#include <variant>

namespace ledger::domain {

enum class EventType : uint16_t {
  kAccountOpened = 1,
  kMoneyDeposited = 2,
  kMoneyWithdrawn = 3,
  kMoneyTransferred = 4,
  kAccountClosed = 5,
};

// A command's external reference and the digest of its content, which makes retries
// idempotent: the same ref with the same digest is already recorded; with another, a conflict.
struct RefKey {
  std::string ref;  // Empty: none.
  uint64_t digest = 0;
  friend bool operator==(const RefKey&, const RefKey&) = default;
};

struct AccountOpened {
  std::string account;
  std::string owner;
  std::string currency;
  int64_t overdraft_limit = 0;  // Minor units, >= 0.
  RefKey ref;
  friend bool operator==(const AccountOpened&, const AccountOpened&) = default;
};

struct MoneyDeposited {
  std::string account;
  int64_t amount = 0;  // Minor units, > 0.
  std::string memo;
  RefKey ref;
  friend bool operator==(const MoneyDeposited&, const MoneyDeposited&) = default;
};

struct MoneyWithdrawn {
  std::string account;
  int64_t amount = 0;
  std::string memo;
  RefKey ref;
  friend bool operator==(const MoneyWithdrawn&, const MoneyWithdrawn&) = default;
};

struct MoneyTransferred {
  std::string from;
  std::string to;
  int64_t amount = 0;
  std::string memo;
  RefKey ref;
  friend bool operator==(const MoneyTransferred&, const MoneyTransferred&) = default;
};

struct AccountClosed {
  std::string account;
  RefKey ref;
  friend bool operator==(const AccountClosed&, const AccountClosed&) = default;
};

using Event =
    std::variant<AccountOpened, MoneyDeposited, MoneyWithdrawn, MoneyTransferred, AccountClosed>;

// An event as the log holds it.
struct StoredEvent {
  uint64_t seq = 0;
  int64_t recorded_ns = 0;
  int64_t effective_ns = 0;
  Event event;
};

const RefKey& ref_of(const Event& event);
const char* event_type_name(const Event& event);  // "AccountOpened", ...

}  // namespace ledger::domain
