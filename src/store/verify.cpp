#include "store/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "store/log_reader.h"
#include "store/segment_tree.h"
#include "store/time_index.h"

namespace ledger::store {

namespace fs = std::filesystem;

VerifyProblem make_problem(std::string check, fs::path file, std::optional<uint64_t> offset,
                           uint64_t seq_first, uint64_t seq_last, std::string what) {
  VerifyProblem p;
  p.check = std::move(check);
  p.file = std::move(file);
  p.offset = offset;
  p.seq_first = seq_first;
  p.seq_last = seq_last;
  p.what = std::move(what);
  return p;
}

void VerifyReport::add(VerifyProblem problem) {
  ++problems_total_;
  if (problems_.size() < kVerifyProblemsMax) problems_.push_back(std::move(problem));
}

void VerifyReport::insert(size_t found_before, VerifyProblem problem) {
  ++problems_total_;
  if (found_before >= kVerifyProblemsMax) return;
  problems_.insert(problems_.begin() + static_cast<std::ptrdiff_t>(
                                           std::min(found_before, problems_.size())),
                   std::move(problem));
  if (problems_.size() > kVerifyProblemsMax) problems_.pop_back();
}

bool VerifyReport::found(std::string_view check) const {
  return std::any_of(problems_.begin(), problems_.end(),
                     [check](const VerifyProblem& p) { return p.check == check; });
}

namespace {

uint64_t size_of(const fs::path& path) {
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  return ec ? 0 : size;
}

std::string name_of(const fs::path& path) { return path.filename().string(); }

// A valid frame found by scanning: where it starts and its header.
struct FoundFrame {
  uint64_t offset = 0;
  FrameHeader header;
};

// Walks the segments in order with a LogCursor per stretch of good frames. Where a cursor
// stops, it decides what the stop was (a frame that is whole but does not link, damage, or the
// unfinished tail of the newest segment), reports it, and resumes at the next valid frame.
class LogVerifier {
 public:
  LogVerifier(Syscalls& sys, const std::vector<SegmentFile>& segments, const VerifyHooks& hooks,
              VerifyReport& report)
      : sys_(sys), segments_(segments), hooks_(hooks), report_(report) {
    for (const SegmentFile& s : segments_) bytes_total_ += size_of(s.path);
  }

  void run() {
    for (size_t i = 0; i < segments_.size(); ++i) {
      verify_segment(i);
      bytes_before_ += size_of(segments_[i].path);
    }
    flush_pending();
    if (!commit_ended_) {
      report_.note(fmt::format(
          "the last {} events (from sequence {}) belong to a commit that has not ended (a crash, "
          "or a write in progress): readers do not see them, and a crashed one is cut by the "
          "next write",
          open_commit_events_, seq_next_ - open_commit_events_));
    }
  }

 private:
  void verify_segment(size_t i) {
    const SegmentFile& seg = segments_[i];
    ++report_.counts.segments;
    report_.counts.segment_bytes += size_of(seg.path);
    auto start = segment_start(sys_, segments_, i);
    std::optional<LogPosition> resume;
    if (!start) {
      // The header is gone, but the frames after it carry their own chain: look for them.
      VerifyProblem p =
          make_problem("segment", seg.path, 0, known_ ? seq_next_ : seg.base_seq, 0,
                       fmt::format("unusable segment header: {}", header_error(start.status())));
      flush_pending();
      pending_ = std::move(p);
      // A version 1 header is the shorter: no frame can start before its end.
      resume = resync(i, kSegmentHeaderSizeV1);
    } else {
      // The first frame must chain to the last frame before it. When the header names another
      // checksum, the header is at fault (already reported), not the frames.
      const bool continues = known_ && !pending_ && start->seq_next == seq_next_;
      const uint64_t chain = continues ? chain_ : start->chain;
      link_segment(i, *start);
      auto header = read_segment_header(sys_, segments_, i);
      const uint64_t first_frame = header ? header->size() : kSegmentHeaderSize;
      resume = LogPosition{i, first_frame, start->seq_next, chain, recorded_ns_};
    }
    while (resume) resume = walk(i, *resume);
  }

  static std::string header_error(const Status& status) {
    const std::string& m = status.message();
    const size_t at = m.find("): ");
    return at == std::string::npos ? m : m.substr(at + 3);
  }

