#include "app/replay.h"

#include <fmt/format.h>

namespace ledger::app {

Status detail::undecodable(uint64_t seq, const Status& status) {
  return Status(status.code(), fmt::format("event {}: {}", seq, status.message()));
}

Status for_each_event(const std::filesystem::path& dir, std::optional<int64_t> known_at_ns,
                      const std::function<Status(const domain::StoredEvent&)>& visit) {
  return replay_events(dir, known_at_ns, [&visit](const EventRef& e) {
    return visit({e.seq, e.recorded_ns, e.effective_ns, domain::to_event(e.event)});
  });
}

}  // namespace ledger::app
