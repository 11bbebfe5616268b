#pragma once
// Events to bytes and back, with Cereal's portable binary archive (fixed little-endian layout
// whatever the host). Every type carries its schema version; decode upcasts older versions.

#include <cstdint>
#include <span>
#include <string>

#include "domain/events.h"
#include "ledger/status.h"

namespace ledger::domain {

struct EncodedEvent {
  uint16_t type = 0;
  uint16_t version = 0;
  std::string payload;
};

// The schema version encode_event writes for every type.
inline constexpr uint16_t kEventSchemaVersion = 1;

EncodedEvent encode_event(const Event& event);
// Refuses (kCorruption) an unknown type, a version newer than this build knows, or bytes that
// do not decode to exactly one event.
Result<Event> decode_event(uint16_t type, uint16_t version, std::span<const unsigned char> payload);

}  // namespace ledger::domain
