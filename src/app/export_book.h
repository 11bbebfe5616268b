#pragma once
// The accounts of an export and what it knows of each: currency and decimals for writing, a
// running balance in export order, and the total of its events in any order. It grows with
// accounts, never with events, so the events themselves can stream past it twice: once in log
// order while they are read and sorted, once in export order while they are written.
//
// The total of an account's events does not depend on their order, so it is known, and checked
// against balances(), before the first line is written; the running balances are then checked
// against the totals after the last.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "app/export_record.h"
#include "ledger/ledger.h"

namespace ledger::app {

class ExportBook {
 public:
  // While reading, in log order: the account's number, given on first sight.
  uint32_t number(std::string_view id);
  void open(uint32_t account, std::string_view currency);
  // An event at `key` touches `account` and moves its balance by `delta` minor units; `side`
  // is 0 for the account an event is about, 1 for a transfer's destination.
  void touch(uint32_t account, const ExportKey& key, int side, int64_t delta);

  // After reading: the errors that writing in export order would meet first, if any.
  Status check_opened() const;
  Status check_totals(const std::vector<AccountView>& views) const;
  // Every account the export opens, by id.
  std::vector<ExportAccount> accounts() const;

  // While writing, in export order: sets the account names, currency, decimals and balances
  // of `x`, whose other fields come from its record.
  Status apply(ExportEvent& x, ExportAccountNumbers numbers);
  // After writing: the running balances came to the totals.
  Status check_written() const;

 private:
  struct Account {
    std::string id;
    std::string currency;
    int decimals = 2;
    bool opened = false;
    __int128 total = 0;
    int64_t balance = 0;
    __int128* external = nullptr;  // Of its currency.
    std::optional<std::pair<ExportKey, int>> first_use;  // In export order, and which side.
  };

  std::unordered_map<std::string, uint32_t> numbers_;
  std::vector<Account> accounts_;
  // Deposits less withdrawals so far, by currency, in export order.
  std::map<std::string, __int128, std::less<>> external_;
};

}  // namespace ledger::app
