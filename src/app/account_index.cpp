#include "app/account_index.h"

#include <xxhash.h>

#include <algorithm>
#include <fmt/format.h>

#include "domain/event_view.h"
#include "domain/postings.h"
#include "store/log_reader.h"
#include "store/record.h"
#include "store/time_index.h"

namespace ledger::app {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kFrameKey = 0;
// The first entry of a format 2 index, before every frame entry (whose last sequence number is
// at least 1). An index without it is of format 1, which held no openings or closings: a reader
// passes it over, a writer builds it again.
constexpr store::RunKey kFormatKey{0, kFrameKey};
constexpr uint64_t kAccountIndexFormat = 2;
// In key_low, marks an opening's or a closing's entry (its seq is below 2^63).
constexpr uint64_t kOtherBit = uint64_t{1} << 63;
// Blocks of the .acx: a statement or `--at` of one account reads, per segment, the index, the
// block of its postings and the block of the frames it prints. A segment's .acx holds about
// 150,000 entries; blocks of 256 (8 KiB) make the index about 19 KiB, for about 35 KiB read
// per segment in all, against 130 KiB with blocks of 2048.
constexpr uint32_t kPostingsBlockEntries = 256;

store::RunEntry posting_entry(std::string_view account, uint64_t seq, int64_t effective_ns,
                              int64_t amount) {
  return {seq, account_key(account), static_cast<uint64_t>(effective_ns),
          static_cast<uint64_t>(amount)};
}

// The entries of one event in effective order: a posting per account moved (the side tells a
// transfer's two apart), or for an opening or a closing a marker to read it from the log.
void add_effective(const domain::EventAt& e, std::vector<store::RunEntry>& out) {
  const auto at = static_cast<uint64_t>(e.effective_ns);
  const domain::EventPostings postings = domain::postings_of(e.event);
  if (postings.count == 0) {
    out.push_back({e.seq << 2 | kEffectiveOtherSide, at, account_key(e.event.account), 0});
    return;
  }
  uint64_t side = 0;
  for (const domain::Posting& p : postings) {
    out.push_back({e.seq << 2 | side++, at, account_key(p.account), static_cast<uint64_t>(p.amount)});
  }
}

// The postings of one event (domain::postings_of): one, or two for a transfer; for an opening
// or a closing, an entry with kOtherBit, so that `--at` of one account learns of them here.
void add_postings(const domain::EventAt& e, std::vector<store::RunEntry>& out) {
  const domain::EventPostings postings = domain::postings_of(e.event);
  if (postings.count == 0) {
    out.push_back(posting_entry(e.event.account, e.seq | kOtherBit, e.effective_ns, 0));
    return;
  }
  for (const domain::Posting& p : postings) {
    out.push_back(posting_entry(p.account, e.seq, e.effective_ns, p.amount));
  }
}

// The index describes the segment if it covers exactly the segment's sequence numbers.
bool describes(const store::SortedRun& run, const std::vector<store::SegmentFile>& segments,
               size_t index) {
  return run.meta().seq_first == segments[index].base_seq &&
         run.meta().seq_last + 1 == segments[index + 1].base_seq;
}

}  // namespace

bool index_cannot_serve(const store::SegmentFile& segment, const Status& status,
                        std::vector<std::string>& warnings) {
  if (status.code() == ErrorCode::kCorruption) {
    warnings.push_back(fmt::format("account index {} skipped: {}",
                                   account_index_path(segment).filename().string(),
                                   status.message()));
    return true;
  }
  return status.code() == ErrorCode::kNotFound;
}

bool is_current_format(const store::SortedRun& account_index) {
  return account_index.first_key() == kFormatKey;
}

uint64_t account_key(std::string_view id) {
  const uint64_t key = XXH3_64bits(id.data(), id.size());
  return key == kFrameKey ? 1 : key;
}

fs::path effective_index_path(const fs::path& account_index) {
  return fs::path(account_index).replace_extension(kEffectiveIndexSuffix);
}

fs::path account_index_path(const store::SegmentFile& segment) {
  fs::path path = store::index_path(segment);
  return path.replace_extension(kAccountIndexSuffix);
}

