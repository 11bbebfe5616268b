#include "store/sorted_run.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <fmt/format.h>

#include "store/format.h"
#include "util/endian.h"

namespace ledger::store {

namespace fs = std::filesystem;
using util::get;
using util::put;

namespace {

constexpr std::array<unsigned char, 8> kRunMagic = {'L', 'D', 'G', 'R', 'U', 'N', '0', '1'};
constexpr std::array<unsigned char, 8> kFooterMagic = {'L', 'D', 'G', 'R', 'U', 'N', 'F', 'T'};
constexpr size_t kFooterChecksummed = 32;  // The footer's bytes before its checksum.

static_assert(kRunBlockDataSize == 64 * 1024);
static_assert(sizeof(RunEntry) == kRunEntrySize);

void encode_entry(unsigned char* p, const RunEntry& e) {
  put<uint64_t>(p, e.key_low);
  put<uint64_t>(p + 8, e.key_high);
  put<uint64_t>(p + 16, e.value_a);
  put<uint64_t>(p + 24, e.value_b);
}

RunKey key_at(const unsigned char* p) { return {get<uint64_t>(p), get<uint64_t>(p + 8)}; }

RunEntry decode_entry(const unsigned char* p) {
  return {get<uint64_t>(p), get<uint64_t>(p + 8), get<uint64_t>(p + 16), get<uint64_t>(p + 24)};
}

// The entry of `key` in a checked block's bytes, searched in place: a lookup decodes one entry,
// not 2048.
std::optional<RunEntry> search_block(ByteView bytes, RunKey key) {
  size_t lo = 0;
  size_t hi = bytes.size() / kRunEntrySize;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (key_at(&bytes[mid * kRunEntrySize]) < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo * kRunEntrySize == bytes.size() || key_at(&bytes[lo * kRunEntrySize]) != key) {
    return std::nullopt;
  }
  return decode_entry(&bytes[lo * kRunEntrySize]);
}

// The two hashes from which a key's bloom probes are derived.
std::pair<uint64_t, uint64_t> bloom_hashes(RunKey key) {
  unsigned char bytes[16];
  put<uint64_t>(bytes, key.low);
  put<uint64_t>(bytes + 8, key.high);
  const XXH128_hash_t h = XXH3_128bits(bytes, sizeof bytes);
  return {h.low64, h.high64 | 1};
}

void bloom_set(std::span<unsigned char> bloom, RunKey key) {
  const uint64_t bits = bloom.size() * 8;
  const auto [h1, h2] = bloom_hashes(key);
  for (uint32_t i = 0; i < kRunBloomProbes; ++i) {
    const uint64_t bit = (h1 + i * h2) % bits;
    bloom[bit / 8] |= static_cast<unsigned char>(1u << (bit % 8));
  }
}

bool bloom_test(ByteView bloom, RunKey key) {
  const uint64_t bits = bloom.size() * 8;
  const auto [h1, h2] = bloom_hashes(key);
  for (uint32_t i = 0; i < kRunBloomProbes; ++i) {
    const uint64_t bit = (h1 + i * h2) % bits;
    if ((bloom[bit / 8] & (1u << (bit % 8))) == 0) return false;
  }
  return true;
}

Bytes build_bloom(std::span<const RunEntry> entries) {
  Bytes bloom(run_bloom_size(entries.size()), 0);
  for (const RunEntry& e : entries) bloom_set(bloom, e.key());
  return bloom;
}

uint64_t block_count_for(uint64_t entries, uint32_t per_block) {
  return (entries + per_block - 1) / per_block;
}

// The size a block of `entries` entries takes in the file: its entries and its filter.
uint64_t block_size(size_t entries) { return entries * kRunEntrySize + run_bloom_size(entries); }

uint64_t index_offset_for(uint64_t entries, uint32_t per_block) {
  const uint64_t full = entries / per_block;
  const size_t rest = entries % per_block;
  return kRunHeaderSize + full * block_size(per_block) + (rest ? block_size(rest) : 0);
}

}  // namespace

size_t run_bloom_size(size_t entries) {
  return std::max<size_t>(1, (entries * kRunBloomBitsPerKey + 63) / 64) * 8;
}

fs::path run_temp_path(const fs::path& path) {
  // The pid keeps two processes rebuilding the same run from clobbering each other's temp file.
  return path.string() + fmt::format(".{}.tmp", ::getpid());
}

// ---- Writer ----

SortedRunWriter::SortedRunWriter(Syscalls& sys, fs::path path, File temp, RunMeta meta,
                                 uint32_t block_entries)
    : sys_(&sys),
      path_(std::move(path)),
      temp_(std::move(temp)),
      meta_(meta),
      block_entries_(block_entries) {
  block_.reserve(block_entries_);
}

Result<SortedRunWriter> SortedRunWriter::create(Syscalls& sys, const fs::path& path, RunMeta meta,
                                                uint32_t block_entries) {
  if (block_entries < kRunBlockEntriesMin || block_entries > kRunBlockEntries) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("run {}: {} entries per block", path.string(), block_entries));
  }
  auto temp = File::open(sys, run_temp_path(path), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!temp) return temp.status();
  return SortedRunWriter(sys, path, std::move(*temp), meta, block_entries);
}

