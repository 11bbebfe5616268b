#include "store/pg_event_chain.h"

#include <xxhash.h>

#include <string>

#include "util/endian.h"

namespace ledger::store {

uint64_t chained_checksum(uint64_t previous, const EventRow& row) {
  std::string bytes(28, '\0');
  auto* at = reinterpret_cast<unsigned char*>(bytes.data());
  util::put<uint64_t>(at, row.seq);
  util::put<uint64_t>(at + 8, static_cast<uint64_t>(row.recorded_ns));
  util::put<uint64_t>(at + 16, static_cast<uint64_t>(row.effective_ns));
  util::put<uint16_t>(at + 24, row.type);
  util::put<uint16_t>(at + 26, row.version);
  bytes.append(row.payload);
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), previous);
}

}  // namespace ledger::store