  // Checks a segment's header against what came before it: the sequence it starts at, the
  // name it has, and the checksum of the frame before it.
  void link_segment(size_t i, const LogPosition& start) {
    const SegmentFile& seg = segments_[i];
    if (start.seq_next != seg.base_seq) {
      report_.add(make_problem(
          "segment", seg.path, 0, start.seq_next, 0,
          fmt::format("segment file {} is named for sequence {} but its header says it "
                      "starts at sequence {}",
                      name_of(seg.path), seg.base_seq, start.seq_next)));
    }
    if (pending_) {
      close_pending(start.seq_next);
    } else if (!known_) {
      if (start.seq_next > seq_start_expected()) missing(seg, seq_start_expected(), start.seq_next);
    } else if (start.seq_next > seq_next_) {
      missing(seg, seq_next_, start.seq_next);
    } else if (start.seq_next < seq_next_) {
      report_.add(make_problem(
          "sequence", seg.path, 0, start.seq_next, seq_next_ - 1,
          fmt::format("segment {} overlaps the one before it: it starts at sequence {}, "
                      "but sequences {}..{} already stand before it",
                      name_of(seg.path), start.seq_next, start.seq_next, seq_next_ - 1)));
    } else if (start.chain != chain_) {
      report_.add(make_problem(
          "chain", seg.path, 0, start.seq_next, 0,
          fmt::format("checksum chain broken between segments: the header of {} names "
                      "{:016x} as the checksum of the frame before it, but the last "
                      "frame of {} has {:016x}",
                      name_of(seg.path), start.chain, name_of(segments_[i - 1].path), chain_)));
    }
    known_ = true;
    seq_next_ = start.seq_next;
    chain_ = start.chain;
  }

  uint64_t seq_start_expected() const { return hooks_.seq_start_expected.value_or(1); }

  void missing(const SegmentFile& next, uint64_t from, uint64_t to) {
    const fs::path absent = next.path.parent_path() / segment_file_name(from);
    report_.add(make_problem(
        "sequence", absent, std::nullopt, from, to - 1,
        fmt::format("segment {} missing: sequence {}..{} absent (the next segment, {}, "
                    "starts at {})",
                    name_of(absent), from, to - 1, name_of(next.path), to)));
  }

  // Reads frames from `from` until the cursor stops; returns where to go on in this segment.
  std::optional<LogPosition> walk(size_t i, const LogPosition& from) {
    std::vector<SegmentFile> upto(segments_.begin(), segments_.begin() + i + 1);
    LogCursor cursor(sys_, std::move(upto), from);
    for (;;) {
      const LogCursor::Step step = cursor.next();
      if (step == LogCursor::Step::kFrame) {
        accept(cursor.frame(), i);
        continue;
      }
      if (step == LogCursor::Step::kEnd) return std::nullopt;
      return stopped(i, cursor, step);
    }
  }

  void accept(const FrameRef& f, size_t i) {
    const FrameHeader& h = f.header;
    VerifyCounts& c = report_.counts;
    ++c.frames;
    c.events += h.count;
    if (c.seq_first == 0) c.seq_first = h.seq_first;
    c.seq_last = h.seq_last();
    known_ = true;
    seq_next_ = h.seq_last() + 1;
    chain_ = h.checksum;
    recorded_ns_ = h.recorded_ns;
    commit_ended_ = h.ends_commit();
    open_commit_events_ = commit_ended_ ? 0 : open_commit_events_ + h.count;
    if (hooks_.frame) hooks_.frame(f, segments_[i].path, report_);
    if (hooks_.progress) hooks_.progress(bytes_before_ + f.offset + h.length, bytes_total_);
  }

