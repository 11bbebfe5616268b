#pragma once
// `history`: the raw events in log order as the API shows them. Fed every event in log order
// (by whichever store), it keeps those that name the account asked for, recorded from --from on.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "domain/events.h"
#include "ledger/ledger.h"

namespace ledger::app {

class HistoryCollector {
 public:
  HistoryCollector(std::optional<std::string> id, std::optional<int64_t> from_ns)
      : id_(std::move(id)), from_ns_(from_ns) {}
  // Every event, in log order: openings tell the decimals of later amounts.
  void add(const domain::StoredEvent& e);
  // Whether any event named the account (always false when none was asked).
  bool seen() const { return seen_; }
  std::vector<HistoryEntry> take() { return std::move(entries_); }

 private:
  std::string money(const std::string& account, int64_t amount) const;

  std::optional<std::string> id_;
  std::optional<int64_t> from_ns_;
  std::map<std::string, int, std::less<>> decimals_;  // Of each account, from its opening.
  std::vector<HistoryEntry> entries_;
  bool seen_ = false;
};

}  // namespace ledger::app
