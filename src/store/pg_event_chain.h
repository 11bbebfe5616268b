#pragma once
// The chain of a PostgreSQL store's events: each row of `events` carries an XXH3-64 checksum of
// its fields and payload, seeded with the row before it, as each frame of a segment does. A
// row edited, dropped or moved breaks the chain from there on, which verify can name.

#include <cstdint>
#include <string_view>

namespace ledger::store {

struct EventRow {
  uint64_t seq = 0;
  int64_t recorded_ns = 0;
  int64_t effective_ns = 0;
  uint16_t type = 0;
  uint16_t version = 0;
  std::string_view payload;  // The event as Cereal encoded it, the bytes a segment holds.
};

// Over seq, recorded and effective times (little-endian 64 bits each), type and version
// (16 bits each), then the payload; seeded with the previous row's checksum (0 for the first).
uint64_t chained_checksum(uint64_t previous, const EventRow& row);

}  // namespace ledger::store