  std::optional<LogPosition> stopped(size_t i, const LogCursor& cursor, LogCursor::Step step) {
    const LogProblem& problem = cursor.problem();
    const LogPosition& expected = cursor.position();
    if (auto whole = valid_frame_at(i, problem.offset)) return unlinked(i, expected, *whole);
    auto next = find_frame(i, problem.offset + 1);
    if (!next && step == LogCursor::Step::kTornTail && i + 1 == segments_.size()) {
      report_.note(fmt::format(
          "{} ends with {} bytes of an unfinished write at offset {} (sequence {}): what a crash "
          "(or a write in progress) leaves; readers ignore it and the next write cuts it",
          name_of(segments_[i].path), size_of(segments_[i].path) - problem.offset, problem.offset,
          problem.seq));
      return std::nullopt;
    }
    flush_pending();
    VerifyProblem p =
        make_problem("frame", segments_[i].path, problem.offset, problem.seq, 0, problem.what);
    describe_damage(i, problem.offset, next ? next->offset : segment_bytes_.size(), p);
    pending_ = std::move(p);
    known_ = false;
    if (!next) return std::nullopt;
    close_pending(next->header.seq_first);
    return resume_at(i, *next);
  }

  // A frame that is whole and valid, but does not follow the one before it: name what broke,
  // then accept it as the new thread of the log so one problem is reported once.
  std::optional<LogPosition> unlinked(size_t i, const LogPosition& expected, const FoundFrame& f) {
    const FrameHeader& h = f.header;
    VerifyProblem p = make_problem("", segments_[i].path, f.offset, h.seq_first, h.seq_last(), "");
    p.effective_min_ns = h.effective_min_ns;
    p.effective_max_ns = h.effective_max_ns;
    if (h.seq_first > expected.seq_next) {
      p = make_problem("sequence", segments_[i].path, f.offset, expected.seq_next, h.seq_first - 1,
                       fmt::format("sequence gap: sequence {}..{} absent (the frame here starts "
                                   "at {})",
                                   expected.seq_next, h.seq_first - 1, h.seq_first));
    } else if (h.seq_first < expected.seq_next) {
      p.check = "sequence";
      p.what = fmt::format("sequence overlap: the frame here starts at {}, but {} came before it",
                           h.seq_first, expected.seq_next - 1);
    } else if (h.prev_checksum != expected.chain) {
      p.check = "chain";
      p.what =
          "checksum chain broken: the frame does not follow the one before it (a frame was "
          "dropped, reordered or replaced)";
    } else {
      p.check = "time";
      p.what = "recorded time goes backwards";
    }
    if (p.check != "sequence" || h.seq_first < expected.seq_next) {
      subjects_of(i, f.offset, f.offset + h.length, p);
      p.subjects_unverified = false;
    }
    report_.add(std::move(p));
    return resume_at(i, f);
  }

  // After an unusable segment header: the first valid frame of the segment, if any.
  std::optional<LogPosition> resync(size_t i, uint64_t from) {
    auto next = find_frame(i, from);
    if (!next) return std::nullopt;
    close_pending(next->header.seq_first);
    return resume_at(i, *next);
  }

  LogPosition resume_at(size_t i, const FoundFrame& f) {
    return {i, f.offset, f.header.seq_first, f.header.prev_checksum,
            std::min(recorded_ns_, f.header.recorded_ns)};
  }

  // The bytes of segment `i`, read once for all the scans of that segment. An archive that
  // does not decompress and check out has none that can be scanned: its problem says why.
  const Bytes& segment_bytes(size_t i) {
    if (bytes_segment_ != i) {
      const SegmentFile& seg = segments_[i];
      auto bytes = seg.archived ? read_archived_segment(sys_, seg.path) : read_file(sys_, seg.path);
      segment_bytes_ = bytes ? std::move(*bytes) : Bytes();
      bytes_segment_ = i;
    }
    return segment_bytes_;
  }

  std::optional<FoundFrame> valid_frame_at(size_t i, uint64_t offset) {
    const Bytes& bytes = segment_bytes(i);
    if (offset + kFrameHeaderSize > bytes.size()) return std::nullopt;
    const ByteView rest(bytes.data() + offset, bytes.size() - offset);
    auto header = decode_frame_header(rest);
    if (!header || header->length > rest.size()) return std::nullopt;
    if (!verify_frame(*header, rest.first(header->length))) return std::nullopt;
    return FoundFrame{offset, *header};
  }

