#pragma once
// An import's rows checked in timeline order against the evolving state, for any store: each
// row that passes goes to the store's `record`, which applies it to the state (and writes it,
// while no row has failed); each that fails is an issue of the result. The rows of one position
// are checked together, so their order in the file changes nothing (import_check.cpp says how).

#include <cstddef>
#include <cstdint>
#include <functional>

#include "app/import_order.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"

namespace ledger::app {

struct ImportCheck {
  domain::LedgerState& state;
  int64_t now_ns = 0;  // The import's recorded time.
  size_t issues_max = 20;
  const std::function<void(size_t)>& progress;
  // A row that passed: apply it to `state` (and count it in result.recorded).
  std::function<Status(const domain::PendingEvent&)> record;
};

// Reads every row of `ordered`; fills result.rows, already_recorded and the issues. Fails only
// for what is not a row's fault (the log or an index unreadable, the store refusing a write).
Status check_import_rows(ImportOrder& ordered, ImportCheck& check, ImportResult& result);

}  // namespace ledger::app