Status build_account_index(store::Syscalls& sys, const std::vector<store::SegmentFile>& segments,
                           size_t index, const fs::path& path, bool known_committed) {
  auto start = store::segment_start(sys, segments, index);
  if (!start) return start.status();
  store::LogReader reader(sys, segments, *start);
  if (known_committed) reader.assume_committed_through(segments[index + 1].base_seq - 1);
  std::vector<store::RunEntry> entries{{kFormatKey.low, kFormatKey.high, kAccountIndexFormat, 0}};
  std::vector<store::RunEntry> effective;
  domain::EventAt e;
  uint64_t seq_last = segments[index].base_seq - 1;
  for (;;) {
    auto frame = reader.next();
    if (!frame) return frame.status();
    if (*frame == nullptr || (*frame)->segment != index) break;
    const store::FrameHeader& h = (*frame)->header;
    entries.push_back({h.seq_last(), kFrameKey, (*frame)->offset, h.seq_first});
    store::RecordIterator records((*frame)->bytes);
    store::Record record;
    e.seq = h.seq_first;
    e.recorded_ns = h.recorded_ns;
    for (; records.next(record); ++e.seq) {
      e.effective_ns = record.effective_ns;
      if (Status s = domain::decode_event_view(record.type, record.version, record.payload, e.event);
          !s) {
        return Status(s.code(), fmt::format("event {}: {}", e.seq, s.message()));
      }
      add_postings(e, entries);
      add_effective(e, effective);
    }
    seq_last = h.seq_last();
    // The segment's last event: reading on would read (and check) the next segment's first
    // frame, and before that the rest of its commit, for nothing.
    if (seq_last + 1 == segments[index + 1].base_seq) break;
  }
  auto by_key = [](const store::RunEntry& a, const store::RunEntry& b) { return a.key() < b.key(); };
  std::sort(effective.begin(), effective.end(), by_key);
  const store::RunMeta meta{segments[index].base_seq, seq_last};
  LEDGER_RETURN_IF_ERROR(store::create_private_dir(sys, path.parent_path()));
  auto eff_writer = store::SortedRunWriter::create(sys, effective_index_path(path), meta);
  if (!eff_writer) return eff_writer.status();
  for (const store::RunEntry& entry : effective) LEDGER_RETURN_IF_ERROR(eff_writer->add(entry));
  // The .eff file is published first: an .acx beside it vouches for both.
  LEDGER_RETURN_IF_ERROR(eff_writer->finish());
  std::sort(entries.begin(), entries.end(), by_key);
  auto writer = store::SortedRunWriter::create(sys, path, meta, kPostingsBlockEntries);
  if (!writer) return writer.status();
  for (size_t i = 0; i < entries.size(); ++i) {
    store::RunEntry entry = entries[i];
    // A transfer to the same account would post twice under one key: one posting, its sum.
    while (i + 1 < entries.size() && entries[i + 1].key() == entry.key()) {
      entry.value_b += entries[++i].value_b;
    }
    LEDGER_RETURN_IF_ERROR(writer->add(entry));
  }
  return writer->finish();
}

Result<SegmentAccountIndex> SegmentAccountIndex::open(store::Syscalls& sys,
                                                      const std::vector<store::SegmentFile>& segments,
                                                      size_t index, IndexUse use,
                                                      IndexParts parts) {
  if (index + 1 >= segments.size()) {
    return Status(ErrorCode::kInternal, "only sealed segments have an account index");
  }
  const fs::path path = account_index_path(segments[index]);
  auto open_both = [&](const fs::path& at, bool built) -> Result<SegmentAccountIndex> {
    // Each file says which events it covers; both must cover exactly the segment's.
    auto open_part = [&](const fs::path& file) -> Result<store::SortedRun> {
      auto run = store::SortedRun::open(sys, file);
      if (run && !describes(*run, segments, index)) {
        return Status(ErrorCode::kCorruption, "stale account index");
      }
      if (run && file == at && !is_current_format(*run)) {
        return Status(ErrorCode::kNotFound, "account index of an older format");
      }
      return run;
    };
    std::optional<store::SortedRun> run, effective;
    if (built || parts != IndexParts::kEffective) {
      auto opened = open_part(at);
      if (!opened) return opened.status();
      run = std::move(*opened);
    }
    if (built || parts != IndexParts::kPostings) {
      auto opened = open_part(effective_index_path(at));
      if (!opened) return opened.status();
      effective = std::move(*opened);
    }
    return SegmentAccountIndex(std::move(run), std::move(effective), built);
  };
  auto stored = open_both(path, false);
  if (stored || use == IndexUse::kReadOnly) {
    if (!stored && stored.status().code() != ErrorCode::kCorruption) {
      return Status(ErrorCode::kNotFound, stored.status().message());
    }
    return stored;
  }
  Status built = build_account_index(sys, segments, index, path, true);
  fs::path used = path;
  if (!built && built.code() == ErrorCode::kIoError) {
    // No write access to the data directory: build a private copy, used once.
    used = fs::temp_directory_path() /
           fmt::format("ledger-{}-{}", ::getpid(), path.filename().string());
    built = build_account_index(sys, segments, index, used, true);
  }
  if (!built) return built;
  auto both = open_both(used, true);
  if (used != path) {
    (void)sys.unlink(used.c_str());
    (void)sys.unlink(effective_index_path(used).c_str());
  }
  return both;
}

