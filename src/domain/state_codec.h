#pragma once
// The accounts of a LedgerState to bytes and back, for snapshots. The ref index is not in here:
// it lives in its own derived index (see app/ref_index.h).
//
// Version 3 is a table that a question about one account reads in place: after a header, one
// fixed-width record per account, sorted by id, then a heap of the ids' and owners' bytes; a
// binary search finds an account in a few probes, without decoding the others (StateTable).
// Versions 1 and 2 were Cereal's portable binary archive, an account after another; they still
// read (decode_state), and the version number is still Cereal's, first in every version.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "domain/ledger_state.h"
#include "ledger/status.h"

namespace ledger::domain {

// Version 2 added each account's closing time and latest posting (version 1 still reads: the
// latest posting is then unknown, which makes a backdating check ask the log). Version 3 is
// version 2's fields as a sorted table.
inline constexpr uint32_t kStateSchemaVersion = 3;

std::string encode_state(const LedgerState& state);
// Refuses (kCorruption) bytes that are not exactly one encoded state of a known version.
Result<LedgerState> decode_state(std::span<const unsigned char> bytes, bool track_refs);

// The bytes of an encoded state, range by range. A snapshot's reader checks the blocks of a
// range the first time it is asked for them, so that a search reads and checks a few pages of
// the table, not all of it.
class StateBytes {
 public:
  virtual ~StateBytes() = default;
  virtual uint64_t size() const = 0;
  // [offset, offset + size), within size(); kCorruption when they do not check out.
  virtual Result<std::span<const unsigned char>> read(uint64_t offset, uint64_t size) const = 0;
};

// A version 3 state read in place; the bytes must outlive it.
class StateTable {
 public:
  // kNotFound for an older version (decode_state reads those); kCorruption for a table whose
  // sizes do not add up.
  static Result<StateTable> open(std::span<const unsigned char> bytes);
  // The same, reading only the ranges it is asked for.
  static Result<StateTable> open(const StateBytes& bytes);
  uint64_t last_seq() const { return last_seq_; }
  uint64_t size() const { return count_; }
  // The account with this id, if the table has it; each record read is checked.
  Result<std::optional<Account>> find(std::string_view id) const;
  Result<Account> at(uint64_t index) const;
  // The id of record `index` alone (checked), for scans that need no more.
  Result<std::string_view> id_at(uint64_t index) const;

 private:
  static Result<StateTable> open_at(std::span<const unsigned char> head, uint64_t size);
  // Record `index` (kRecordBytes) and heap ranges, from whichever bytes the table was opened on.
  Result<const unsigned char*> record(uint64_t index) const;
  Result<std::string_view> heap_text(uint64_t offset, uint64_t size, const char* what) const;
  Result<std::span<const unsigned char>> bytes(uint64_t offset, uint64_t size) const;

  std::span<const unsigned char> whole_;  // Opened on all the bytes,
  const StateBytes* source_ = nullptr;    // or on a source of ranges.
  uint64_t records_at_ = 0;
  uint64_t heap_at_ = 0;
  uint64_t count_ = 0;
  uint64_t heap_bytes_ = 0;
  uint64_t last_seq_ = 0;
};

}  // namespace ledger::domain
