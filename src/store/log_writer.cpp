#include "store/log_writer.h"

#include <fcntl.h>
#include <time.h>

#include <algorithm>
#include <fmt/format.h>

#include "store/segment_tree.h"
#include "store/time_index.h"
#include "util/endian.h"

namespace ledger::store {

namespace fs = std::filesystem;

namespace {
// seal_frame() stored the frame's checksum in its first eight bytes.
uint64_t header_checksum(const Bytes& frame) { return util::get<uint64_t>(frame.data()); }
}  // namespace

Result<std::unique_ptr<LogWriter>> LogWriter::open(const fs::path& dir, LogOptions options,
                                                   RecoveryReport& report) {
  Syscalls& sys = options.syscalls ? *options.syscalls : real_syscalls();
  LEDGER_RETURN_IF_ERROR(create_private_dir(sys, dir));
  auto lock = DirLock::acquire(sys, dir, options.lock_wait);
  if (!lock) return lock.status();
  auto log = recover_log(sys, dir, report);
  if (!log) return log.status();
  std::unique_ptr<LogWriter> writer(
      new LogWriter(dir, std::move(options), std::move(*lock), std::move(*log)));
  writer->zone_ = writer->options_.zone;
  if (!writer->segments_.empty()) {
    auto file = File::open(sys, writer->segments_.back().path, O_RDWR);
    if (!file) return file.status();
    writer->active_ = std::move(*file);
    auto head = read_segment_head(sys, writer->segments_.back(), kSegmentHeaderSize);
    if (!head) return head.status();
    auto header = decode_segment_header(*head);
    if (!header) return header.status();  // Recovery read it a moment ago.
    if (header->format_version >= 2) {
      writer->zone_ = header->zone;
    } else {
      writer->roll_for_zone_ = true;
    }
  }
  return writer;
}

LogWriter::LogWriter(fs::path dir, LogOptions options, DirLock lock, RecoveredLog log)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      sys_(options_.syscalls ? *options_.syscalls : real_syscalls()),
      lock_(std::move(lock)),
      segments_(std::move(log.segments)),
      committed_(log.end),
      committed_segments_(segments_.size()),
      tail_(log.end) {}

LogWriter::~LogWriter() {
  if (in_commit_) (void)abandon();
}

int64_t LogWriter::now_ns() const {
  if (options_.clock_ns) return options_.clock_ns();
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

Status LogWriter::fail(Status status) {
  if (failed_.is_ok()) failed_ = status;
  return status;
}

Status LogWriter::begin(std::optional<uint64_t> expected_last_seq) {
  if (!failed_) return failed_;
  if (in_commit_) return {ErrorCode::kInternal, "begin: a commit is already open"};
  if (expected_last_seq && *expected_last_seq != last_seq()) {
    return {ErrorCode::kConflict,
            fmt::format("the log moved on: expected version {}, it is at {}", *expected_last_seq,
                        last_seq())};
  }
  in_commit_ = true;
  recorded_ns_ = std::max(now_ns(), committed_.recorded_ns);
  commit_seq_first_ = tail_.seq_next;
  frames_written_ = 0;
  frame_.assign(kFrameHeaderSize, 0);
  frame_count_ = 0;
  frame_closed_ = false;
  return Status::ok();
}

Status LogWriter::set_recorded_ns(int64_t recorded_ns) {
  if (!failed_) return failed_;
  if (!in_commit_) return {ErrorCode::kInternal, "set_recorded_ns: no commit is open"};
  if (recorded_ns < recorded_ns_) {
    return {ErrorCode::kInvalidArgument, "recorded times may not go back along the log"};
  }
  if (recorded_ns == recorded_ns_) return Status::ok();
  if (frame_count_ > 0) LEDGER_RETURN_IF_ERROR(write_frame(false));
  recorded_ns_ = recorded_ns;
  return Status::ok();
}

Status LogWriter::add(const Record& record) {
  if (!failed_) return failed_;
  if (!in_commit_) return {ErrorCode::kInternal, "add: no commit is open"};
  if (record.effective_ns > recorded_ns_) {
    return {ErrorCode::kInvalidArgument, "an event's effective time is after its recorded time"};
  }
  if (record.payload.size() > kPayloadSizeMax) {
    return {ErrorCode::kInvalidArgument,
            fmt::format("event payload of {} bytes exceeds {}", record.payload.size(),
                        kPayloadSizeMax)};
  }
  const size_t record_size = kRecordHeaderSize + record.payload.size();
  if (frame_count_ > 0 && (frame_closed_ || frame_.size() + record_size > kFrameSizeMax)) {
    LEDGER_RETURN_IF_ERROR(write_frame(false));
  }
  if (frame_count_ == 0) {
    frame_effective_min_ = frame_effective_max_ = record.effective_ns;
  }
  frame_effective_min_ = std::min(frame_effective_min_, record.effective_ns);
  frame_effective_max_ = std::max(frame_effective_max_, record.effective_ns);
  const size_t at = frame_.size();
  frame_.resize(at + record_size);
  encode_record_header({record.type, record.version,
                        static_cast<uint32_t>(record.payload.size()), record.effective_ns},
                       frame_.data() + at);
  std::copy(record.payload.begin(), record.payload.end(), frame_.begin() + at + kRecordHeaderSize);
  ++frame_count_;
  return Status::ok();
}

Status LogWriter::write_frame(bool ends_commit) {
  if (!active_.is_open() || roll_for_zone_ ||
      (tail_.offset >= options_.segment_size_bytes_max && tail_.offset > kSegmentHeaderSize)) {
    LEDGER_RETURN_IF_ERROR(roll());
  }
  FrameHeader header;
  header.length = static_cast<uint32_t>(frame_.size());
  header.prev_checksum = tail_.chain;
  header.seq_first = tail_.seq_next;
  header.count = frame_count_;
  header.flags = ends_commit ? kFlagCommitEnd : 0;
  header.recorded_ns = recorded_ns_;
  header.effective_min_ns = frame_effective_min_;
  header.effective_max_ns = frame_effective_max_;
  seal_frame(header, frame_.data());
  if (Status s = active_.write_at(tail_.offset, frame_); !s) return fail(s);
  last_frame_ = FrameMark{segments_.back().base_seq, tail_.offset, tail_.offset + frame_.size(),
                          header.seq_last(), header_checksum(frame_), recorded_ns_,
                          frame_effective_max_};
  tail_.offset += frame_.size();
  tail_.seq_next += frame_count_;
  tail_.chain = header_checksum(frame_);
  tail_.recorded_ns = recorded_ns_;
  ++frames_written_;
  frame_.resize(kFrameHeaderSize);
  frame_count_ = 0;
  frame_closed_ = false;
  return Status::ok();
}

Status LogWriter::flush_frame() {
  if (!failed_) return failed_;
  if (!in_commit_) return {ErrorCode::kInternal, "flush_frame: no commit is open"};
  return frame_count_ == 0 ? Status::ok() : write_frame(false);
}

Status LogWriter::roll() {
  // Segment N reaches the disk before N+1 exists, so a later segment proves N is whole.
  if (active_.is_open()) {
    if (Status s = active_.sync_data(); !s) return fail(s);
  }
  SegmentHeader header;
  header.base_seq = tail_.seq_next;
  header.prev_last_seq = tail_.seq_next - 1;
  header.prev_checksum = tail_.chain;
  header.created_ns = now_ns();
  header.zone = zone_;
  Bytes bytes(header.size());
  encode_segment_header(header, bytes.data());
  const fs::path path = dir_ / segment_file_name(header.base_seq);
  // A version 1 segment that holds no frame yet is replaced under the same name; the durable
  // replacement is what an abandoned commit cuts back to.
  const bool replaces = !segments_.empty() && segments_.back().base_seq == header.base_seq;
  if (replaces) {
    active_ = File();
    segments_.pop_back();
  }
  if (Status s = write_file_atomically(sys_, path, bytes); !s) return fail(s);
  roll_for_zone_ = false;
  auto file = File::open(sys_, path, O_RDWR);
  if (!file) return fail(file.status());
  active_ = std::move(*file);
  segments_.push_back({header.base_seq, path});
  tail_.segment = segments_.size() - 1;
  tail_.offset = header.size();
  if (replaces) committed_.offset = tail_.offset;
  return Status::ok();
}

Result<CommitInfo> LogWriter::commit() {
  if (!failed_) return failed_;
  if (!in_commit_) return Status(ErrorCode::kInternal, "commit: no commit is open");
  if (frame_count_ == 0) {
    (void)abandon();
    return Status(ErrorCode::kInvalidArgument, "an empty commit cannot be written");
  }
  // The earlier frames of the commit reach the disk before its end frame is written: so after
  // a crash, a commit-end frame proves everything before it was whole (see LogCursor).
  if (frames_written_ > 0) {
    if (Status s = active_.sync_data(); !s) return fail(s);
  }
  if (Status s = write_frame(true); !s) return s;
  if (Status s = active_.sync_data(); !s) return fail(s);
  in_commit_ = false;
  const LogPosition before = committed_;
  committed_ = tail_;
  committed_frame_ = last_frame_;
  index_sealed_segments(committed_segments_);
  committed_segments_ = segments_.size();
  checkpoint_tree(before);
  return CommitInfo{commit_seq_first_, tail_.seq_next - 1, recorded_ns_, frames_written_};
}

Status LogWriter::seal_newest() {
  if (!failed_) return failed_;
  if (in_commit_) return {ErrorCode::kInternal, "seal_newest: a commit is open"};
  if (!active_.is_open() || tail_.offset <= kSegmentHeaderSize) return Status::ok();
  LEDGER_RETURN_IF_ERROR(roll());
  committed_ = tail_;
  index_sealed_segments(committed_segments_);
  committed_segments_ = segments_.size();
  return Status::ok();
}

Status LogWriter::abandon() {
  if (!in_commit_) return Status::ok();
  in_commit_ = false;
  frame_.resize(kFrameHeaderSize);
  frame_count_ = 0;
  last_frame_ = committed_frame_;
  if (frames_written_ == 0) return Status::ok();
  if (!failed_) return failed_;
  active_ = File();
  RecoveryReport unused;
  if (Status s = cut_log_back(sys_, dir_, segments_, committed_segments_, committed_.offset, unused);
      !s) {
    return fail(s);
  }
  tail_ = committed_;
  if (segments_.empty()) return Status::ok();
  auto file = File::open(sys_, segments_.back().path, O_RDWR);
  if (!file) return fail(file.status());
  active_ = std::move(*file);
  return Status::ok();
}

// Segments sealed by a commit are indexed once it is durable, so that an abandoned commit never
// leaves an index behind. Readers rebuild a missing index, so a failure here costs only time.
void LogWriter::index_sealed_segments(size_t segments_before) {
  const size_t first = segments_before == 0 ? 0 : segments_before - 1;
  if (first + 1 < segments_.size()) remove_index_temp_files(sys_, dir_);  // A seal is rare.
  for (size_t i = first; i + 1 < segments_.size(); ++i) {
    if (auto idx = build_segment_index(sys_, segments_, i)) {
      store_segment_index(sys_, segments_[i], *idx);
    }
    store_tree(i);
  }
}

// Brings segment `i`'s stored tree up to the end of its file: on from its stored prefix (so each
// event is hashed once), else from the stored peaks of the segments before it, else (once, for a
// log written before trees were stored, or whose tree files were lost) from every missing tree
// from the first segment on.
void LogWriter::store_tree(size_t i) {
  if (segments_.front().base_seq != 1) return;  // Purged: the tree needs every leaf.
  if (std::optional<SegmentTree> stored = load_stored_tree(sys_, segments_[i], true)) {
    const uint64_t stored_last = stored->seq_last;
    // A prefix that no longer links to the file (it cannot, short of damage) is hashed anew.
    if (auto tree = extend_segment_tree(sys_, segments_, i, std::move(*stored), std::nullopt)) {
      if (tree->seq_last != stored_last) store_segment_tree(sys_, segments_[i], *tree);
      return;
    }
  }
  std::vector<util::merkle::Hash> before;
  if (i > 0) {
    std::optional<SegmentTree> prev = load_stored_tree(sys_, segments_[i - 1]);
    if (prev && prev->seq_last + 1 == segments_[i].base_seq) {
      before = std::move(prev->peaks);
    } else {
      auto trees = load_segment_trees(sys_, segments_, i, true);
      if (!trees || trees->size() != i || trees->back().seq_last + 1 != segments_[i].base_seq) {
        return;
      }
      before = trees->back().peaks;
    }
  }
  if (auto tree = build_segment_tree(sys_, segments_, i, before)) {
    store_segment_tree(sys_, segments_[i], *tree);
  }
}

// The newest segment's tree, once a commit crosses a multiple of kTreeCheckpointBytes in it:
// readers then hash at most that much of the log beyond stored nodes.
void LogWriter::checkpoint_tree(const LogPosition& before) {
  const uint64_t from = before.segment == committed_.segment ? before.offset : 0;
  if (committed_.offset / kTreeCheckpointBytes == from / kTreeCheckpointBytes) return;
  store_tree(committed_.segment);
}

Result<CommitInfo> LogWriter::append(std::span<const Record> records,
                                     std::optional<uint64_t> expected_last_seq) {
  LEDGER_RETURN_IF_ERROR(begin(expected_last_seq));
  for (const Record& record : records) {
    if (Status s = add(record); !s) {
      (void)abandon();
      return s;
    }
  }
  return commit();
}

}  // namespace ledger::store

namespace ledger::store {

Result<ArchiveReport> LogWriter::archive_segments(uint64_t before_seq, ArchiveMode mode,
                                                  const ArchiveProgressFn& progress) {
  if (!failed_) return failed_;
  if (in_commit_) return Status(ErrorCode::kInternal, "archive_segments: a commit is open");
  // The segment holding the last event stays live even when the newest one was begun after it
  // (seal_newest): a log keeps its head frame, from which readers learn where it ends.
  auto report = store::archive_segments(sys_, lock_, dir_, std::min(before_seq, last_seq()), mode,
                                        progress);
  // Whatever happened, the files of sealed segments may have moved or gone.
  if (Status s = relist_segments(); !s) return fail(s);
  if (!report && report.status().code() == ErrorCode::kIoError) return fail(report.status());
  // A tree file that could not be carried to archive/ (a crash, a failed write) is hashed
  // again now, as a missing time index is by the next reader: derived data, best effort.
  const size_t sealed = committed_segments_ > 0 ? committed_segments_ - 1 : 0;
  const bool tree_missing = std::any_of(segments_.begin(), segments_.begin() + sealed,
                                        [](const SegmentFile& segment) {
                                          std::error_code ec;
                                          return !std::filesystem::exists(tree_path(segment), ec);
                                        });
  if (report && tree_missing) (void)load_segment_trees(sys_, segments_, sealed, true);
  return report;
}

// Reads the segment list again after archiving: paths of sealed segments changed, and a purge
// removed segments from the front, so positions into the list move down with it.
Status LogWriter::relist_segments() {
  auto listed = list_segments(dir_);
  if (!listed) return listed.status();
  const size_t removed = segments_.size() - listed->size();
  if (listed->size() > segments_.size() || listed->empty() != segments_.empty() ||
      (!listed->empty() && (listed->back() != segments_.back() || removed > tail_.segment))) {
    return {ErrorCode::kInternal, "the segments changed under the writer while archiving"};
  }
  segments_ = std::move(*listed);
  committed_.segment -= removed;
  tail_.segment -= removed;
  committed_segments_ -= removed;
  return Status::ok();
}

}  // namespace ledger::store
