#include "app/replay.h"

#include <fmt/format.h>

#include "domain/event_codec.h"
#include "store/log_reader.h"
#include "store/record.h"

namespace ledger::app {

Status for_each_event(const std::filesystem::path& dir, std::optional<int64_t> known_at_ns,
                      const std::function<Status(const domain::StoredEvent&)>& visit) {
  auto reader = store::LogReader::open(dir);
  if (!reader) return reader.status();
  for (;;) {
    auto frame = reader->next();
    if (!frame) return frame.status();
    if (*frame == nullptr) return Status::ok();
    const store::FrameHeader& header = (*frame)->header;
    if (known_at_ns && header.recorded_ns > *known_at_ns) return Status::ok();
    store::RecordIterator records((*frame)->bytes);
    store::Record record;
    uint64_t seq = header.seq_first;
    while (records.next(record)) {
      auto event = domain::decode_event(record.type, record.version, record.payload);
      if (!event) {
        return Status(event.status().code(),
                      fmt::format("event {}: {}", seq, event.status().message()));
      }
      LEDGER_RETURN_IF_ERROR(
          visit({seq++, header.recorded_ns, record.effective_ns, std::move(*event)}));
    }
  }
}

}  // namespace ledger::app
