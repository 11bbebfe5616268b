#pragma once
// The bytes an event is hashed as, a leaf of the Merkle tree over the log (util/merkle.h;
// ledger-format(5), "The Merkle tree"): its sequence number, recorded and effective times,
// type and schema version, big-endian as RFC 9162's structures are, then its payload exactly
// as stored. The same on every store, so that a copy keeps its digests.

#include <cstdint>
#include <span>
#include <vector>

namespace ledger::store {

inline constexpr size_t kLeafHeaderSize = 8 + 8 + 8 + 2 + 2;

inline void encode_leaf(std::vector<unsigned char>& out, uint64_t seq, int64_t recorded_ns,
                        int64_t effective_ns, uint16_t type, uint16_t version,
                        std::span<const unsigned char> payload) {
  out.resize(kLeafHeaderSize + payload.size());
  unsigned char* p = out.data();
  auto put = [&p](uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) *p++ = static_cast<unsigned char>(v >> (8 * i));
  };
  put(seq, 8);
  put(static_cast<uint64_t>(recorded_ns), 8);
  put(static_cast<uint64_t>(effective_ns), 8);
  put(type, 2);
  put(version, 2);
  for (unsigned char b : payload) *p++ = b;
}

struct LeafFields {
  uint64_t seq = 0;
  int64_t recorded_ns = 0;
  int64_t effective_ns = 0;
  uint16_t type = 0;
  uint16_t version = 0;
  std::span<const unsigned char> payload;
};

// False when `leaf` is shorter than its header.
inline bool decode_leaf(std::span<const unsigned char> leaf, LeafFields& out) {
  if (leaf.size() < kLeafHeaderSize) return false;
  const unsigned char* p = leaf.data();
  auto get = [&p](int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | *p++;
    return v;
  };
  out.seq = get(8);
  out.recorded_ns = static_cast<int64_t>(get(8));
  out.effective_ns = static_cast<int64_t>(get(8));
  out.type = static_cast<uint16_t>(get(2));
  out.version = static_cast<uint16_t>(get(2));
  out.payload = leaf.subspan(kLeafHeaderSize);
  return true;
}

}  // namespace ledger::store
