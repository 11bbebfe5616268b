// The Merkle tree's stored nodes (store/segment_tree.h): what a sealed segment's tree file holds
// is what hashing the log's leaves gives, every stored node is found where node() looks, and a
// file whose counts do not fit its bytes is refused.
#include "store/segment_tree.h"

#include <doctest/doctest.h>

#include <bit>
#include <vector>

#include "store/log_reader.h"
#include "store/log_writer.h"
#include "store/log_fixture.h"
#include "store/segment_source.h"
#include "store/tree_leaf.h"
#include "util/endian.h"

using namespace ledger::store;
namespace merkle = ledger::util::merkle;

namespace {

// Every leaf of the log in `dir`, hashed, in order.
std::vector<merkle::Hash> leaf_hashes(const std::filesystem::path& dir) {
  auto reader = LogReader::open(dir);
  REQUIRE(reader);
  std::vector<merkle::Hash> out;
  std::vector<unsigned char> leaf;
  for (;;) {
    auto frame = reader->next();
    REQUIRE(frame);
    if (*frame == nullptr) break;
    RecordIterator records((*frame)->bytes);
    Record record;
    for (uint64_t seq = (*frame)->header.seq_first; records.next(record); ++seq) {
      encode_leaf(leaf, seq, (*frame)->header.recorded_ns, record.effective_ns, record.type,
                  record.version, record.payload);
      out.push_back(merkle::leaf_hash(leaf));
    }
  }
  return out;
}

merkle::Hash root_of(const std::vector<merkle::Hash>& leaves, uint64_t begin, uint64_t end) {
  merkle::RangeHasher h;
  for (uint64_t i = begin; i < end; ++i) h.push(leaves[i]);
  return h.root();
}

}  // namespace

TEST_CASE("sealed segments' trees hold the log's peaks and every node of 16 leaves or more") {
  testing::TempDir dir;
  LogOptions options;
  options.segment_size_bytes_max = 4096;
  RecoveryReport report;
  auto writer = LogWriter::open(dir.path(), options, report);
  REQUIRE(writer);
  const std::vector<unsigned char> payload(37, 0x5a);
  for (int i = 0; i < 700; ++i) {
    const Record record{2, 1, 1'700'000'000'000'000'000 + i, {payload.data(), payload.size()}};
    REQUIRE((*writer)->append({&record, 1}));
  }
  const std::vector<SegmentFile> segments = (*writer)->segments();
  REQUIRE(segments.size() > 5);
  writer->reset();
  const std::vector<merkle::Hash> leaves = leaf_hashes(dir.path());
  REQUIRE(leaves.size() == 700);

  auto trees = load_segment_trees(real_syscalls(), segments, segments.size() - 1, false);
  REQUIRE(trees);
  REQUIRE(trees->size() == segments.size() - 1);  // All sealed ones, stored by the writer.
  size_t nodes_checked = 0;
  for (const SegmentTree& tree : *trees) {
    merkle::RangeHasher upto;
    for (uint64_t i = 0; i < tree.seq_last; ++i) upto.push(leaves[i]);
    CHECK(tree.peaks == upto.peaks());
    CHECK(decode_segment_tree(encode_segment_tree(tree)).value() == tree);
    // Each complete subtree of 16 leaves or more that ends in this segment, by node().
    for (unsigned h = kTreeMinHeight; h < 10; ++h) {
      const uint64_t n = uint64_t{1} << h;
      for (uint64_t index = 0; (index + 1) * n <= tree.seq_last; ++index) {
        const uint64_t last_seq = (index + 1) * n;
        const auto node = tree.node(h, index);
        if (last_seq < tree.base_seq) {
          CHECK_FALSE(node.has_value());
          continue;
        }
        REQUIRE(node.has_value());
        CHECK(*node == root_of(leaves, index * n, (index + 1) * n));
        ++nodes_checked;
      }
    }
    CHECK_FALSE(tree.node(kTreeMinHeight - 1, 0).has_value());
  }
  CHECK(nodes_checked > 40);
}

