#pragma once
// A non-owning view of one event payload, decoded without allocating.
//
// Why this exists beside event_codec.h: replay decodes every event of the log, and Cereal's
// reader goes through a std::istream, one virtual sgetn per field, and builds a std::variant of
// std::strings; that costs more than everything else a replay does. decode_event_view reads
// the same bytes in place: the strings of an EventView point into the payload. Cereal stays
// the format's writer (encode_event) and its reference reader (decode_event); the tests prove
// that the two readers agree, on random events and on the pinned version-1 bytes, and refuse
// the same damaged payloads.

#include <cstdint>
#include <span>
#include <string_view>

#include "domain/events.h"
#include "ledger/status.h"

namespace ledger::domain {

// Valid while the payload it was decoded from is. Fields a type does not have stay empty or 0:
//   kAccountOpened     account, owner, currency, overdraft_limit, ref, ref_digest
//   kMoneyDeposited    account, amount, memo, ref, ref_digest
//   kMoneyWithdrawn    account, amount, memo, ref, ref_digest
//   kMoneyTransferred  from, to, amount, memo, ref, ref_digest
//   kAccountClosed     account, ref, ref_digest
struct EventView {
  EventType type = EventType::kAccountOpened;
  std::string_view account;
  std::string_view from;
  std::string_view to;
  std::string_view owner;
  std::string_view currency;
  std::string_view memo;
  std::string_view ref;  // Empty: none.
  int64_t amount = 0;
  int64_t overdraft_limit = 0;
  uint64_t ref_digest = 0;
};

// An event with its place and times in the log, as replay hands it out.
struct EventAt {
  uint64_t seq = 0;
  int64_t recorded_ns = 0;
  int64_t effective_ns = 0;
  EventView event;
};

// Decodes `payload` (type and schema version as the record header gives them) into `out`.
// Refuses (kCorruption) exactly what decode_event refuses: an unknown type, a version newer
// than this build reads, and bytes that are not exactly one event (truncated, trailing, or a
// string length running past the end). `out` is unspecified after a refusal.
Status decode_event_view(uint16_t type, uint16_t version, std::span<const unsigned char> payload,
                         EventView& out);

// The owned event that `view` describes (for callers that keep events, and for tests).
Event to_event(const EventView& view);
// The view of an owned event; it points into `event`.
EventView view_of(const Event& event);

}  // namespace ledger::domain