  // The first valid frame at or after `from` in segment `i`, found by its magic.
  std::optional<FoundFrame> find_frame(size_t i, uint64_t from) {
    const Bytes& bytes = segment_bytes(i);
    const unsigned char magic[4] = {'F', 'R', 'M', '1'};
    static_assert(kFrameMagic == ('F' | 'R' << 8 | 'M' << 16 | '1' << 24));
    for (uint64_t at = std::max<uint64_t>(from, kSegmentHeaderSizeV1) + 8; at + 4 <= bytes.size();
         ++at) {
      auto* hit = static_cast<const unsigned char*>(
          memmem(bytes.data() + at, bytes.size() - at, magic, sizeof magic));
      if (hit == nullptr) return std::nullopt;
      at = static_cast<uint64_t>(hit - bytes.data());
      if (auto f = valid_frame_at(i, at - 8)) return f;
    }
    return std::nullopt;
  }

  // What can be known of a damaged stretch [offset, end): its header's effective range and
  // sequence numbers, and what its records concern, all unverified.
  void describe_damage(size_t i, uint64_t offset, uint64_t end, VerifyProblem& p) {
    const Bytes& bytes = segment_bytes(i);
    end = std::min<uint64_t>(end, bytes.size());
    if (offset + kFrameHeaderSize > end) return;
    auto header = decode_frame_header(ByteView(bytes.data() + offset, end - offset));
    if (!header) return;
    p.effective_min_ns = header->effective_min_ns;
    p.effective_max_ns = header->effective_max_ns;
    if (header->seq_first == p.seq_first) p.seq_last = header->seq_last();
    subjects_of(i, offset, std::min<uint64_t>(end, offset + header->length), p);
    p.subjects_unverified = true;
  }

  // Asks the describer about every record that can be walked in [offset, end) of segment `i`.
  void subjects_of(size_t i, uint64_t offset, uint64_t end, VerifyProblem& p) {
    if (!hooks_.describe) return;
    const Bytes& bytes = segment_bytes(i);
    end = std::min<uint64_t>(end, bytes.size());
    for (uint64_t at = offset + kFrameHeaderSize; at + kRecordHeaderSize <= end;) {
      const RecordHeader r = decode_record_header(bytes.data() + at);
      at += kRecordHeaderSize;
      if (r.payload_size > end - at) break;
      const Record record{r.type, r.version, r.effective_ns,
                          ByteView(bytes.data() + at, r.payload_size)};
      at += r.payload_size;
      for (std::string& name : hooks_.describe(record)) {
        if (p.subjects.size() >= kVerifySubjectsMax) {
          p.subjects_more = true;
          return;
        }
        if (std::find(p.subjects.begin(), p.subjects.end(), name) == p.subjects.end()) {
          p.subjects.push_back(std::move(name));
        }
      }
    }
  }

  // Damage whose extent is known once valid data resumes at `seq_next`.
  void close_pending(uint64_t seq_next) {
    VerifyProblem& p = *pending_;
    if (seq_next > p.seq_first) {
      p.seq_last = seq_next - 1;
      p.what += p.seq_last == p.seq_first
                    ? std::string("; its event is unreadable")
                    : fmt::format("; {} events unreadable", p.seq_last - p.seq_first + 1);
    } else if (p.check == "frame") {
      p.seq_first = p.seq_last = 0;
      p.what += "; no event is lost (the bytes stand between frames)";
    }
    report_.add(std::move(p));
    pending_.reset();
  }

  void flush_pending() {
    if (!pending_) return;
    if (pending_->seq_last >= pending_->seq_first && pending_->seq_last != 0) {
      pending_->what += fmt::format("; sequence {}..{} (as its damaged header says) unreadable",
                                    pending_->seq_first, pending_->seq_last);
    } else {
      pending_->what += fmt::format(
          "; the events from sequence {} on in this segment are "
          "unreadable",
          pending_->seq_first);
    }
    report_.add(std::move(*pending_));
    pending_.reset();
  }

