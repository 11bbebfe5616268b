#pragma once
// `export` from any store: the store feeds its events in log order, and export_from sorts them
// into timeline order with running balances for the sink (app/ledger_export.cpp says how).

#include <cstddef>
#include <functional>
#include <vector>

#include "domain/event_view.h"
#include "ledger/ledger.h"

namespace ledger::app {

// Hands each event to the visitor, in log order, and stops at the visitor's first failure.
using EventVisit = std::function<Status(const domain::EventAt&)>;
using EventFeed = std::function<Status(const EventVisit& visit)>;

// The events `feed` gives that `cutoffs` let through (it applies --known-at itself; --at is
// applied here), checked against `balances` (the same cutoffs through the query path) before
// the sink takes the first.
Status export_from(const EventFeed& feed, const Cutoffs& cutoffs, size_t memory_bytes,
                   const std::function<Result<std::vector<AccountView>>()>& balances,
                   ExportSink& sink, const std::function<void(uint64_t)>& progress);

}  // namespace ledger::app