TEST_CASE("a tree file whose node count does not fit its bytes is refused, not believed") {
  SegmentTree tree;
  tree.base_seq = 1;
  tree.seq_last = 3;  // Two peaks, no node of 16 leaves.
  tree.peaks.resize(2);
  Bytes bytes = encode_segment_tree(tree);
  REQUIRE(decode_segment_tree(bytes));
  // A count that, times 32, wraps to what the file's size allows; the checksum made right.
  const size_t count_at = 52 + 32 * 2;
  ledger::util::put<uint64_t>(bytes.data() + count_at, (uint64_t{1} << 59) + 2);
  ledger::util::put<uint64_t>(bytes.data() + bytes.size() - 8,
                              checksum(ByteView(bytes.data(), bytes.size() - 8), 0));
  CHECK_FALSE(decode_segment_tree(bytes));
  // A file cut short, and one with the peaks of another count of events.
  CHECK_FALSE(decode_segment_tree(ByteView(bytes.data(), 40)));
  tree.seq_last = 4;  // One peak, not two.
  CHECK_FALSE(decode_segment_tree(encode_segment_tree(tree)));
}

TEST_CASE("the newest segment's tree is stored as commits cross each 256 KiB, and the seal continues it") {
  testing::TempDir dir;
  LogOptions options;
  options.segment_size_bytes_max = 1 << 20;
  RecoveryReport report;
  auto writer = LogWriter::open(dir.path(), options, report);
  REQUIRE(writer);
  const std::vector<unsigned char> payload(180, 0x33);
  int written = 0;
  auto write_until = [&](uint64_t bytes_in_newest) {
    for (;;) {
      const std::vector<SegmentFile> segments = (*writer)->segments();
      if (segments.size() > 1) return;
      if (!segments.empty()) {
        auto size = segment_size(real_syscalls(), segments.back());
        REQUIRE(size);
        if (*size >= bytes_in_newest) return;
      }
      std::vector<Record> batch;
      for (int i = 0; i < 7; ++i, ++written) {
        batch.push_back({2, 1, 1'700'000'000'000'000'000 + written, {payload.data(), payload.size()}});
      }
      REQUIRE((*writer)->append(batch));
    }
  };
  write_until(600 << 10);
  const SegmentFile newest = (*writer)->segments().back();
  REQUIRE((*writer)->segments().size() == 1);
  const std::vector<merkle::Hash> leaves = leaf_hashes(dir.path());

  // A prefix: not the whole file, so not taken for a sealed segment's tree.
  CHECK_FALSE(load_stored_tree(real_syscalls(), newest).has_value());
  const auto prefix = load_stored_tree(real_syscalls(), newest, true);
  REQUIRE(prefix.has_value());
  CHECK(prefix->file_size >= 2 * kTreeCheckpointBytes);
  CHECK(prefix->file_size < 3 * kTreeCheckpointBytes);
  REQUIRE(prefix->seq_last <= leaves.size());
  CHECK(prefix->seq_last > 2000);
  merkle::RangeHasher upto;
  for (uint64_t i = 0; i < prefix->seq_last; ++i) upto.push(leaves[i]);
  CHECK(prefix->peaks == upto.peaks());
  for (uint64_t index = 0; (index + 1) * 64 <= prefix->seq_last; ++index) {
    REQUIRE(prefix->node(6, index).has_value());
    CHECK(*prefix->node(6, index) == root_of(leaves, index * 64, (index + 1) * 64));
  }
  // The same bytes a hash of that prefix gives from the segment's start.
  auto start = segment_tree_start(real_syscalls(), (*writer)->segments(), 0, {});
  REQUIRE(start);
  auto again = extend_segment_tree(real_syscalls(), (*writer)->segments(), 0, *start,
                                   prefix->file_size);
  REQUIRE(again);
  CHECK(*again == *prefix);

  // A stored prefix that does not link to the file is hashed anew, not continued.
  SegmentTree forged = *prefix;
  forged.chain_last ^= 1;
  store_segment_tree(real_syscalls(), newest, forged);
  write_until(800 << 10);
  const auto mended = load_stored_tree(real_syscalls(), newest, true);
  REQUIRE(mended.has_value());
  CHECK(mended->file_size >= 3 * kTreeCheckpointBytes);
  CHECK(mended->chain_last != forged.chain_last);

  // Sealed: the tree continued from the prefix is the one a hash of the whole segment gives.
  write_until(UINT64_MAX);
  const std::vector<SegmentFile> segments = (*writer)->segments();
  REQUIRE(segments.size() == 2);
  const auto sealed = load_stored_tree(real_syscalls(), segments[0]);
  REQUIRE(sealed.has_value());
  auto whole = build_segment_tree(real_syscalls(), segments, 0, {});
  REQUIRE(whole);
  CHECK(*sealed == *whole);
}