SortedRunWriter::~SortedRunWriter() {
  if (!finished_) discard();
}

void SortedRunWriter::discard() {
  if (!temp_.is_open()) return;
  const fs::path temp_path = temp_.path();
  temp_ = File();
  // Best effort: a leftover temp file is ignored by readers and removed by the next writer.
  (void)sys_->unlink(temp_path.c_str());
}

Status SortedRunWriter::fail(Status status) {
  failed_ = status;
  discard();
  return status;
}

Status SortedRunWriter::add(const RunEntry& entry) {
  if (!failed_) return failed_;
  if (finished_ || !temp_.is_open()) return {ErrorCode::kInternal, "run writer is closed"};
  if (count_ > 0 && entry.key() <= last_key_) {
    return {ErrorCode::kInvalidArgument,
            fmt::format("run {}: key {:016x}{:016x} is not greater than the previous one",
                        path_.string(), entry.key_high, entry.key_low)};
  }
  if (count_ == kRunEntriesMax) {
    return {ErrorCode::kInvalidArgument, fmt::format("run {}: too many entries", path_.string())};
  }
  block_.push_back(entry);
  last_key_ = entry.key();
  ++count_;
  if (block_.size() == block_entries_) return flush_block();
  return Status::ok();
}

Status SortedRunWriter::flush_block() {
  if (block_.empty()) return Status::ok();
  const uint64_t block = index_.size() / kRunIndexEntrySize;
  const size_t data_size = block_.size() * kRunEntrySize;
  const Bytes bloom = build_bloom(block_);
  Bytes bytes(data_size + bloom.size());
  for (size_t i = 0; i < block_.size(); ++i) encode_entry(&bytes[i * kRunEntrySize], block_[i]);
  std::copy(bloom.begin(), bloom.end(), bytes.begin() + static_cast<ptrdiff_t>(data_size));

  unsigned char ref[kRunIndexEntrySize];
  put<uint64_t>(ref, block_.front().key_low);
  put<uint64_t>(ref + 8, block_.front().key_high);
  put<uint64_t>(ref + 16, checksum(ByteView(bytes.data(), data_size), block));
  put<uint64_t>(ref + 24, checksum(bloom, block));
  index_.insert(index_.end(), ref, ref + sizeof ref);

  if (Status s = temp_.write_at(offset_, bytes); !s) return fail(s);
  offset_ += bytes.size();
  block_.clear();
  return Status::ok();
}

