#pragma once
// The Merkle tree over a log (RFC 9162, util/merkle.h): every event is a leaf, in sequence
// order, hashed as store/tree_leaf.h encodes it. A store hands out its leaves (LeafFeed); the
// rest (tree heads, proofs, their checks, the proof file) is the same for every store.

#include <cstdint>
#include <functional>
#include <memory>
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

// Where a tree's hashes come from.
class TreeSource {
 public:
  virtual ~TreeSource() = default;
  // How many events the log holds (every one a leaf).
  virtual Result<uint64_t> size() = 0;
  // How many of them were recorded at or before `t`.
  virtual Result<uint64_t> size_known_at(int64_t t) = 0;
  // The root of each range of leaves (each within [0, size())), and, with `keep`, the bytes of
  // that leaf.
  virtual Result<std::vector<util::merkle::Hash>> hashes(
      std::span<const util::merkle::Range> ranges, std::optional<uint64_t> keep,
      std::vector<unsigned char>* kept) = 0;
};

// Hashes every leaf a question needs from a store's leaves (PostgreSQL's); `count` tells how
// many there are (recorded at or before a time, if given).
std::unique_ptr<TreeSource> streamed_tree(
    LeafFeed feed, std::function<Result<uint64_t>(std::optional<int64_t>)> count);
// A data directory: the stored nodes of its sealed segments (store/segment_tree.h), and its
// events where they have none (the newest segment, and the low levels of a proof).
Result<std::unique_ptr<TreeSource>> directory_tree(const std::filesystem::path& dir);

Result<TreeHead> tree_head_of(TreeSource& tree, std::optional<uint64_t> size);
Result<TreeHead> tree_head_known_at(TreeSource& tree, std::optional<int64_t> known_at_ns);
Result<DigestCheck> check_digest_of(TreeSource& tree, const TreeHead& kept);
// The inclusion proof of event `seq` in the tree of `at.size` leaves, as the JSON document
// `prove` prints. Refused (kRefused) when the log no longer hashes to `at`.
Result<std::string> prove_of(TreeSource& tree, uint64_t seq, const TreeHead& at);

}  // namespace ledger::app
