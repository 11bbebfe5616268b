#pragma once
// Reading the log as domain events: the one place where store records become events.

#include <filesystem>
#include <functional>
#include <optional>

#include "domain/events.h"
#include "ledger/status.h"

namespace ledger::app {

// Calls `visit` for every visible event in log order, stopping before the first frame recorded
// after `known_at_ns` (recorded times never decrease along the log). A failing visit stops it.
Status for_each_event(const std::filesystem::path& dir, std::optional<int64_t> known_at_ns,
                      const std::function<Status(const domain::StoredEvent&)>& visit);

}  // namespace ledger::app