  Syscalls& sys_;
  const std::vector<SegmentFile>& segments_;
  const VerifyHooks& hooks_;
  VerifyReport& report_;
  bool known_ = false;  // Whether seq_next_ and chain_ are known (not after damage).
  uint64_t seq_next_ = 0;
  uint64_t chain_ = 0;
  int64_t recorded_ns_ = INT64_MIN;
  bool commit_ended_ = true;
  uint64_t open_commit_events_ = 0;
  std::optional<VerifyProblem> pending_;
  Bytes segment_bytes_;
  size_t bytes_segment_ = SIZE_MAX;
  uint64_t bytes_before_ = 0;
  uint64_t bytes_total_ = 0;
};

// Whether the log check found the bytes of `segment` damaged or out of place; its index cannot
// be rebuilt then, and the damage is already reported.
bool damaged(const VerifyReport& report, const fs::path& segment) {
  const auto& problems = report.problems();
  return std::any_of(problems.begin(), problems.end(), [&](const VerifyProblem& p) {
    return p.file == segment &&
           (p.check == "frame" || p.check == "chain" || p.check == "sequence" ||
            p.check == "segment" || p.check == "time");
  });
}

// How a stored index differs from a rebuilt one, in words.
std::string index_difference(const SegmentIndex& stored, const SegmentIndex& built) {
  if (stored.base_seq != built.base_seq) {
    return fmt::format("it is for a segment starting at sequence {}, not {}", stored.base_seq,
                       built.base_seq);
  }
  if (stored.file_size != built.file_size) {
    return fmt::format("it describes {} bytes of segment, the segment has {}", stored.file_size,
                       built.file_size);
  }
  if (stored.frames != built.frames || stored.seq_last != built.seq_last) {
    return fmt::format("it lists {} frames through sequence {}, the segment has {} through {}",
                       stored.frames, stored.seq_last, built.frames, built.seq_last);
  }
  return "its time ranges or block entries differ from the segment's";
}

}  // namespace

Status verify_log(Syscalls& sys, const std::vector<SegmentFile>& segments, const VerifyHooks& hooks,
                  VerifyReport& report) {
  report.ran("log");
  LogVerifier(sys, segments, hooks, report).run();
  return Status::ok();
}

Status verify_indexes(Syscalls& sys, const std::vector<SegmentFile>& segments,
                      VerifyReport& report) {
  report.ran("indexes");
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const fs::path path = index_path(segments[i]);
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      ++report.counts.indexes_missing;
      continue;
    }
    auto built = damaged(report, segments[i].path)
                     ? Result<SegmentIndex>(Status(ErrorCode::kCorruption, "damaged"))
                     : build_segment_index(sys, segments, i);
    if (!built) {
      ++report.counts.indexes_skipped;
      continue;
    }
    ++report.counts.indexes_checked;
    for (IndexEntry& e : built->entries) e.position.segment = 0;
    VerifyProblem p =
        make_problem("index", path, std::nullopt, built->base_seq, built->seq_last, "");
    auto bytes = read_file(sys, path);
    auto stored = bytes ? decode_segment_index(*bytes) : Result<SegmentIndex>(bytes.status());
    if (!stored) {
      p.what = fmt::format("wrong time index: it does not decode ({})", stored.status().message());
    } else if (!(*stored == *built)) {
      p.what = fmt::format("stale time index: {}", index_difference(*stored, *built));
    } else {
      ++report.counts.indexes_current;
      continue;
    }
    p.what +=
        "; an index is derived data and can be rebuilt from its segment: no event is "
        "affected";
    report.add(std::move(p));
  }
  return Status::ok();
}

Status verify_trees(Syscalls& sys, const std::vector<SegmentFile>& segments,
                    VerifyReport& report) {
  if (segments.empty() || segments.front().base_seq != 1) return Status::ok();
  report.ran("trees");
  std::vector<util::merkle::Hash> peaks;
  uint64_t next_seq = 1;
  for (size_t i = 0; i < segments.size(); ++i) {
    // From a damaged segment or a gap on, the log check has said what is wrong.
    if (damaged(report, segments[i].path) || segments[i].base_seq != next_seq) return Status::ok();
    const fs::path path = tree_path(segments[i]);
    std::error_code ec;
    const bool stored_exists = fs::exists(path, ec);
    const std::vector<util::merkle::Hash> before = peaks;
    auto built = build_segment_tree(sys, segments, i, before);
    if (!built) return Status::ok();
    peaks = built->peaks;
    next_seq = built->seq_last + 1;
    if (!stored_exists) continue;
    VerifyProblem p =
        make_problem("index", path, std::nullopt, built->base_seq, built->seq_last, "");
    auto bytes = read_file(sys, path);
    auto stored = bytes ? decode_segment_tree(*bytes) : Result<SegmentTree>(bytes.status());
    // The newest segment's tree may describe a prefix of it: compared with one of that prefix.
    const bool newest = i + 1 == segments.size();
    if (stored && newest && stored->file_size < built->file_size) {
      auto start = segment_tree_start(sys, segments, i, before);
      if (!start) return Status::ok();
      built = extend_segment_tree(sys, segments, i, std::move(*start), stored->file_size);
      if (!built) return Status::ok();
    }
    if (!stored) {
      p.what = fmt::format("wrong Merkle tree file: it does not decode ({})",
                           stored.status().message());
    } else if (!(*stored == *built)) {
      p.what = "wrong Merkle tree file: its hashes differ from the events of its segment";
    } else {
      continue;
    }
    p.what +=
        "; the tree's nodes are derived data and can be hashed again from the log: no event is "
        "affected";
    report.add(std::move(p));
  }
  return Status::ok();
}

