#include "store/log_cursor.h"

#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

#include "store/time_index.h"
#include "util/endian.h"

namespace ledger::store {

namespace fs = std::filesystem;

namespace {
// Large reads keep syscalls off the per-event path; a frame larger than this is read whole.
constexpr size_t kReadChunkBytes = 256u << 10;
}  // namespace

namespace {

// Whether `name` is <digits> with one of the derived files' suffixes.
bool is_derived_name(std::string_view name) {
  return std::any_of(kSegmentDerivedSuffixes.begin(), kSegmentDerivedSuffixes.end(),
                     [name](const char* suffix) {
                       return parse_numbered_file_name(name, suffix).has_value();
                     });
}

Status list_into(const fs::path& dir, bool archived, std::vector<SegmentFile>& segments,
                 std::vector<fs::path>* temp_files, std::vector<fs::path>* loose_derived) {
  Status listed = for_each_name(dir, [&](std::string_view name) {
    if (temp_files != nullptr && name.ends_with(".tmp") && name != ".tmp") {
      temp_files->push_back(dir / name);
      return;
    }
    auto seq = archived ? parse_archived_segment_file_name(name) : parse_segment_file_name(name);
    if (seq) {
      segments.push_back({*seq, dir / name, archived});
    } else if (loose_derived != nullptr && !archived && is_derived_name(name)) {
      loose_derived->push_back(dir / name);
    }
  });
  return listed.code() == ErrorCode::kNotFound ? Status::ok() : listed;
}

}  // namespace

Result<std::vector<SegmentFile>> list_segments(const fs::path& dir,
                                               std::vector<fs::path>* temp_files,
                                               std::vector<fs::path>* loose_derived) {
  std::vector<SegmentFile> segments;
  LEDGER_RETURN_IF_ERROR(list_into(dir, false, segments, temp_files, loose_derived));
  LEDGER_RETURN_IF_ERROR(list_into(dir / kArchiveDirName, true, segments, temp_files, nullptr));
  // Live before archived for the same base, so that the live copy is the one kept.
  std::sort(segments.begin(), segments.end(), [](const SegmentFile& a, const SegmentFile& b) {
    return a.base_seq != b.base_seq ? a.base_seq < b.base_seq : a.archived < b.archived;
  });
  segments.erase(std::unique(segments.begin(), segments.end(),
                             [](const SegmentFile& a, const SegmentFile& b) {
                               return a.base_seq == b.base_seq;
                             }),
                 segments.end());
  return segments;
}

FrameMark mark_of(const FrameRef& frame, const std::vector<SegmentFile>& segments) {
  const FrameHeader& h = frame.header;
  return {segments[frame.segment].base_seq, frame.offset, frame.offset + h.length, h.seq_last(),
          h.checksum, h.recorded_ns, h.effective_max_ns};
}

Result<std::optional<PurgeMarker>> read_purge_marker(Syscalls& sys, const fs::path& dir) {
  const fs::path path = dir / kPurgedFileName;
  auto bytes = read_file(sys, path);
  if (!bytes) {
    if (bytes.status().code() == ErrorCode::kNotFound) return std::optional<PurgeMarker>();
    return bytes.status();
  }
  auto marker = decode_purge_marker(*bytes);
  if (!marker) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("corrupt log: {}: {}", path.string(), marker.status().message()));
  }
  return std::optional<PurgeMarker>(*marker);
}

Result<Bytes> read_frame_at(Syscalls& sys, const SegmentFile& segment, uint64_t offset) {
  auto source = SegmentSource::open(sys, segment);
  if (!source) return source.status();
  return read_frame_at(*source, segment, offset);
}

Result<Bytes> read_frame_at(const SegmentSource& source, const SegmentFile& segment,
                            uint64_t offset, uint64_t length_hint) {
  Bytes bytes(std::max<uint64_t>(kFrameHeaderSize, length_hint));
  auto n = source.read_at(offset, bytes);
  if (!n) return n.status();
  bytes.resize(*n);
  auto bad = [&](const std::string& what) {
    return corruption_status({segment.path, offset, 0, what});
  };
  auto header = decode_frame_header(bytes);
  if (!header) return bad(header.status().message());
  if (header->length == bytes.size()) {
    if (Status s = verify_frame(*header, bytes); !s) return bad(s.message());
    return bytes;
  }
  bytes.resize(header->length);
  n = source.read_at(offset, bytes);
  if (!n) return n.status();
  if (*n != bytes.size()) return bad("frame runs past the end of the segment");
  if (Status s = verify_frame(*header, bytes); !s) return bad(s.message());
  return bytes;
}