Status SortedRunWriter::finish() {
  if (!failed_) return failed_;
  if (finished_ || !temp_.is_open()) return {ErrorCode::kInternal, "run writer is closed"};
  LEDGER_RETURN_IF_ERROR(flush_block());
  assert(offset_ == index_offset_for(count_, block_entries_));

  unsigned char header[kRunHeaderSize] = {};
  std::copy(kRunMagic.begin(), kRunMagic.end(), header);
  put<uint32_t>(header + 8, kRunFormatVersion);
  put<uint32_t>(header + 12, kRunEntrySize);
  put<uint64_t>(header + 16, count_);
  put<uint64_t>(header + 24, meta_.seq_first);
  put<uint64_t>(header + 32, meta_.seq_last);
  put<uint32_t>(header + 40, block_entries_);
  put<uint32_t>(header + 44, kRunBloomBitsPerKey);
  put<uint32_t>(header + 48, kRunBloomProbes);

  Bytes tail(index_);
  tail.resize(index_.size() + kRunFooterSize);
  unsigned char* footer = tail.data() + index_.size();
  put<uint64_t>(footer, offset_);
  put<uint64_t>(footer + 8, index_.size() / kRunIndexEntrySize);
  put<uint64_t>(footer + 16, last_key_.low);
  put<uint64_t>(footer + 24, last_key_.high);
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, header, sizeof header);
  XXH3_64bits_update(state, tail.data(), index_.size() + kFooterChecksummed);
  put<uint64_t>(footer + 32, XXH3_64bits_digest(state));
  XXH3_freeState(state);
  std::copy(kFooterMagic.begin(), kFooterMagic.end(), footer + 40);

  if (Status s = temp_.write_at(offset_, tail); !s) return fail(s);
  if (Status s = temp_.write_at(0, ByteView(header, sizeof header)); !s) return fail(s);
  if (Status s = temp_.sync_data(); !s) return fail(s);
  const fs::path temp_path = temp_.path();
  temp_ = File();
  if (sys_->rename(temp_path.c_str(), path_.c_str()) != 0) {
    Status s = errno_status("rename", temp_path, errno);
    (void)sys_->unlink(temp_path.c_str());
    failed_ = s;
    return s;
  }
  finished_ = true;
  if (Status s = sync_dir(*sys_, path_.parent_path()); !s) {
    failed_ = s;
    return s;
  }
  return Status::ok();
}

// ---- Reader ----

namespace {

Status bad_run(const fs::path& path, const std::string& what) {
  return {ErrorCode::kCorruption, fmt::format("corrupt run {}: {}", path.string(), what)};
}

}  // namespace

Result<SortedRun> SortedRun::open(Syscalls& sys, const fs::path& path) {
  auto file = File::open(sys, path, O_RDONLY);
  if (!file) return file.status();
  auto size = file->size();
  if (!size) return size.status();
  if (*size < kRunHeaderSize + kRunFooterSize) return bad_run(path, "too short");

  SortedRun run;
  // The footer, and with it the index of a run of up to about 1,000 blocks, in one read: a
  // question as of a past date opens a segment's account index (52 to 498 blocks in the
  // ledgers of 1M and 10M events measured) for every segment after its snapshot.
  constexpr uint64_t kTailReadBytes = 32 << 10;
  const uint64_t tail_start = *size - std::min(*size - kRunHeaderSize, kTailReadBytes);
  unsigned char header[kRunHeaderSize];
  auto n = file->read_at(0, header);
  if (!n) return n.status();
  Bytes tail(*size - tail_start);
  auto m = file->read_at(tail_start, tail);
  if (!m) return m.status();
  if (*n != sizeof header || *m != tail.size()) return bad_run(path, "short read");
  const unsigned char* footer = tail.data() + tail.size() - kRunFooterSize;
  if (!std::equal(kRunMagic.begin(), kRunMagic.end(), header)) return bad_run(path, "bad magic");
  if (!std::equal(kFooterMagic.begin(), kFooterMagic.end(), footer + 40)) {
    return bad_run(path, "bad footer magic");
  }
  const uint32_t version = get<uint32_t>(header + 8);
  if (version != kRunFormatVersion) {
    return bad_run(path, fmt::format("unknown version {}", version));
  }

  run.count_ = get<uint64_t>(header + 16);
  run.meta_ = {get<uint64_t>(header + 24), get<uint64_t>(header + 32)};
  run.last_key_ = {get<uint64_t>(footer + 16), get<uint64_t>(footer + 24)};
  run.file_size_ = *size;
  const uint64_t index_offset = get<uint64_t>(footer);
  const uint64_t blocks = get<uint64_t>(footer + 8);
  run.block_entries_ = get<uint32_t>(header + 40);
  // Every field that fixes where bytes lie must agree with every other before any is used.
  if (get<uint32_t>(header + 12) != kRunEntrySize ||
      run.block_entries_ < kRunBlockEntriesMin || run.block_entries_ > kRunBlockEntries ||
      get<uint32_t>(header + 44) != kRunBloomBitsPerKey ||
      get<uint32_t>(header + 48) != kRunBloomProbes || run.count_ > kRunEntriesMax ||
      blocks != block_count_for(run.count_, run.block_entries_) ||
      index_offset != index_offset_for(run.count_, run.block_entries_) ||
      *size != index_offset + blocks * kRunIndexEntrySize + kRunFooterSize) {
    return bad_run(path, fmt::format("header and footer disagree with the file size {}", *size));
  }

  const uint64_t index_size = blocks * kRunIndexEntrySize;
  // An index beyond the tail read is read through a mapping where the system maps files (see
  // index_); a small one is in the tail already, and mapping it would cost more than it saves
  // (a statement opens an account index for every segment of its period: 1.18 times as long).
  if (index_offset < tail_start) run.mapped_ = FileBytes::map(sys, *file, *size);
  if (run.mapped_) {
    run.index_ = run.mapped_->view().subspan(index_offset, index_size);
  } else if (index_offset >= tail_start) {
    run.index_read_.assign(tail.begin() + static_cast<ptrdiff_t>(index_offset - tail_start),
                           tail.end() - kRunFooterSize);
  } else {
    run.index_read_.resize(index_size);
    auto k = file->read_at(index_offset, run.index_read_);
    if (!k) return k.status();
    if (*k != index_size) return bad_run(path, "short read of the index");
  }
  if (!run.mapped_) run.index_ = run.index_read_;
  const ByteView index = run.index_;
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  XXH3_64bits_update(state, header, sizeof header);
  XXH3_64bits_update(state, index.data(), index.size());
  XXH3_64bits_update(state, footer, kFooterChecksummed);
  const uint64_t sum = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  if (sum != get<uint64_t>(footer + 32)) return bad_run(path, "footer checksum mismatch");

  for (uint64_t b = 1; b < blocks; ++b) {
    if (run.block_ref(b).first <= run.block_ref(b - 1).first) {
      return bad_run(path, fmt::format("index out of order at block {}", b));
    }
  }
  if (blocks > 0 && run.last_key_ < run.block_ref(blocks - 1).first) {
    return bad_run(path, "last key before the last block");
  }
  run.file_ = std::move(*file);
  return run;
}

