#pragma once
// When an entry takes effect for its accounts: a whole date (the usual case) or an instant.
// Both are read and shown in the ledger's one time zone, fixed when the ledger was created.

#include <cstdint>

namespace ledger {

struct EffectiveTime {
  // For a date, the first instant of that day in the ledger's zone; for an instant, itself.
  // Nanoseconds since 1970-01-01T00:00:00Z.
  int64_t ns = 0;
  bool date = false;
  friend bool operator==(const EffectiveTime&, const EffectiveTime&) = default;
};

}  // namespace ledger
