#include "store/segment_tree.h"

#include <algorithm>
#include <array>
#include <bit>

#include <fmt/format.h>

#include "store/record.h"
#include "store/time_index.h"
#include "store/tree_leaf.h"
#include "util/endian.h"

namespace ledger::store {

namespace fs = std::filesystem;
namespace merkle = util::merkle;
using util::get;
using util::put;

namespace {

constexpr std::array<unsigned char, 8> kTreeMagic = {'L', 'D', 'G', 'T', 'R', 'E', '0', '1'};
constexpr size_t kTreeFixedSize = 8 + 4 + 4 + 8 * 4 + 4;  // Then peaks, node count, nodes, sum.
constexpr size_t kPeaksMax = 64;

// Nodes of height >= kTreeMinHeight completed by the leaves [0, end) (0-based leaf indexes).
uint64_t nodes_completed_before(uint64_t end) {
  uint64_t n = 0;
  for (unsigned h = kTreeMinHeight; h < 64 && (end >> h) > 0; ++h) n += end >> h;
  return n;
}

}  // namespace

std::optional<merkle::Hash> SegmentTree::node(unsigned height, uint64_t index) const {
  if (height < kTreeMinHeight || height >= 64) return std::nullopt;
  const uint64_t last = ((index + 1) << height) - 1;  // Its last leaf, 0-based.
  if (last + 1 < base_seq || last + 1 > seq_last) return std::nullopt;
  const uint64_t at = nodes_completed_before(last) - nodes_completed_before(base_seq - 1) +
                      (height - kTreeMinHeight);
  if (at >= nodes.size()) return std::nullopt;
  return nodes[at];
}

Result<SegmentTree> segment_tree_start(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                       size_t index, const std::vector<merkle::Hash>& before) {
  auto header = read_segment_header(sys, segments, index);
  if (!header) return header.status();
  SegmentTree tree;
  tree.base_seq = header->base_seq;
  tree.seq_last = header->base_seq - 1;
  tree.chain_last = header->prev_checksum;
  tree.file_size = header->size();
  // The peaks of n leaves are one per bit of n: others belong to another log, or to a gap.
  if (static_cast<size_t>(std::popcount(tree.base_seq - 1)) != before.size()) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("the tree before {} does not end at event {}",
                              display_name(segments[index].path), tree.base_seq - 1));
  }
  tree.peaks = before;
  return tree;
}

Result<SegmentTree> extend_segment_tree(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                        size_t index, SegmentTree tree,
                                        std::optional<uint64_t> until) {
  // The frame after the tree's last: its checksum links to chain_last, so a tree that is not a
  // prefix of this file fails there rather than continuing another log.
  const LogPosition from{index, tree.file_size, tree.seq_last + 1, tree.chain_last, INT64_MIN};
  std::vector<SegmentFile> one(segments.begin(), segments.begin() + index + 1);
  LogCursor cursor(sys, std::move(one), from);
  merkle::RangeHasher hasher(tree.peaks, tree.seq_last);
  auto keep = [&tree](unsigned height, const merkle::Hash& h) {
    if (height >= kTreeMinHeight) tree.nodes.push_back(h);
  };
  std::vector<unsigned char> leaf;
  while (!until || tree.file_size < *until) {
    const LogCursor::Step step = cursor.next();
    if (step == LogCursor::Step::kEnd) break;
    if (step != LogCursor::Step::kFrame) return corruption_status(cursor.problem());
    const FrameRef& f = cursor.frame();
    RecordIterator records(f.bytes);
    Record record;
    for (uint64_t seq = f.header.seq_first; records.next(record); ++seq) {
      encode_leaf(leaf, seq, f.header.recorded_ns, record.effective_ns, record.type,
                  record.version, record.payload);
      hasher.push(merkle::leaf_hash(leaf), keep);
    }
    tree.seq_last = f.header.seq_last();
    tree.chain_last = f.header.checksum;
    tree.file_size = f.offset + f.header.length;
  }
  tree.peaks = hasher.peaks();
  return tree;
}

Result<SegmentTree> build_segment_tree(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                       size_t index, const std::vector<merkle::Hash>& before) {
  auto start = segment_tree_start(sys, segments, index, before);
  if (!start) return start.status();
  return extend_segment_tree(sys, segments, index, std::move(*start), std::nullopt);
}

Bytes encode_segment_tree(const SegmentTree& tree) {
  const size_t size = kTreeFixedSize + 32 * tree.peaks.size() + 8 + 32 * tree.nodes.size() + 8;
  Bytes out(size);
  unsigned char* p = out.data();
  std::copy(kTreeMagic.begin(), kTreeMagic.end(), p);
  put<uint32_t>(p + 8, 1);
  put<uint32_t>(p + 12, kTreeMinHeight);
  put<uint64_t>(p + 16, tree.base_seq);
  put<uint64_t>(p + 24, tree.seq_last);
  put<uint64_t>(p + 32, tree.file_size);
  put<uint64_t>(p + 40, tree.chain_last);
  put<uint32_t>(p + 48, static_cast<uint32_t>(tree.peaks.size()));
  p += kTreeFixedSize;
  for (const merkle::Hash& h : tree.peaks) p = std::copy(h.begin(), h.end(), p);
  put<uint64_t>(p, tree.nodes.size());
  p += 8;
  for (const merkle::Hash& h : tree.nodes) p = std::copy(h.begin(), h.end(), p);
  put<uint64_t>(p, checksum(ByteView(out.data(), out.size() - 8), 0));
  return out;
}