size_t SortedRun::block_entries(uint64_t block) const {
  return static_cast<size_t>(
      std::min<uint64_t>(block_entries_, count_ - block * block_entries_));
}

uint64_t SortedRun::block_offset(uint64_t block) const {
  return kRunHeaderSize + block * block_size(block_entries_);
}

Status SortedRun::corrupt_block(uint64_t block, const char* what) const {
  return bad_run(path(), fmt::format("block {}: {}", block, what));
}

Status SortedRun::read_block_bytes(uint64_t block, Bytes& bytes) const {
  bytes.resize(block_entries(block) * kRunEntrySize);
  auto got = file_.read_at(block_offset(block), bytes);
  if (!got) return got.status();
  if (*got != bytes.size()) return corrupt_block(block, "short read");
  if (checksum(bytes, block) != block_ref(block).data_checksum) {
    return corrupt_block(block, "checksum mismatch");
  }
  if (key_at(bytes.data()) != block_ref(block).first) {
    return corrupt_block(block, "first key differs from the index");
  }
  return Status::ok();
}

Status SortedRun::read_block(uint64_t block, std::vector<RunEntry>& entries) const {
  Bytes bytes;
  LEDGER_RETURN_IF_ERROR(read_block_bytes(block, bytes));
  const size_t n = bytes.size() / kRunEntrySize;
  entries.resize(n);
  for (size_t i = 0; i < n; ++i) entries[i] = decode_entry(&bytes[i * kRunEntrySize]);
  // Checked right after decoding, as the writer checked right before encoding.
  for (size_t i = 1; i < n; ++i) {
    if (entries[i].key() <= entries[i - 1].key()) return corrupt_block(block, "keys out of order");
  }
  return Status::ok();
}

