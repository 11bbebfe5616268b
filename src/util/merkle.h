#pragma once
// Merkle trees as RFC 9162 (Certificate Transparency 2.0) defines them, section 2.1: SHA-256,
// a leaf hashed with a 0x00 prefix and an inner node with 0x01, and a tree over n leaves split
// at the largest power of two below n. Nothing here knows what a leaf holds.
//
// Proofs are built in two steps, so that whoever holds the leaves can hash them as it likes
// (streaming a log, or from stored inner nodes): *_ranges() names the subtrees a proof is made
// of, and their hashes, in that order, are the proof.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ledger::util::merkle {

using Hash = std::array<unsigned char, 32>;

// SHA-256 of `bytes` (OpenSSL's libcrypto).
Hash sha256(std::span<const unsigned char> bytes);
// HASH(0x00 || leaf).
Hash leaf_hash(std::span<const unsigned char> leaf);
// HASH(0x01 || left || right).
Hash node_hash(const Hash& left, const Hash& right);
// The root of the empty tree: HASH() of nothing.
Hash empty_root();

// Lowercase hex of any bytes (a hash, a leaf).
std::string to_hex(std::span<const unsigned char> bytes);
// Hex digits (either case), two a byte.
std::optional<std::vector<unsigned char>> bytes_from_hex(std::string_view hex);
// Exactly 64 hex digits (either case).
std::optional<Hash> from_hex(std::string_view hex);

// The leaves [begin, end) of a tree, 0-based.
struct Range {
  uint64_t begin = 0;
  uint64_t end = 0;
  friend bool operator==(const Range&, const Range&) = default;
};

// The root of the leaves pushed so far, in order, in memory that grows with log2 of their
// count: the roots of the complete subtrees that the count's binary digits describe.
class RangeHasher {
 public:
  RangeHasher() = default;
  // Continues the leaves before: `peaks` as peaks() gave them after `size` leaves.
  RangeHasher(std::vector<Hash> peaks, uint64_t size) : peaks_(std::move(peaks)), size_(size) {}

  // `completed`, if given, is told each complete subtree this leaf completes above it: its
  // height (1 for two leaves) and hash, lowest first.
  void push(const Hash& leaf, const std::function<void(unsigned height, const Hash&)>& completed = {});
  uint64_t size() const { return size_; }
  // The roots of the complete subtrees of the leaves so far, largest first.
  const std::vector<Hash>& peaks() const { return peaks_; }
  // MTH of the leaves pushed (empty_root() for none).
  Hash root() const;

 private:
  std::vector<Hash> peaks_;  // Largest subtree first.
  uint64_t size_ = 0;
};

// PATH(index, D[size]) of RFC 9162 2.1.3.1, as the subtrees whose hashes make it, leaf end
// first. Requires index < size.
std::vector<Range> inclusion_ranges(uint64_t index, uint64_t size);
// PROOF(old_size, D[size]) of RFC 9162 2.1.4.1, as subtrees. Requires 0 < old_size < size.
std::vector<Range> consistency_ranges(uint64_t old_size, uint64_t size);

// RFC 9162 2.1.3.2: whether `path` proves the leaf with hash `leaf` at `index` in the tree of
// `size` leaves with root `root`.
bool verify_inclusion(uint64_t index, uint64_t size, const Hash& leaf, std::span<const Hash> path,
                      const Hash& root);
// RFC 9162 2.1.4.2: whether `proof` shows that the tree of `size` leaves with root `root`
// extends the one of `old_size` with root `old_root`. Equal sizes need an empty proof and equal
// roots; the empty tree is extended by any tree (empty proof).
bool verify_consistency(uint64_t old_size, uint64_t size, const Hash& old_root, const Hash& root,
                        std::span<const Hash> proof);

}  // namespace ledger::util::merkle
