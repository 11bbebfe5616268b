#pragma once
// The accounts of a LedgerState to bytes and back, for snapshots. Cereal's portable binary
// archive, like the events; the layout has its own version so that a later build can upcast.
// The ref index is not in here: it lives in its own derived index (see app/ref_index.h).

#include <span>
#include <string>

#include "domain/ledger_state.h"
#include "ledger/status.h"

namespace ledger::domain {

// Version 2 added each account's closing time and latest posting (version 1 still reads: the
// latest posting is then unknown, which makes a backdating check ask the log).
inline constexpr uint32_t kStateSchemaVersion = 2;

std::string encode_state(const LedgerState& state);
// Refuses (kCorruption) bytes that are not exactly one encoded state of a known version.
Result<LedgerState> decode_state(std::span<const unsigned char> bytes, bool track_refs);

}  // namespace ledger::domain