Status SortedRun::read_bloom(uint64_t block, Bytes& bloom) const {
  const size_t n = block_entries(block);
  bloom.resize(run_bloom_size(n));
  auto got = file_.read_at(block_offset(block) + n * kRunEntrySize, bloom);
  if (!got) return got.status();
  if (*got != bloom.size()) return corrupt_block(block, "short read of the bloom filter");
  if (checksum(bloom, block) != block_ref(block).bloom_checksum) {
    return corrupt_block(block, "bloom filter checksum mismatch");
  }
  return Status::ok();
}

Result<bool> SortedRun::bloom_may_contain(uint64_t block, RunKey key) const {
  Bytes bloom;
  LEDGER_RETURN_IF_ERROR(read_bloom(block, bloom));
  return bloom_test(bloom, key);
}

Result<bool> SortedRun::Sweep::may_contain(RunKey key) {
  if (run_->outside(key)) return false;
  const uint64_t block = run_->block_of(key);
  if (bloom_block_ != block) {
    bloom_block_.reset();
    LEDGER_RETURN_IF_ERROR(run_->read_bloom(block, bloom_));
    bloom_block_ = block;
  }
  return bloom_test(bloom_, key);
}

Result<std::optional<RunEntry>> SortedRun::Sweep::find(RunKey key) {
  auto maybe = may_contain(key);
  if (!maybe) return maybe.status();
  if (!*maybe) return std::optional<RunEntry>();
  const uint64_t block = *bloom_block_;  // The key's block, whose filter may_contain() read.
  // Searched in place, as by lookup(): its checksum vouches for its order.
  if (block_ != block) {
    block_.reset();
    LEDGER_RETURN_IF_ERROR(run_->read_block_bytes(block, bytes_));
    block_ = block;
  }
  return search_block(bytes_, key);
}

SortedRun::BlockRef SortedRun::block_ref(uint64_t block) const {
  const unsigned char* p = index_.data() + block * kRunIndexEntrySize;
  return {key_at(p), get<uint64_t>(p + 16), get<uint64_t>(p + 24)};
}