namespace {

// A sealed segment's index: the stored one if it describes this very file, else one built in
// memory. Nothing is written.
Result<SegmentIndex> sealed_index(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                  size_t i) {
  if (auto bytes = read_file(sys, index_path(segments[i]))) {
    auto idx = decode_segment_index(*bytes);
    if (idx && idx->base_seq == segments[i].base_seq &&
        idx->file_size == size_of(segments[i].path)) {
      return std::move(*idx);
    }
  }
  return build_segment_index(sys, segments, i);
}

void add_range(LogStats& stats, uint64_t seq_first, uint64_t seq_last, int64_t recorded_min,
               int64_t recorded_max) {
  if (stats.seq_first == 0) stats.seq_first = seq_first;
  stats.seq_last = seq_last;
  stats.events += seq_last - seq_first + 1;
  if (!stats.recorded_first_ns) stats.recorded_first_ns = recorded_min;
  stats.recorded_last_ns = recorded_max;
}

// Whether the last frame of a sealed segment ends a commit. Read from the index's last entry
// (a frame boundary) to the end of the file, so only the last stride of the segment.
Result<bool> ends_with_commit_end(Syscalls& sys, const SegmentFile& segment,
                                  const SegmentIndex& idx) {
  uint64_t offset = idx.entries.back().position.offset;
  for (;;) {
    auto frame = read_frame_at(sys, segment, offset);
    if (!frame) return frame.status();
    auto header = decode_frame_header(*frame);
    if (!header) return header.status();
    offset += header->length;
    if (offset >= idx.file_size) return header->ends_commit();
  }
}

}  // namespace

Result<LogStats> log_stats(Syscalls& sys, const std::vector<SegmentFile>& segments) {
  LogStats stats;
  stats.segments = segments.size();
  for (const SegmentFile& s : segments) stats.segment_bytes += size_of(s.path);
  if (segments.empty()) return stats;
  // A commit that has not ended (a crash, or a failed write, in a commit that rolled segments)
  // may begin in a sealed segment: the tail read as a reader reads it begins after the last
  // sealed segment that ends with a commit's end.
  std::vector<SegmentIndex> sealed;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    auto idx = sealed_index(sys, segments, i);
    if (!idx) return idx.status();
    sealed.push_back(std::move(*idx));
  }
  size_t tail = sealed.size();
  while (tail > 0) {
    if (sealed[tail - 1].empty()) {
      --tail;
      continue;
    }
    auto ends = ends_with_commit_end(sys, segments[tail - 1], sealed[tail - 1]);
    if (!ends) return ends.status();
    if (*ends) break;
    --tail;
  }
  for (size_t i = 0; i < tail; ++i) {
    const SegmentIndex& idx = sealed[i];
    if (idx.empty()) continue;
    stats.frames += idx.frames;
    add_range(stats, idx.base_seq, idx.seq_last, idx.recorded_min_ns, idx.recorded_max_ns);
  }
  auto start = segment_start(sys, segments, tail);
  if (!start) return start.status();
  LogReader reader(sys, segments, *start);
  for (;;) {
    auto frame = reader.next();
    if (!frame) return frame.status();
    if (*frame == nullptr) break;
    const FrameHeader& h = (*frame)->header;
    ++stats.frames;
    add_range(stats, h.seq_first, h.seq_last(), h.recorded_ns, h.recorded_ns);
  }
  return stats;
}

}  // namespace ledger::store
