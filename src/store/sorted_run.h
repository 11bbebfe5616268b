#pragma once
// A sorted run: an immutable file of fixed 32-byte entries sorted by a 128-bit key, with a bloom
// filter, so that "is this key present?" costs a few small reads however large the run is. The
// store knows nothing of what keys and values mean (the app puts idempotency refs in them).
//
// File layout, format version 1 (all integers little-endian; man/ledger-format.5, RUN FILES):
//
//   header     64 bytes at offset 0
//                0  u8[8] magic "LDGRUN01"      8  u32 version (1)     12  u32 entry_size (32)
//               16  u64 entry_count            24  u64 seq_first      32  u64 seq_last
//               40  u32 block_entries B        44  u32 bloom_bits_per_key (10)
//               48  u32 bloom_probes (7)       52  u32 reserved (0)   56  u64 reserved (0)
//   blocks     from offset 64, ceil(entry_count / B) of them, back to back; block b holds
//              n_b entries (B in every block but the last, which holds the rest), then its
//              bloom filter:
//                n_b * 32 bytes   entries: u64 key_low, u64 key_high, u64 value_a, u64 value_b
//                bloom_size(n_b)  ceil(n_b * 10 / 64) * 8 bytes of bloom bits
//   index      one 32-byte entry per block: u64 first key_low, u64 first key_high,
//              u64 data_checksum (XXH3-64 of the block's entries, seed = block number),
//              u64 bloom_checksum (XXH3-64 of the block's bloom bits, seed = block number)
//   footer     48 bytes, at the very end
//                0  u64 index_offset   8  u64 block_count   16  u64 last key_low
//               24  u64 last key_high  32  u64 checksum     40  u8[8] magic "LDGRUNFT"
//              checksum: XXH3-64, seed 0, of header, index and footer bytes [0, 32).
//
// Entries are in strictly increasing (key_high, key_low) order across the whole file. Each block
// has its own bloom filter (rather than one filter for the file) so that opening a run reads only
// the header, index and footer (32 bytes per block), a lookup reads one block's filter (2,560
// bytes for 2048 entries) and, when the filter says "maybe", that one block (64 KiB), and the
// writer streams with the memory of one block. B is 2048 but for a writer that chooses fewer
// (at least 64): a run read mostly by short seeks (an account's postings) reads less per seek
// from smaller blocks, at the price of a larger index read on opening. Key k sets or tests bits (h1 + i * h2) mod bits, i < 7, of its
// block's filter, where (h1, h2) is XXH3-128 (seed 0) of k's 16 bytes (key_low then key_high),
// h1 the low half and h2 the high half with its lowest bit set.
//
// A run is written to "<path>.<pid>.tmp", fdatasync'd, renamed to <path>, and the directory is
// fsync'd: a run under its final name is whole and durable.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "store/file.h"

namespace ledger::store {

inline constexpr uint32_t kRunFormatVersion = 1;
inline constexpr size_t kRunHeaderSize = 64;
inline constexpr size_t kRunEntrySize = 32;
inline constexpr uint32_t kRunBlockEntries = 2048;  // The default, and the most.
inline constexpr uint32_t kRunBlockEntriesMin = 64;
inline constexpr size_t kRunBlockDataSize = kRunBlockEntries * kRunEntrySize;  // 64 KiB.
inline constexpr size_t kRunIndexEntrySize = 32;
inline constexpr size_t kRunFooterSize = 48;
inline constexpr uint32_t kRunBloomBitsPerKey = 10;
inline constexpr uint32_t kRunBloomProbes = 7;
// A bound on a run's size: 2^32 entries is a 137 GB file with a 64 MiB index.
inline constexpr uint64_t kRunEntriesMax = uint64_t{1} << 32;
// A bound on the inputs of one merge: its memory is one block buffer per input.
inline constexpr size_t kMergeInputsMax = 64;

struct RunKey {
  uint64_t low = 0;
  uint64_t high = 0;
  friend bool operator==(const RunKey&, const RunKey&) = default;
  friend auto operator<=>(const RunKey& a, const RunKey& b) {
    if (auto c = a.high <=> b.high; c != 0) return c;
    return a.low <=> b.low;
  }
};

struct RunEntry {
  uint64_t key_low = 0;
  uint64_t key_high = 0;
  uint64_t value_a = 0;
  uint64_t value_b = 0;

