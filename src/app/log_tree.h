#pragma once
// The Merkle tree over a log (RFC 9162, util/merkle.h): every event is a leaf, in sequence
// order, hashed as store/tree_leaf.h encodes it. A store keeps some of the tree's nodes and
// hands out its leaves (TreeSource); the rest (tree heads, proofs, their checks, the proof
// file) is the same for every store.

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

// A store other than a directory (PostgreSQL): the nodes it keeps (Books::tree_node), and its
// leaves where it keeps none.
std::unique_ptr<TreeSource> books_tree(std::shared_ptr<Books> books);
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