Status corruption_status(const LogProblem& problem) {
  return {ErrorCode::kCorruption,
          fmt::format("corrupt log: {} offset {} (sequence {}): {}", display_name(problem.segment),
                      problem.offset, problem.seq, problem.what)};
}

Result<SegmentHeader> read_segment_header(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                          size_t index) {
  auto bytes = read_segment_head(sys, segments[index], kSegmentHeaderSize);
  if (!bytes) return bytes.status();
  auto header = decode_segment_header(*bytes);
  if (!header) {
    return corruption_status(
        {segments[index].path, 0, segments[index].base_seq, header.status().message()});
  }
  return header;
}

Result<std::optional<std::string>> recorded_zone(Syscalls& sys,
                                                 const std::vector<SegmentFile>& segments) {
  if (segments.empty()) return std::optional<std::string>();
  auto header = read_segment_header(sys, segments, segments.size() - 1);
  if (!header) return header.status();
  if (header->format_version < 2) return std::optional<std::string>();
  return std::optional<std::string>(header->zone);
}

Result<std::optional<std::string>> recorded_zone(Syscalls& sys, const fs::path& dir) {
  // The newest segment by name, live or archived, as list_segments would order them.
  auto newest = [](const fs::path& folder, auto parse) -> Result<uint64_t> {
    uint64_t base = 0;
    Status listed = for_each_name(folder, [&](std::string_view name) {
      if (auto seq = parse(name)) base = std::max(base, *seq);
    });
    if (!listed && listed.code() != ErrorCode::kNotFound) return listed;
    return base;
  };
  auto live = newest(dir, parse_segment_file_name);
  if (!live) return live.status();
  auto archived = newest(dir / kArchiveDirName, parse_archived_segment_file_name);
  if (!archived) return archived.status();
  if (*live == 0 && *archived == 0) return std::optional<std::string>();
  const SegmentFile segment = *live >= *archived
                                  ? SegmentFile{*live, live_segment_path(dir, *live), false}
                                  : SegmentFile{*archived, archived_segment_path(dir, *archived), true};
  return recorded_zone(sys, std::vector<SegmentFile>{segment});
}

Result<LogPosition> segment_start(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                  size_t index) {
  auto header = read_segment_header(sys, segments, index);
  if (!header) return header.status();
  return LogPosition{index, 0, header->base_seq, header->prev_checksum, INT64_MIN};
}

Result<LogPosition> log_start(Syscalls& sys, const fs::path& dir,
                              const std::vector<SegmentFile>& segments) {
  auto marker = read_purge_marker(sys, dir);
  if (!marker) return marker.status();
  if (segments.empty()) {
    if (!*marker) return LogPosition{};
    return Status(ErrorCode::kCorruption,
                  fmt::format("corrupt log: {}: segment {} is missing (the PURGED marker says the "
                              "log starts there, and no segment is left)",
                              dir.string(), segment_file_name((*marker)->first_seq)));
  }
  auto start = segment_start(sys, segments, 0);
  if (!start) return start.status();
  const SegmentFile& first = segments.front();
  if (start->seq_next != first.base_seq) {
    return corruption_status(
        {first.path, 0, first.base_seq,
         fmt::format("segment header says it starts at sequence {}", start->seq_next)});
  }
  if (first.base_seq == 1) return start;
  if (!*marker) {
    return corruption_status(
        {first.path, 0, first.base_seq,
         fmt::format("segment {} is missing: the log starts at sequence {} and no PURGED marker "
                     "says the history before it was purged",
                     segment_file_name(1), first.base_seq)});
  }
  const PurgeMarker& purged = **marker;
  if (first.base_seq > purged.first_seq) {
    return corruption_status(
        {first.path, 0, first.base_seq,
         fmt::format("segment {} is missing: the PURGED marker says the log starts at sequence {}",
                     segment_file_name(purged.first_seq), purged.first_seq)});
  }
  if (first.base_seq == purged.first_seq && start->chain != purged.chain) {
    return corruption_status({first.path, 0, first.base_seq,
                              "the segment does not link to where the PURGED marker says the log "
                              "starts (chain checksum differs)"});
  }
  return start;
}