  RunKey key() const { return {key_low, key_high}; }
  friend bool operator==(const RunEntry&, const RunEntry&) = default;
};

// Opaque to the run: the caller's record of what the run covers (sequence numbers of the log).
struct RunMeta {
  uint64_t seq_first = 0;
  uint64_t seq_last = 0;
  friend bool operator==(const RunMeta&, const RunMeta&) = default;
};

// Bytes of the bloom filter of a block of `entries` entries.
size_t run_bloom_size(size_t entries);
// Where the temp file of a run being written to `path` lives until it is published.
std::filesystem::path run_temp_path(const std::filesystem::path& path);

// Writes a run from entries given in increasing key order, one block in memory at a time.
// Nothing appears under `path` until finish() succeeds. After any failure the writer refuses
// every later call (the temp file's state is unknown) and the temp file is removed, best effort.
class SortedRunWriter {
 public:
  static Result<SortedRunWriter> create(Syscalls& sys, const std::filesystem::path& path,
                                        RunMeta meta, uint32_t block_entries = kRunBlockEntries);
  SortedRunWriter(SortedRunWriter&&) noexcept = default;
  SortedRunWriter& operator=(SortedRunWriter&&) noexcept = default;
  ~SortedRunWriter();

  // kInvalidArgument for a key not greater than the previous one (nothing is written then, and
  // the writer stays usable); an I/O error is sticky.
  Status add(const RunEntry& entry);
  // Writes the last block, index, footer and header, syncs, renames and syncs the directory.
  Status finish();
  uint64_t entry_count() const { return count_; }

 private:
  SortedRunWriter(Syscalls& sys, std::filesystem::path path, File temp, RunMeta meta,
                  uint32_t block_entries);
  Status flush_block();
  Status fail(Status status);
  void discard();

  Syscalls* sys_ = nullptr;
  std::filesystem::path path_;
  File temp_;
  RunMeta meta_;
  uint32_t block_entries_ = kRunBlockEntries;
  uint64_t count_ = 0;
  uint64_t offset_ = kRunHeaderSize;
  std::vector<RunEntry> block_;
  Bytes index_;
  RunKey last_key_;
  Status failed_;
  bool finished_ = false;
};

class SortedRun {
 public:
  // Reads and checks the header, index and footer only: a few small reads whatever the size.
  // kNotFound if there is no file; kCorruption naming the file for anything wrong in it.
  static Result<SortedRun> open(Syscalls& sys, const std::filesystem::path& path);
  static Result<SortedRun> open(const std::filesystem::path& path) {
    return open(real_syscalls(), path);
  }

  // Consults the key's block's bloom filter and, if it may hold the key, reads that one block.
  // kCorruption naming the file and the block if either fails its checksum.
  Result<std::optional<RunEntry>> lookup(RunKey key) const;
  // Reads every block and checks checksums, order, the index and the filters.
  Status verify() const;
  // The block that would hold `key`: the one a lookup or a seek reads (0 for an empty run).
  uint64_t block_of(RunKey key) const;
  // Hints to the kernel that block `block` will be read soon, so that a caller about to read
  // blocks of many runs has the disk read them together rather than one after another.
  void will_need_block(uint64_t block) const;
  // The same for what open() reads of the run file at `path` (its header, and its index and
  // footer at the end); nothing if it does not open.
  static void will_need_to_open(Syscalls& sys, const std::filesystem::path& path);
  // Whether the run file at `path` begins in the page cache (File::cached of its header): a
  // caller about to hint many runs asks one, since on a warm cache every hint is a system call
  // that changes nothing. false if it does not open.
  static bool header_cached(Syscalls& sys, const std::filesystem::path& path);
  // Calls `visit` for every entry in key order, block by block, checking each block; stops at
  // the first failed Status, read or returned by `visit`.
  Status for_each(const std::function<Status(const RunEntry&)>& visit) const;

