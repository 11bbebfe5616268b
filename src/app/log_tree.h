#pragma once
// The Merkle tree over a log (RFC 9162, util/merkle.h): every event is a leaf, in sequence
// order, hashed as store/tree_leaf.h encodes it. A store hands out its leaves (LeafFeed); the
// rest (tree heads, proofs, their checks, the proof file) is the same for every store.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "util/merkle.h"

namespace ledger::app {

using LeafVisit = std::function<Status(uint64_t seq, std::span<const unsigned char> leaf)>;
// Hands the leaves of events 1..limit (all when the log is shorter), in order, to the visitor;
// returns how many it handed out. A log whose beginning was purged is refused (kRefused).
using LeafFeed = std::function<Result<uint64_t>(uint64_t limit, const LeafVisit& visit)>;

// The data directory's leaves.
LeafFeed directory_leaves(const std::filesystem::path& dir);

// What one pass over the first `size` leaves gives.
struct TreePass {
  uint64_t size = 0;  // Leaves read: less than asked when the log is shorter.
  util::merkle::Hash root{};
  std::vector<util::merkle::Hash> range_hashes;  // One per range asked for, in order.
  std::vector<unsigned char> kept_leaf;          // The bytes of leaf `keep`, if asked.
};
Result<TreePass> hash_tree(const LeafFeed& feed, uint64_t size,
                           std::span<const util::merkle::Range> ranges,
                           std::optional<uint64_t> keep = std::nullopt);

Result<TreeHead> tree_head_of(const LeafFeed& feed, std::optional<uint64_t> size);
Result<DigestCheck> check_digest_of(const LeafFeed& feed, const TreeHead& kept);
// The inclusion proof of event `seq` in the tree of `at.size` leaves, as the JSON document
// `prove` prints; `decimals` tells the places of an account's amounts (its currency's).
// Refused (kRefused) when the log no longer hashes to `at`.
Result<std::string> prove_of(const LeafFeed& feed, uint64_t seq, const TreeHead& at,
                             const std::function<Result<int>(const std::string& account)>& decimals);

}  // namespace ledger::app