Result<LogCursor> LogCursor::at_start(Syscalls& sys, std::vector<SegmentFile> segments) {
  LogPosition start;
  if (!segments.empty()) {
    // The first segment's header says where the log begins (after a purge, not at 1).
    auto first = log_start(sys, data_dir_of(segments.front()), segments);
    if (!first) return first.status();
    start = *first;
  }
  return LogCursor(sys, std::move(segments), start);
}

LogCursor::LogCursor(Syscalls& sys, std::vector<SegmentFile> segments, LogPosition start)
    : sys_(&sys), segments_(std::move(segments)), position_(start) {}

LogCursor::Step LogCursor::corrupt(std::string what) {
  problem_ = {segments_[position_.segment].path, position_.offset, position_.seq_next,
              std::move(what)};
  return Step::kCorrupt;
}

LogCursor::Step LogCursor::open_segment(size_t index) {
  auto file = SegmentSource::open(*sys_, segments_[index]);
  if (!file) return corrupt(file.status().message());
  file_ = std::move(*file);
  file_segment_ = index;
  buffer_size_ = 0;
  if (position_.offset != 0) return Step::kFrame;
  auto avail = fill(0, kSegmentHeaderSize);
  if (!avail) return corrupt(avail.status().message());
  auto header = decode_segment_header(ByteView(buffer_.get(), *avail));
  if (!header) return corrupt(header.status().message());
  if (header->base_seq != position_.seq_next || header->prev_checksum != position_.chain) {
    return corrupt(fmt::format("segment does not continue the log (starts at sequence {}, "
                               "expected {}, or its chain checksum differs)",
                               header->base_seq, position_.seq_next));
  }
  position_.offset = header->size();
  return Step::kFrame;
}

Result<size_t> LogCursor::fill(uint64_t offset, size_t n) {
  if (offset >= buffer_offset_ && offset + n <= buffer_offset_ + buffer_size_) return n;
  const size_t want = std::max(n, skim_ || passing_ ? kFrameHeaderSize : kReadChunkBytes);
  // Bytes of [offset, ...) already in the buffer move to its front rather than being read again.
  size_t kept = 0;
  if (offset >= buffer_offset_ && offset < buffer_offset_ + buffer_size_) {
    kept = static_cast<size_t>(buffer_offset_ + buffer_size_ - offset);
  }
  if (buffer_capacity_ < want) {
    auto bigger = std::make_unique_for_overwrite<unsigned char[]>(want);
    if (kept > 0) std::memcpy(bigger.get(), buffer_.get() + (offset - buffer_offset_), kept);
    buffer_ = std::move(bigger);
    buffer_capacity_ = want;
  } else if (kept > 0) {
    std::memmove(buffer_.get(), buffer_.get() + (offset - buffer_offset_), kept);
  }
  auto got = file_.read_at(offset + kept, std::span(buffer_.get() + kept, want - kept));
  if (!got) return got.status();
  buffer_offset_ = offset;
  buffer_size_ = kept + *got;
  bytes_read_ += *got;
  return std::min(buffer_size_, n);
}

