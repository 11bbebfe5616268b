#pragma once
// An exported event as util::ExternalSort holds it while `export` puts the log into timeline
// order: a key that orders it, and its other fields as bytes. Accounts travel as the numbers
// ExportBook gives them, so that records stay small and writing them needs no lookup by name.

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "domain/event_view.h"
#include "ledger/ledger.h"

namespace ledger::app {

// Timeline order (domain/ledger_state.h): by position, openings first and closings last at one
// position, then sequence; the order in which import applies rows, so that an export imported
// into an empty ledger is accepted whatever was backdated. Without padding, since keys are
// copied to scratch files byte for byte.
struct ExportKey {
  int64_t position = 0;
  int32_t rank = 0;
  uint32_t unused = 0;
  uint64_t seq = 0;
  friend bool operator<(const ExportKey& a, const ExportKey& b) {
    return std::tie(a.position, a.rank, a.seq) < std::tie(b.position, b.rank, b.seq);
  }
};
static_assert(sizeof(ExportKey) == 24);

ExportKey export_key_of(const domain::EventAt& e);
EntryOp export_op_of(domain::EventType type);
// The account an event is about: the source of a transfer, else its only account.
std::string_view export_account_of(const domain::EventView& v);

// The accounts of a record, by ExportBook's numbers; `to` only for transfers.
struct ExportAccountNumbers {
  uint32_t account = 0;
  uint32_t to = 0;
};

void encode_export_record(std::string& out, const domain::EventAt& e,
                          ExportAccountNumbers accounts);
// Fills every field of `x` that the record holds (all but account names, currency and
// balances) and returns its account numbers.
ExportAccountNumbers decode_export_record(const ExportKey& key, std::string_view record,
                                          ExportEvent& x);

}  // namespace ledger::app
