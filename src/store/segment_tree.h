#pragma once
// The Merkle tree's stored nodes (util/merkle.h, store/tree_leaf.h), one file per segment,
// beside its time index: <dir>/index/<digits>.tre (archive/<digits>.tre once archived). Each
// holds the peaks of the tree of every event up to the segment's last (what a digest needs) and
// every complete subtree of at least 2^kTreeMinHeight leaves whose last leaf is in the segment
// (what a proof needs). The newest segment's describes a prefix of it: the writer stores it as
// its commits cross each kTreeCheckpointBytes of the file, and completes it when it seals the
// segment. Derived data: checked against the segment's size and sequence base when loaded,
// compared with a rebuild by verify, and never trusted over the log: a reader without one
// hashes the events.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "store/log_cursor.h"
#include "util/merkle.h"

namespace ledger::store {

inline constexpr const char* kTreeSuffix = ".tre";
// Subtrees of fewer leaves are hashed from the log when a proof needs them: at most 15
// events, and the file stays near 4 bytes an event.
inline constexpr unsigned kTreeMinHeight = 4;

struct SegmentTree {
  uint64_t base_seq = 0;
  uint64_t seq_last = 0;    // base_seq - 1 for a segment without events.
  uint64_t file_size = 0;   // The segment's size: another size means another segment.
  uint64_t chain_last = 0;  // The checksum of its last frame.
  std::vector<util::merkle::Hash> peaks;  // Of the tree of events 1..seq_last, largest first.
  // In the order of their last leaf, lower first at one leaf.
  std::vector<util::merkle::Hash> nodes;

  // The subtree of 2^height leaves from leaf index << height (0-based leaves), if it is one of
  // `nodes` (height >= kTreeMinHeight, last leaf in this segment).
  std::optional<util::merkle::Hash> node(unsigned height, uint64_t index) const;
  friend bool operator==(const SegmentTree&, const SegmentTree&) = default;
};

// The newest segment's tree is stored too, up to where its file was when a commit crossed a
// multiple of this many bytes: so a reader hashes at most this much of the log (about 2,800
// events) beyond the stored nodes, and the writer hashes each event once, not again at the
// seal (which continues the stored prefix).
inline constexpr uint64_t kTreeCheckpointBytes = 256 << 10;

// The tree of segment `index` before its first event: the peaks `before` (those of events
// 1..base_seq - 1), no nodes.
Result<SegmentTree> segment_tree_start(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                       size_t index, const std::vector<util::merkle::Hash>& before);
// `tree` (of a prefix of segment `index`) continued over the frames after it, to the end of
// the file or, given `until`, to the first frame boundary at or past that offset. The first
// frame's checksum must link to tree.chain_last. A damaged segment is an error.
Result<SegmentTree> extend_segment_tree(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                        size_t index, SegmentTree tree,
                                        std::optional<uint64_t> until);
// Hashes the events of segment `index`, after the tree whose peaks are `before` (that of
// events 1..base_seq - 1). A damaged segment is an error.
Result<SegmentTree> build_segment_tree(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                       size_t index, const std::vector<util::merkle::Hash>& before);
Bytes encode_segment_tree(const SegmentTree& tree);
Result<SegmentTree> decode_segment_tree(ByteView bytes);
std::filesystem::path tree_path(const SegmentFile& segment);
// The stored tree of a segment, if one describes the segment file as it is now, or, with
// `prefix_ok`, its first tree.file_size bytes (the newest segment's, kTreeCheckpointBytes).
std::optional<SegmentTree> load_stored_tree(Syscalls& sys, const SegmentFile& segment,
                                            bool prefix_ok = false);
// Best effort, like the time index: a reader without it hashes the log.
void store_segment_tree(Syscalls& sys, const SegmentFile& segment, const SegmentTree& tree);

// The stored trees of segments [0, count) (or fewer: up to the first missing one), building
// and storing the missing ones when `store` (the writer, under its lock). Segments wholly
// before a purge have none; so does a purged log.
Result<std::vector<SegmentTree>> load_segment_trees(Syscalls& sys,
                                                    const std::vector<SegmentFile>& segments,
                                                    size_t count, bool store);

}  // namespace ledger::store