Result<SegmentTree> decode_segment_tree(ByteView bytes) {
  const Status bad(ErrorCode::kCorruption, "bad segment tree file");
  if (bytes.size() < kTreeFixedSize + 16) return bad;
  const unsigned char* p = bytes.data();
  if (!std::equal(kTreeMagic.begin(), kTreeMagic.end(), p) || get<uint32_t>(p + 8) != 1 ||
      get<uint32_t>(p + 12) != kTreeMinHeight) {
    return bad;
  }
  if (get<uint64_t>(p + bytes.size() - 8) != checksum(bytes.first(bytes.size() - 8), 0)) return bad;
  SegmentTree tree;
  tree.base_seq = get<uint64_t>(p + 16);
  tree.seq_last = get<uint64_t>(p + 24);
  tree.file_size = get<uint64_t>(p + 32);
  tree.chain_last = get<uint64_t>(p + 40);
  const size_t peaks = get<uint32_t>(p + 48);
  if (peaks > kPeaksMax || static_cast<size_t>(std::popcount(tree.seq_last)) != peaks ||
      tree.base_seq == 0 || tree.seq_last + 1 < tree.base_seq ||
      bytes.size() < kTreeFixedSize + 32 * peaks + 16) {
    return bad;
  }
  const uint64_t nodes = get<uint64_t>(p + kTreeFixedSize + 32 * peaks);
  const uint64_t expected =
      nodes_completed_before(tree.seq_last) - nodes_completed_before(tree.base_seq - 1);
  // Bounded by the bytes there are before it is multiplied: a crafted count would wrap.
  const uint64_t room = (bytes.size() - kTreeFixedSize - 32 * peaks - 16) / 32;
  if (nodes != expected || nodes > room ||
      bytes.size() != kTreeFixedSize + 32 * peaks + 8 + 32 * nodes + 8) {
    return bad;
  }
  p += kTreeFixedSize;
  auto read_hashes = [&p](size_t n, std::vector<merkle::Hash>& out) {
    out.resize(n);
    for (merkle::Hash& h : out) {
      std::copy(p, p + 32, h.begin());
      p += 32;
    }
  };
  read_hashes(peaks, tree.peaks);
  p += 8;
  read_hashes(nodes, tree.nodes);
  return tree;
}

fs::path tree_path(const SegmentFile& segment) {
  return fs::path(index_path(segment)).replace_extension(kTreeSuffix);
}

std::optional<SegmentTree> load_stored_tree(Syscalls& sys, const SegmentFile& segment,
                                            bool prefix_ok) {
  // About 4 bytes an event: some 300 KiB for a segment of the default 8 MiB.
  auto bytes = read_small_file(sys, tree_path(segment), 512 << 10);
  if (!bytes) return {};
  auto tree = decode_segment_tree(*bytes);
  if (!tree) return {};
  auto size = segment_size(sys, segment);
  if (!size || tree->base_seq != segment.base_seq) return {};
  if (prefix_ok ? tree->file_size > *size : tree->file_size != *size) return {};
  return std::move(*tree);
}

void store_segment_tree(Syscalls& sys, const SegmentFile& segment, const SegmentTree& tree) {
  if (create_index_dir(sys, segment)) {
    (void)write_file_atomically(sys, tree_path(segment), encode_segment_tree(tree));
  }
}

Result<std::vector<SegmentTree>> load_segment_trees(Syscalls& sys,
                                                    const std::vector<SegmentFile>& segments,
                                                    size_t count, bool store) {
  std::vector<SegmentTree> trees;
  if (segments.empty() || segments.front().base_seq != 1) return trees;  // Purged.
  for (size_t i = 0; i < count && i < segments.size(); ++i) {
    std::optional<SegmentTree> tree = load_stored_tree(sys, segments[i]);
    const std::vector<merkle::Hash> before =
        trees.empty() ? std::vector<merkle::Hash>{} : trees.back().peaks;
    const uint64_t next_seq = trees.empty() ? 1 : trees.back().seq_last + 1;
    if (tree && tree->base_seq != next_seq) tree.reset();
    if (!tree) {
      // Not over a gap: the peaks before it would be another log's.
      if (!store || segments[i].base_seq != next_seq) break;
      auto built = build_segment_tree(sys, segments, i, before);
      if (!built) return built.status();
      store_segment_tree(sys, segments[i], *built);
      tree = std::move(*built);
    }
    trees.push_back(std::move(*tree));
  }
  return trees;
}

}  // namespace ledger::store
