// libFuzzer target for the snapshot loader: the snapshot file (store/snapshot_file.h, header
// and payload checks) and the state codec (domain/state_codec.h) that decodes its payload.
//
// An input is, by default, the bytes of one snapshot file. It is written to a private
// directory and read the way the state loader reads it (read_snapshot_info, then
// read_snapshot_payload, then decode_state), and the verdicts are compared with the header
// decoder called directly and with checks written here. The first byte can select another mode,
// in which the rest of the input is:
//   'P'  a state payload alone, fed to decode_state (no file system: much faster);
//   'C'  a snapshot header whose payload is the rest of the input, sealed as a writer of format
//        version 2 would (payload size, block checksums, their table's checksum, header
//        checksum), so that mutations reach the state codec behind the checksums.
// Checks: a file is refused with an error, or its header re-encodes to the same fields and its
// payload is exactly the bytes after the header (and, in version 2, its block table) with the
// size and checksums it declares, checked here apart from the reader; a payload is refused, or
// decodes to a state whose re-encoding decodes to the same state.
// Under libFuzzer, an allocation sized by a damaged length field stops the run (-malloc_limit_mb).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "domain/state_codec.h"
#include "fuzz_files.h"
#include "fuzz_support.h"
#include "state_round_trip.h"
#include "store/file.h"
#include "store/format.h"
#include "store/snapshot_file.h"
#include "util/endian.h"