uint64_t SortedRun::block_of(RunKey key) const {
  // The first block whose first key is after `key`; the one before it may hold the key.
  uint64_t lo = 0;
  uint64_t hi = block_count();
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (block_ref(mid).first <= key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo == 0 ? 0 : lo - 1;
}

void SortedRun::will_need_block(uint64_t block) const {
  if (block < block_count()) file_.will_need(block_offset(block), block_size(block_entries(block)));
}

void SortedRun::will_need_to_open(Syscalls& sys, const fs::path& path) {
  auto file = File::open(sys, path, O_RDONLY);
  if (!file) return;
  auto size = file->size();
  if (!size || *size < kRunHeaderSize + kRunFooterSize) return;
  file->will_need(0, kRunHeaderSize);
  // The index (32 bytes a block, a block at least 64 entries of 32 bytes) and the footer end
  // the file.
  const uint64_t tail = std::min<uint64_t>(*size, *size / kRunBlockEntriesMin + kRunFooterSize);
  file->will_need(*size - tail, tail);
}

bool SortedRun::header_cached(Syscalls& sys, const fs::path& path) {
  auto file = File::open(sys, path, O_RDONLY);
  return file && file->cached(0);
}

Result<std::optional<RunEntry>> SortedRun::lookup(RunKey key) const {
  if (outside(key)) return std::optional<RunEntry>();
  const uint64_t block = block_of(key);
  auto maybe = bloom_may_contain(block, key);
  if (!maybe) return maybe.status();
  if (!*maybe) return std::optional<RunEntry>();
  Bytes bytes;
  LEDGER_RETURN_IF_ERROR(read_block_bytes(block, bytes));
  return search_block(bytes, key);
}

Status SortedRun::verify() const {
  std::vector<RunEntry> entries;
  for (uint64_t b = 0; b < block_count(); ++b) {
    const std::optional<RunKey> before =
        entries.empty() ? std::nullopt : std::optional<RunKey>(entries.back().key());
    LEDGER_RETURN_IF_ERROR(read_block(b, entries));
    if (before && entries.front().key() <= *before) {
      return corrupt_block(b, "keys out of order with the block before");
    }
    const size_t n = entries.size();
    Bytes bloom(run_bloom_size(n));
    auto got = file_.read_at(block_offset(b) + n * kRunEntrySize, bloom);
    if (!got) return got.status();
    if (*got != bloom.size() || checksum(bloom, b) != block_ref(b).bloom_checksum) {
      return corrupt_block(b, "bloom filter checksum mismatch");
    }
    // A filter that passes its checksum but misses a key would hide the key from lookups.
    if (bloom != build_bloom(entries)) return corrupt_block(b, "bloom filter does not match");
    if (b + 1 == block_count() && entries.back().key() != last_key_) {
      return corrupt_block(b, "last key differs from the footer");
    }
  }
  return Status::ok();
}

Result<std::optional<RunEntry>> SortedRun::Cursor::next() {
  if (pos_ == entries_.size()) {
    if (block_ == run_->block_count()) return std::optional<RunEntry>();
    // The previous block's last key, which the new block's first key must follow.
    const std::optional<RunKey> before =
        entries_.empty() ? std::nullopt : std::optional<RunKey>(entries_.back().key());
    LEDGER_RETURN_IF_ERROR(run_->read_block(block_, entries_));
    if (before && entries_.front().key() <= *before) {
      return run_->corrupt_block(block_, "keys out of order with the block before");
    }
    ++block_;
    pos_ = 0;
  }
  return std::optional<RunEntry>(entries_[pos_++]);
}

Status SortedRun::Cursor::seek(RunKey key) {
  pos_ = 0;
  if (run_->block_count() == 0) {
    entries_.clear();
    block_ = 0;
    return Status::ok();
  }
  // The last block whose first key is not after `key`: the only one that can start the range.
  const uint64_t block = run_->block_of(key);
  // A seek within the block already read reads nothing.
  if (entries_.empty() || block + 1 != block_) {
    entries_.clear();
    block_ = block;
    LEDGER_RETURN_IF_ERROR(run_->read_block(block_, entries_));
    ++block_;
  }
  pos_ = static_cast<size_t>(
      std::lower_bound(entries_.begin(), entries_.end(), key,
                       [](const RunEntry& e, const RunKey& k) { return e.key() < k; }) -
      entries_.begin());
  return Status::ok();
}

Status SortedRun::for_each(const std::function<Status(const RunEntry&)>& visit) const {
  Cursor cursor(*this);
  for (;;) {
    auto entry = cursor.next();
    if (!entry) return entry.status();
    if (!*entry) return Status::ok();
    LEDGER_RETURN_IF_ERROR(visit(**entry));
  }
}

// ---- Merge ----

Result<SortedRun> merge_runs(Syscalls& sys, std::span<const SortedRun* const> inputs,
                             const fs::path& output) {
  if (inputs.empty() || inputs.size() > kMergeInputsMax) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("merge into {}: {} inputs (1 to {})", output.string(), inputs.size(),
                              kMergeInputsMax));
  }
  RunMeta meta{UINT64_MAX, 0};
  std::vector<SortedRun::Cursor> cursors;
  std::vector<std::optional<RunEntry>> heads;
  for (const SortedRun* run : inputs) {
    meta.seq_first = std::min(meta.seq_first, run->meta().seq_first);
    meta.seq_last = std::max(meta.seq_last, run->meta().seq_last);
    cursors.emplace_back(*run);
    auto head = cursors.back().next();
    if (!head) return head.status();
    heads.push_back(*head);
  }
  auto writer = SortedRunWriter::create(sys, output, meta);
  if (!writer) return writer.status();
  // Inputs are few (two, in a run set), so a scan of the heads beats a heap's bookkeeping.
  for (;;) {
    std::optional<size_t> winner;
    for (size_t i = 0; i < heads.size(); ++i) {
      // On equal keys the later input wins, so `<=` moves the winner forward.
      if (heads[i] && (!winner || heads[i]->key() <= heads[*winner]->key())) winner = i;
    }
    if (!winner) break;
    const RunKey key = heads[*winner]->key();
    LEDGER_RETURN_IF_ERROR(writer->add(*heads[*winner]));
    for (size_t i = 0; i < heads.size(); ++i) {
      if (!heads[i] || heads[i]->key() != key) continue;
      auto next = cursors[i].next();
      if (!next) return next.status();
      heads[i] = *next;
    }
  }
  LEDGER_RETURN_IF_ERROR(writer->finish());
  return SortedRun::open(sys, output);
}

}  // namespace ledger::store