Status SegmentAccountIndex::effective_through(int64_t at_ns, uint64_t seq_after,
                                              std::vector<EffectiveEntry>& out) const {
  LEDGER_RETURN_IF_ERROR(need(effective_));
  // A segment whose earliest entry is after the cutoff has none to give: no block is read.
  if (auto first = effective_->first_key(); !first || static_cast<int64_t>(first->high) > at_ns) {
    return Status::ok();
  }
  store::SortedRun::Cursor cursor(*effective_);
  for (;;) {
    auto entry = cursor.next();
    if (!entry) return entry.status();
    if (!*entry || static_cast<int64_t>((*entry)->key_high) > at_ns) return Status::ok();
    const uint64_t seq = (*entry)->key_low >> 2;
    if (seq <= seq_after) continue;
    out.push_back({seq, static_cast<int64_t>((*entry)->key_high), (*entry)->value_a,
                   static_cast<int64_t>((*entry)->value_b),
                   ((*entry)->key_low & 3) == kEffectiveOtherSide});
  }
}

Status SegmentAccountIndex::need(const std::optional<store::SortedRun>& part) const {
  if (part) return Status::ok();
  return {ErrorCode::kInternal, "an account index read from a file that was not opened"};
}

Status SegmentAccountIndex::postings(uint64_t key, std::vector<Posting>& out,
                                     bool with_others) const {
  LEDGER_RETURN_IF_ERROR(need(run_));
  store::SortedRun::Cursor cursor(*run_);
  LEDGER_RETURN_IF_ERROR(cursor.seek({0, key}));
  for (;;) {
    auto entry = cursor.next();
    if (!entry) return entry.status();
    if (!*entry || (*entry)->key_high != key) return Status::ok();
    const bool other = ((*entry)->key_low & kOtherBit) != 0;
    if (other && !with_others) return Status::ok();  // The others follow every posting.
    out.push_back({(*entry)->key_low & ~kOtherBit, static_cast<int64_t>((*entry)->value_a),
                   static_cast<int64_t>((*entry)->value_b), other});
  }
}

void SegmentAccountIndex::will_need_to_open(store::Syscalls& sys,
                                            const std::vector<store::SegmentFile>& segments,
                                            size_t index) {
  store::SortedRun::will_need_to_open(sys, account_index_path(segments[index]));
}

bool SegmentAccountIndex::cached(store::Syscalls& sys,
                                 const std::vector<store::SegmentFile>& segments, size_t index) {
  return store::SortedRun::header_cached(sys, account_index_path(segments[index]));
}

void SegmentAccountIndex::will_need_postings(uint64_t key) const {
  if (run_) run_->will_need_block(run_->block_of({0, key}));
}

void SegmentAccountIndex::will_need_frames(std::span<const uint64_t> seqs) const {
  if (!run_) return;
  std::optional<uint64_t> hinted;
  for (const uint64_t seq : seqs) {  // Ascending: equal blocks are neighbours.
    const uint64_t block = run_->block_of({seq, kFrameKey});
    if (block != hinted) run_->will_need_block(block);
    hinted = block;
  }
}

Result<FrameLocation> SegmentAccountIndex::frame_of(uint64_t seq) const {
  auto frames = frames_of({&seq, 1});
  if (!frames) return frames.status();
  return frames->front();
}

// A seek per frame not yet reached, not a walk: the frames of a statement's lines lie far
// apart among a segment's, and a seek reads only the block of the frame it finds (nothing when
// that block is the one read last).
Result<std::vector<FrameLocation>> SegmentAccountIndex::frames_of(
    std::span<const uint64_t> seqs) const {
  std::vector<FrameLocation> frames;
  if (seqs.empty()) return frames;
  LEDGER_RETURN_IF_ERROR(need(run_));
  store::SortedRun::Cursor cursor(*run_);
  // The entry looked at and the one after it, whose offset ends the frame.
  std::optional<store::RunEntry> entry, following;
  auto next = [&](std::optional<store::RunEntry>& into) -> Status {
    auto read = cursor.next();
    if (!read) return read.status();
    into = *read;
    return Status::ok();
  };
  for (const uint64_t seq : seqs) {
    // The frame holding `seq` is the first whose last sequence number is not below it.
    if (!entry || (entry->key_high == kFrameKey && entry->key_low < seq)) {
      LEDGER_RETURN_IF_ERROR(cursor.seek({seq, kFrameKey}));
      LEDGER_RETURN_IF_ERROR(next(entry));
      LEDGER_RETURN_IF_ERROR(next(following));
    }
    if (!entry || entry->key_high != kFrameKey || entry->key_low < seq || entry->value_b > seq) {
      return Status(ErrorCode::kCorruption,
                    fmt::format("account index {} has no frame for event {}",
                                run_->path().filename().string(), seq));
    }
    const bool next_frame = following && following->key_high == kFrameKey &&
                            following->value_a > entry->value_a;
    frames.push_back({entry->value_a, entry->value_b,
                      next_frame ? following->value_a - entry->value_a : 0});
  }
  return frames;
}

}  // namespace ledger::app