namespace {

namespace fs = std::filesystem;
namespace store = ledger::store;
using ledger::fuzz::check;
using store::ByteView;

constexpr uint8_t kPayloadModeByte = 'P';
constexpr uint8_t kResealModeByte = 'C';

const fs::path& work_dir() {
  static const fs::path dir = [] {
    fs::path made = ledger::fuzz::make_work_dir("ledger-fuzz-snap");
    fs::create_directories(store::snapshot_dir(made));
    return made;
  }();
  return dir;
}

// A payload is refused, or decodes to a state that survives a round trip; whether refs are
// tracked makes no difference to what is decoded.
void fuzz_payload(ByteView payload) {
  auto state = ledger::domain::decode_state(payload, false);
  auto tracked = ledger::domain::decode_state(payload, true);
  check(state.is_ok() == tracked.is_ok());
  if (!state) {
    check(state.status().code() == ledger::ErrorCode::kCorruption);
    check(!state.status().message().empty());
    return;
  }
  ledger::fuzz::check_same_accounts(*state, *tracked);
  for (const ledger::domain::Account& account : state->accounts()) {
    auto currency = ledger::find_currency(account.currency.code);
    check(currency.is_ok() && currency->decimals == account.currency.decimals);
  }
  ledger::fuzz::check_state_round_trip(*state);
}

// The header decoder called directly: a header it accepts re-encodes to the same fields.
void check_header(ByteView input, const ledger::Result<store::SnapshotMeta>& meta,
                  const store::SnapshotLayout& layout) {
  if (!meta) {
    check(meta.status().code() == ledger::ErrorCode::kCorruption);
    return;
  }
  check(input.size() >= store::kSnapshotHeaderSize);
  check(layout.payload_size <= store::kSnapshotPayloadSizeMax);
  check(layout.version == 1 || layout.version == 2);
  const store::Bytes again = store::encode_snapshot(*meta, {});
  store::SnapshotLayout again_layout{0, 1, 0};
  auto decoded = store::decode_snapshot_header(again, &again_layout);
  check(decoded.is_ok() && *decoded == *meta && again_layout.payload_size == 0 &&
        again_layout.version == 2);
  // The fields the header carries are where the layout says.
  check(ledger::util::get<uint32_t>(input.data() + 8) == layout.version);
  check(ledger::util::get<uint64_t>(input.data() + 80) == layout.payload_size);
  check(ledger::util::get<uint64_t>(input.data() + 88) == layout.checksum);
}

// Whether the payload that follows the header checks out, by the format's rules as written in
// ledger-format(5): version 1, one checksum over it; version 2, one over the table of the
// 4096-byte blocks' checksums, and each block's in the table.
bool payload_checks_out(ByteView input, const store::SnapshotLayout& layout) {
  const uint64_t blocks = layout.version == 1 ? 0 : (layout.payload_size + 4095) / 4096;
  const uint64_t at = store::kSnapshotHeaderSize + 8 * blocks;
  if (input.size() != at + layout.payload_size) return false;
  const ByteView payload = input.subspan(at);
  if (layout.version == 1) return store::checksum(payload, 0) == layout.checksum;
  const ByteView table = input.subspan(store::kSnapshotHeaderSize, 8 * blocks);
  if (store::checksum(table, 0) != layout.checksum) return false;
  for (uint64_t b = 0; b < blocks; ++b) {
    const ByteView block = payload.subspan(b * 4096, std::min<uint64_t>(4096, payload.size() - b * 4096));
    if (store::checksum(block, 0) != ledger::util::get<uint64_t>(table.data() + 8 * b)) return false;
  }
  return true;
}

void fuzz_file(ByteView input) {
  store::SnapshotLayout layout;
  auto meta = store::decode_snapshot_header(input, &layout);
  check_header(input, meta, layout);

  // One file, rewritten for each input, and named for the read by its header's sequence number,
  // as the loader finds a snapshot; it gets its own name back after the input.
  const uint64_t seq = meta ? meta->seq_last : 1;
  const fs::path path = work_dir() / "snapshot.snap";
  ledger::fuzz::overwrite_file(path, input);
  struct Named {
    fs::path from, to;
    Named(fs::path a, fs::path b) : from(std::move(a)), to(std::move(b)) { fs::rename(from, to); }
    ~Named() { fs::rename(to, from); }
  } named(path, store::snapshot_path(work_dir(), seq));
  store::Syscalls& sys = store::real_syscalls();
  auto info = store::read_snapshot_info(sys, work_dir(), seq);
  check(info.is_ok() == meta.is_ok());
  if (!info) return;
  check(info->meta == *meta && info->size_bytes == input.size());

  auto payload = store::read_snapshot_payload(sys, *info);
  check(payload.is_ok() == payload_checks_out(input, layout));
  if (!payload) {
    check(payload.status().code() == ledger::ErrorCode::kCorruption);
    return;
  }
  const ByteView expected = input.subspan(input.size() - layout.payload_size);
  const ByteView got = *payload;
  check(got.size() == expected.size() && std::equal(got.begin(), got.end(), expected.begin()));
  fuzz_payload(*payload);
}

// The header of the input with the rest of it as payload, sealed as a version 2 writer would:
// the version, block size, payload size and checksums a writer would have given it.
store::Bytes reseal(ByteView input) {
  using ledger::util::put;
  if (input.size() < store::kSnapshotHeaderSize) return store::Bytes(input.begin(), input.end());
  const ByteView payload = input.subspan(store::kSnapshotHeaderSize);
  const uint64_t blocks = (payload.size() + 4095) / 4096;
  store::Bytes bytes(input.begin(), input.begin() + store::kSnapshotHeaderSize);
  bytes.resize(store::kSnapshotHeaderSize + 8 * blocks);
  for (uint64_t b = 0; b < blocks; ++b) {
    const ByteView block = payload.subspan(b * 4096, std::min<uint64_t>(4096, payload.size() - b * 4096));
    put<uint64_t>(bytes.data() + store::kSnapshotHeaderSize + 8 * b, store::checksum(block, 0));
  }
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  unsigned char* const p = bytes.data();
  put<uint32_t>(p + 8, 2);
  put<uint64_t>(p + 80, payload.size());
  put<uint64_t>(p + 88, store::checksum(ByteView(p + store::kSnapshotHeaderSize, 8 * blocks), 0));
  put<uint32_t>(p + 104, 4096);
  put<uint64_t>(p + 120, store::checksum(ByteView(p, 120), 0));
  return bytes;
}

}  // namespace

extern "C" int LEDGER_FUZZ_ENTRY(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  if (size > 0 && data[0] == kPayloadModeByte) {
    fuzz_payload(input.subspan(1));
    return 0;
  }
  if (size > 0 && data[0] == kResealModeByte) {
    fuzz_file(reseal(input.subspan(1)));
    return 0;
  }
  fuzz_file(input);
  return 0;
}