  const std::filesystem::path& path() const { return file_.path(); }
  RunMeta meta() const { return meta_; }
  uint64_t entry_count() const { return count_; }
  uint64_t block_count() const { return index_.size() / kRunIndexEntrySize; }
  // The least key, from the index (no block is read); nothing for an empty run.
  std::optional<RunKey> first_key() const {
    return index_.empty() ? std::nullopt : std::optional<RunKey>(block_ref(0).first);
  }
  uint64_t file_size() const { return file_size_; }

  // Looks up keys asked in ascending order, reading each block's bloom filter once and each
  // block a filter cannot rule out once: a caller with many keys to look up (an import's refs)
  // sweeps the run instead of reading a filter, and maybe a block, for every key.
  class Sweep {
   public:
    explicit Sweep(const SortedRun& run) : run_(&run) {}
    // false: the run does not hold `key`. Keys must not descend; kCorruption for a filter that
    // fails its checksum.
    Result<bool> may_contain(RunKey key);
    // What lookup() answers. Keys must not descend; kCorruption as lookup().
    Result<std::optional<RunEntry>> find(RunKey key);

   private:
    const SortedRun* run_;
    std::optional<uint64_t> bloom_block_;  // Whose filter `bloom_` holds.
    Bytes bloom_;
    std::optional<uint64_t> block_;  // Whose entries `bytes_` holds.
    Bytes bytes_;
  };

  // Reads a run in order, one block in memory at a time (for merges).
  class Cursor {
   public:
    explicit Cursor(const SortedRun& run) : run_(&run) {}
    // The next entry, or nullopt at the end; kCorruption for a damaged block.
    Result<std::optional<RunEntry>> next();
    // Moves to the first entry whose key is not less than `key`: reads one block.
    Status seek(RunKey key);

   private:
    const SortedRun* run_;
    uint64_t block_ = 0;
    size_t pos_ = 0;
    std::vector<RunEntry> entries_;
  };

 private:
  struct BlockRef {
    RunKey first;
    uint64_t data_checksum = 0;
    uint64_t bloom_checksum = 0;
  };

  SortedRun() = default;
  size_t block_entries(uint64_t block) const;
  uint64_t block_offset(uint64_t block) const;
  Status corrupt_block(uint64_t block, const char* what) const;
  // The block's bytes, checked against its checksum and its first key in the index.
  Status read_block_bytes(uint64_t block, Bytes& bytes) const;
  // The block's entries, checked as by read_block_bytes() and for their order.
  Status read_block(uint64_t block, std::vector<RunEntry>& entries) const;
  Result<bool> bloom_may_contain(uint64_t block, RunKey key) const;
  // The block's bloom filter, checked against its checksum.
  Status read_bloom(uint64_t block, Bytes& bloom) const;
  bool outside(RunKey key) const {
    return index_.empty() || key < block_ref(0).first || key > last_key_;
  }
  BlockRef block_ref(uint64_t block) const;

  File file_;
  RunMeta meta_;
  uint32_t block_entries_ = kRunBlockEntries;
  uint64_t count_ = 0;
  uint64_t file_size_ = 0;
  RunKey last_key_;
  // The index as the file holds it, decoded entry by entry when read: in `mapped_` (the whole
  // file mapped) where the system maps files, else in `index_read_`. A write's ref lookup at ten
  // million events opens runs whose indexes hold 140 KiB: copied, they cost fresh memory zeroed
  // and faulted in page by page, more than the lookup itself; mapped, pages already cached.
  // The defaulted moves keep `index_` valid: a moved vector and a moved mapping hand over their
  // bytes without moving them.
  ByteView index_;
  std::optional<FileBytes> mapped_;
  Bytes index_read_;
};

// Merges `inputs` (at most kMergeInputsMax) into a new run at `output`, streaming: memory is one
// block per input plus the output's block and index. On equal keys the entry of the later input
// wins. The output covers from the least seq_first to the greatest seq_last of the inputs.
Result<SortedRun> merge_runs(Syscalls& sys, std::span<const SortedRun* const> inputs,
                             const std::filesystem::path& output);

}  // namespace ledger::store
