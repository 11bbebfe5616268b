#include "store/time_index.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>

#include "util/endian.h"

namespace ledger::store {

namespace fs = std::filesystem;
using util::get;
using util::put;

namespace {

constexpr std::array<unsigned char, 8> kIndexMagic = {'L', 'D', 'G', 'I', 'D', 'X', '0', '1'};
constexpr size_t kIndexFixedSize = 8 + 4 + 4 + 5 * 8 + 4 * 8;
constexpr size_t kIndexEntrySize = 7 * 8;
constexpr size_t kIndexEntriesMax = 1u << 24;

}  // namespace

fs::path index_path(const SegmentFile& segment) {
  // An archived segment's index lives beside it in archive/, as <digits>.idx.
  const fs::path folder = segment.archived ? segment.path.parent_path()
                                           : segment.path.parent_path() / kIndexDirName;
  return (folder / segment_file_name(segment.base_seq)).replace_extension(kIndexSuffix);
}

Status create_index_dir(Syscalls& sys, const SegmentFile& segment) {
  return create_private_dir(sys, index_path(segment).parent_path());
}

void store_segment_index(Syscalls& sys, const SegmentFile& segment, const SegmentIndex& index) {
  if (create_index_dir(sys, segment)) {
    (void)write_file_atomically(sys, index_path(segment), encode_segment_index(index));
  }
}

void remove_index_temp_files(Syscalls& sys, const fs::path& dir) {
  const fs::path folder = dir / kIndexDirName;
  std::vector<fs::path> temps;
  (void)for_each_name(folder, [&](std::string_view name) {
    if (name.ends_with(".tmp")) temps.push_back(folder / name);
  });
  for (const fs::path& temp : temps) (void)sys.unlink(temp.c_str());
}

void forget_segment_index(Syscalls& sys, const SegmentFile& segment) {
  // Missing is the usual case; any other failure leaves a stale index, which load() detects.
  for (const char* suffix : kSegmentDerivedSuffixes) {
    (void)sys.unlink(fs::path(index_path(segment)).replace_extension(suffix).c_str());
  }
}

Result<SegmentIndex> build_segment_index(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                         size_t index) {
  auto start = segment_start(sys, segments, index);
  if (!start) return start.status();
  // Only this segment is listed, so the cursor ends at its end instead of walking on.
  std::vector<SegmentFile> one(segments.begin(), segments.begin() + index + 1);
  LogCursor cursor(sys, std::move(one), *start);
  SegmentIndex idx;
  idx.base_seq = start->seq_next;
  idx.seq_last = start->seq_next - 1;
  idx.chain_last = start->chain;
  auto header = read_segment_header(sys, segments, index);
  if (!header) return header.status();
  idx.file_size = header->size();
  int64_t recorded_before = INT64_MIN;
  for (;;) {
    const LogCursor::Step step = cursor.next();
    if (step == LogCursor::Step::kEnd) break;
    if (step == LogCursor::Step::kCorrupt) return corruption_status(cursor.problem());
    if (step == LogCursor::Step::kTornTail) {
      // The newest segment may be mid-write; a sealed one may not.
      if (index + 1 == segments.size()) break;
      return corruption_status(cursor.problem());
    }
    const FrameRef& f = cursor.frame();
    const FrameHeader& h = f.header;
    if (idx.entries.empty() || f.offset - idx.entries.back().position.offset >= kIndexStrideBytes) {
      idx.entries.push_back({LogPosition{index, f.offset, h.seq_first, h.prev_checksum,
                                         recorded_before},
                             h.recorded_ns, h.effective_min_ns, h.effective_max_ns});
    }
    IndexEntry& e = idx.entries.back();
    e.effective_min_ns = std::min(e.effective_min_ns, h.effective_min_ns);
    e.effective_max_ns = std::max(e.effective_max_ns, h.effective_max_ns);
    ++idx.frames;
    idx.seq_last = h.seq_last();
    idx.chain_last = h.checksum;
    idx.file_size = f.offset + h.length;
    idx.recorded_min_ns = std::min(idx.recorded_min_ns, h.recorded_ns);
    idx.recorded_max_ns = std::max(idx.recorded_max_ns, h.recorded_ns);
    idx.effective_min_ns = std::min(idx.effective_min_ns, h.effective_min_ns);
    idx.effective_max_ns = std::max(idx.effective_max_ns, h.effective_max_ns);
    recorded_before = h.recorded_ns;
  }
  return idx;
}

Bytes encode_segment_index(const SegmentIndex& idx) {
  Bytes out(kIndexFixedSize + idx.entries.size() * kIndexEntrySize + 8);
  unsigned char* p = out.data();
  std::copy(kIndexMagic.begin(), kIndexMagic.end(), p);
  put<uint32_t>(p + 8, 1);
  put<uint32_t>(p + 12, static_cast<uint32_t>(idx.entries.size()));
  put<uint64_t>(p + 16, idx.base_seq);
  put<uint64_t>(p + 24, idx.file_size);
  put<uint64_t>(p + 32, idx.frames);
  put<uint64_t>(p + 40, idx.seq_last);
  put<uint64_t>(p + 48, idx.chain_last);
  put<int64_t>(p + 56, idx.recorded_min_ns);
  put<int64_t>(p + 64, idx.recorded_max_ns);
  put<int64_t>(p + 72, idx.effective_min_ns);
  put<int64_t>(p + 80, idx.effective_max_ns);
  p += kIndexFixedSize;
  for (const IndexEntry& e : idx.entries) {
    put<uint64_t>(p, e.position.offset);
    put<uint64_t>(p + 8, e.position.seq_next);
    put<uint64_t>(p + 16, e.position.chain);
    put<int64_t>(p + 24, e.position.recorded_ns);
    put<int64_t>(p + 32, e.recorded_first_ns);
    put<int64_t>(p + 40, e.effective_min_ns);
    put<int64_t>(p + 48, e.effective_max_ns);
    p += kIndexEntrySize;
  }
  put<uint64_t>(p, checksum(ByteView(out.data(), out.size() - 8), 0));
  return out;
}

Result<SegmentIndex> decode_segment_index(ByteView bytes) {
  const Status bad(ErrorCode::kCorruption, "bad segment index");
  if (bytes.size() < kIndexFixedSize + 8) return bad;
  const unsigned char* p = bytes.data();
  if (!std::equal(kIndexMagic.begin(), kIndexMagic.end(), p) || get<uint32_t>(p + 8) != 1) return bad;
  const size_t count = get<uint32_t>(p + 12);
  if (count > kIndexEntriesMax || bytes.size() != kIndexFixedSize + count * kIndexEntrySize + 8) {
    return bad;
  }
  if (get<uint64_t>(p + bytes.size() - 8) != checksum(bytes.first(bytes.size() - 8), 0)) return bad;
  SegmentIndex idx;
  idx.base_seq = get<uint64_t>(p + 16);
  idx.file_size = get<uint64_t>(p + 24);
  idx.frames = get<uint64_t>(p + 32);
  idx.seq_last = get<uint64_t>(p + 40);
  idx.chain_last = get<uint64_t>(p + 48);
  idx.recorded_min_ns = get<int64_t>(p + 56);
  idx.recorded_max_ns = get<int64_t>(p + 64);
  idx.effective_min_ns = get<int64_t>(p + 72);
  idx.effective_max_ns = get<int64_t>(p + 80);
  p += kIndexFixedSize;
  idx.entries.resize(count);
  for (IndexEntry& e : idx.entries) {
    e.position.offset = get<uint64_t>(p);
    e.position.seq_next = get<uint64_t>(p + 8);
    e.position.chain = get<uint64_t>(p + 16);
    e.position.recorded_ns = get<int64_t>(p + 24);
    e.recorded_first_ns = get<int64_t>(p + 32);
    e.effective_min_ns = get<int64_t>(p + 40);
    e.effective_max_ns = get<int64_t>(p + 48);
    p += kIndexEntrySize;
  }
  return idx;
}


// A stored index is used only if it describes this very segment file as it is now.
std::optional<SegmentIndex> load_stored_index(Syscalls& sys, const SegmentFile& segment) {
  // A segment of the default 8 MiB has an index of about 7 KiB.
  auto bytes = read_small_file(sys, index_path(segment), 16 << 10);
  if (!bytes) return {};
  auto idx = decode_segment_index(*bytes);
  if (!idx) return {};
  auto size = segment_size(sys, segment);
  if (!size || idx->base_seq != segment.base_seq || idx->file_size != *size) return {};
  return std::move(*idx);
}

Result<TimeIndex> TimeIndex::load(Syscalls& sys, std::vector<SegmentFile> segments,
                                  bool newest_is_active, bool store_rebuilt) {
  TimeIndex ti;
  for (size_t i = 0; i < segments.size(); ++i) {
    const bool sealed = i + 1 < segments.size() || !newest_is_active;
    std::optional<SegmentIndex> idx = sealed ? load_stored_index(sys, segments[i]) : std::nullopt;
    if (!idx) {
      auto built = build_segment_index(sys, segments, i);
      if (!built) return built.status();
      idx = std::move(*built);
      if (sealed) {
        ++ti.rebuilt_;
        // Best effort: without write access the rebuilt copy still answers.
        if (store_rebuilt) store_segment_index(sys, segments[i], *idx);
      }
    }
    for (IndexEntry& e : idx->entries) e.position.segment = i;
    ti.segments_.push_back(std::move(*idx));
  }
  ti.files_ = std::move(segments);
  return ti;
}

LogPosition TimeIndex::end() const {
  if (segments_.empty()) return {};
  const SegmentIndex& last = segments_.back();
  return {segments_.size() - 1, last.file_size, last.seq_last + 1, last.chain_last,
          last.recorded_max_ns};
}

LogPosition TimeIndex::seek_recorded_after(int64_t t) const {
  // Recorded times never decrease along the log, so both searches are binary.
  auto seg = std::partition_point(segments_.begin(), segments_.end(), [t](const SegmentIndex& s) {
    return s.empty() || s.recorded_max_ns <= t;
  });
  if (seg == segments_.end()) return end();
  const auto& entries = seg->entries;
  auto after = std::partition_point(entries.begin(), entries.end(),
                                    [t](const IndexEntry& e) { return e.recorded_first_ns <= t; });
  return after == entries.begin() ? after->position : std::prev(after)->position;
}

std::vector<LogRange> TimeIndex::ranges_effective_at_or_before(int64_t t) const {
  std::vector<LogRange> ranges;
  for (size_t s = 0; s < segments_.size(); ++s) {
    const SegmentIndex& seg = segments_[s];
    if (seg.empty() || seg.effective_min_ns > t) continue;
    for (size_t e = 0; e < seg.entries.size(); ++e) {
      if (seg.entries[e].effective_min_ns > t) continue;
      const LogPosition& from = seg.entries[e].position;
      LogPosition to = e + 1 < seg.entries.size()
                           ? seg.entries[e + 1].position
                           : LogPosition{s, seg.file_size, seg.seq_last + 1, seg.chain_last,
                                         seg.recorded_max_ns};
      if (!ranges.empty() && ranges.back().to.segment == s &&
          ranges.back().to.offset == from.offset) {
        ranges.back().to = to;
      } else {
        ranges.push_back({from, to});
      }
    }
  }
  return ranges;
}

}  // namespace ledger::store