LogCursor::Step LogCursor::next() {
  for (;;) {
    if (position_.segment >= segments_.size()) return Step::kEnd;
    if (file_segment_ != position_.segment) {
      if (Step s = open_segment(position_.segment); s != Step::kFrame) return s;
    }
    const uint64_t offset = position_.offset;
    auto avail = fill(offset, kFrameHeaderSize);
    if (!avail) return corrupt(avail.status().message());
    if (*avail == 0) {
      if (position_.segment + 1 == segments_.size()) return Step::kEnd;
      ++position_.segment;
      position_.offset = 0;
      continue;
    }
    const unsigned char* head = buffer_.get() + (offset - buffer_offset_);
    if (*avail < kFrameHeaderSize) return bad_frame("truncated frame header", head, *avail);
    auto header = decode_frame_header(ByteView(head, kFrameHeaderSize));
    if (!header) return bad_frame(header.status().message(), head, kFrameHeaderSize);
    // Skimming passes over a frame whose header links up; one that does not is read and
    // judged whole below (the reader then judges the commit again without skimming).
    const bool links = header->prev_checksum == position_.chain &&
                       header->seq_first == position_.seq_next &&
                       header->recorded_ns >= position_.recorded_ns;
    const bool pass = skim_ || (pass_over_ && pass_over_(*header));
    passing_ = pass && !header->ends_commit() && links;
    if (passing_) return advance(*header, ByteView(), offset);
    avail = fill(offset, header->length);
    if (!avail) return corrupt(avail.status().message());
    head = buffer_.get() + (offset - buffer_offset_);
    if (*avail < header->length) return bad_frame("frame runs past the end of the file", head, kFrameHeaderSize);
    const ByteView bytes(head, header->length);
    if (Status s = verify_frame(*header, bytes); !s) return bad_frame(s.message(), head, kFrameHeaderSize);
    if (Step s = check_chain(*header); s != Step::kFrame) return s;
    return advance(*header, bytes, offset);
  }
}

LogCursor::Step LogCursor::check_chain(const FrameHeader& header) {
  if (header.prev_checksum != position_.chain) {
    return corrupt("checksum chain broken: the frame does not follow the one before it");
  }
  if (header.seq_first != position_.seq_next) {
    return corrupt(fmt::format("sequence gap: frame starts at {}", header.seq_first));
  }
  if (header.recorded_ns < position_.recorded_ns) return corrupt("recorded time goes backwards");
  return Step::kFrame;
}

LogCursor::Step LogCursor::advance(const FrameHeader& header, ByteView bytes, uint64_t offset) {
  frame_ = {header, bytes, position_.segment, offset};
  position_.offset += header.length;
  position_.seq_next = header.seq_last() + 1;
  position_.chain = header.checksum;
  position_.recorded_ns = header.recorded_ns;
  return Step::kFrame;
}

LogCursor::Step LogCursor::bad_frame(std::string what, const unsigned char* header_bytes,
                                     size_t header_avail) {
  const bool follows = valid_data_follows(header_bytes, header_avail);
  problem_ = {segments_[position_.segment].path, position_.offset, position_.seq_next,
              std::move(what)};
  return follows ? Step::kCorrupt : Step::kTornTail;
}

// The writer syncs every commit-end frame before writing anything after it, and syncs the
// earlier frames of a commit before writing its end frame. So after a crash, only frames of an
// unfinished commit can stand after a damaged one. A later commit-end frame, a frame chained to
// a damaged commit-end frame, or a later segment all prove that the damaged bytes had reached
// the disk before: that is corruption, not a torn write.
bool LogCursor::valid_data_follows(const unsigned char* header_bytes, size_t header_avail) {
  if (position_.segment + 1 < segments_.size()) return true;
  bool bad_claims_end = false;
  uint64_t bad_checksum = 0;
  if (header_avail >= kFrameHeaderSize) {
    bad_checksum = util::get<uint64_t>(header_bytes);
    bad_claims_end = (util::get<uint32_t>(header_bytes + 36) & kFlagCommitEnd) != 0;
  }
  auto size = file_.size();
  if (!size || *size <= position_.offset + 1) return false;
  Bytes rest(*size - position_.offset - 1);
  auto got = file_.read_at(position_.offset + 1, rest);
  if (!got) return false;
  rest.resize(*got);
  const unsigned char magic[4] = {'F', 'R', 'M', '1'};
  static_assert(kFrameMagic == ('F' | 'R' << 8 | 'M' << 16 | '1' << 24));
  for (size_t i = 8; i + 4 <= rest.size(); ++i) {
    auto* hit = static_cast<const unsigned char*>(memmem(rest.data() + i, rest.size() - i, magic, 4));
    if (hit == nullptr) break;
    i = static_cast<size_t>(hit - rest.data());
    const ByteView candidate(rest.data() + i - 8, rest.size() - (i - 8));
    auto header = decode_frame_header(candidate);
    if (!header || header->length > candidate.size()) continue;
    if (!verify_frame(*header, candidate.first(header->length))) continue;
    if (header->ends_commit()) return true;
    if (bad_claims_end && header->prev_checksum == bad_checksum) return true;
  }
  return false;
}

}  // namespace ledger::store
