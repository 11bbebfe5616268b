// libFuzzer target for the snapshot loader: the snapshot file (store/snapshot_file.h, header
// and payload checks) and the state codec (domain/state_codec.h) that decodes its payload.
//
// An input is, by default, the bytes of one snapshot file. It is written to a private
// directory and read the way the state loader reads it (read_snapshot_info, then
// read_snapshot_payload, then decode_state), and the verdicts are compared with the header
// decoder called directly and with checks written here. The first byte can select another mode,
// in which the rest of the input is:
//   'P'  a state payload alone, fed to decode_state (no file system: much faster);
//   'C'  a snapshot whose payload size, payload checksum and header checksum are recomputed
//        before it is read, so that mutations reach the state codec behind the checksums.
// Checks: a file is refused with an error, or its header re-encodes to the same fields and its
// payload is exactly the bytes after the header with the size and checksum it declares; a
// payload is refused, or decodes to a state whose re-encoding decodes to the same state.
// Under libFuzzer, an allocation sized by a damaged length field stops the run (-malloc_limit_mb).

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
                  uint64_t size, uint64_t sum) {
  if (!meta) {
    check(meta.status().code() == ledger::ErrorCode::kCorruption);
    return;
  }
  check(input.size() >= store::kSnapshotHeaderSize);
  check(size <= store::kSnapshotPayloadSizeMax);
  const store::Bytes again = store::encode_snapshot(*meta, {});
  uint64_t again_size = 1;
  auto decoded = store::decode_snapshot_header(again, &again_size);
  check(decoded.is_ok() && *decoded == *meta && again_size == 0);
  // The fields the header carries are where the layout says.
  check(ledger::util::get<uint64_t>(input.data() + 80) == size);
  check(ledger::util::get<uint64_t>(input.data() + 88) == sum);
}

void fuzz_file(ByteView input) {
  uint64_t size = 0;
  uint64_t sum = 0;
  auto meta = store::decode_snapshot_header(input, &size, &sum);
  check_header(input, meta, size, sum);

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
  const bool whole = input.size() - store::kSnapshotHeaderSize == size;
  const ByteView expected = input.subspan(store::kSnapshotHeaderSize);
  check(payload.is_ok() == (whole && store::checksum(expected, 0) == sum));
  if (!payload) {
    check(payload.status().code() == ledger::ErrorCode::kCorruption);
    return;
  }
  const ByteView got = *payload;
  check(got.size() == expected.size() && std::equal(got.begin(), got.end(), expected.begin()));
  fuzz_payload(*payload);
}

// Gives the snapshot the payload size and checksums a writer would have given it.
store::Bytes reseal(ByteView input) {
  using ledger::util::put;
  store::Bytes bytes(input.begin(), input.end());
  if (bytes.size() < store::kSnapshotHeaderSize) return bytes;
  unsigned char* const p = bytes.data();
  const ByteView payload(p + store::kSnapshotHeaderSize, bytes.size() - store::kSnapshotHeaderSize);
  put<uint64_t>(p + 80, payload.size());
  put<uint64_t>(p + 88, store::checksum(payload, 0));
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
