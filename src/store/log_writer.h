#pragma once
// The single writer of a log. It holds the directory lock, recovers the tail on open, and appends
// commits: one or more frames that become visible, to readers and to recovery, only once the
// last frame (flagged as the end of its commit) is written and synced.
//
//   auto writer = LogWriter::open(dir, options, report);
//   writer->begin(expected_last_seq);
//   writer->add(record); ... writer->end_frame(); writer->add(record); ...
//   auto info = writer->commit();   // or writer->abandon(): the log is as it was.
//
// After any failed write, sync or truncate, the writer refuses everything (the file's state is
// unknown); a new writer recovers the log.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "store/archive.h"
#include "store/dir_lock.h"
#include "store/log_cursor.h"
#include "store/record.h"
#include "store/recovery.h"

namespace ledger::store {

struct LogOptions {
  // A segment rolls to a new file once it holds at least this many bytes.
  uint64_t segment_size_bytes_max = 8u << 20;
  std::chrono::milliseconds lock_wait{5000};
  Syscalls* syscalls = nullptr;             // Null: the real system calls.
  std::function<int64_t()> clock_ns;        // Null: CLOCK_REALTIME.
  // The ledger's time zone, for the header of the first segment. Later segments repeat the
  // zone of the one before; a version 1 segment (which names none) is followed at once by a
  // new one that records this zone.
  std::string zone = "UTC";
};

struct CommitInfo {
  uint64_t seq_first = 0;
  uint64_t seq_last = 0;
  int64_t recorded_ns = 0;
  uint32_t frames = 0;
};

class LogWriter {
 public:
  static Result<std::unique_ptr<LogWriter>> open(const std::filesystem::path& dir,
                                                 LogOptions options, RecoveryReport& report);
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // The version of the log: the sequence number of the last committed event, 0 when empty.
  uint64_t last_seq() const { return committed_.seq_next - 1; }
  // The zone the log records (LogOptions::zone for a log that records none yet).
  const std::string& zone() const { return zone_; }
  int64_t last_recorded_ns() const { return committed_.recorded_ns; }

  // Starts a commit. With `expected_last_seq`, refuses (kConflict) if another commit came first.
  // The recorded time is the clock's, raised if needed so that it never decreases along the log.
  Status begin(std::optional<uint64_t> expected_last_seq = std::nullopt);
  int64_t commit_recorded_ns() const { return recorded_ns_; }
  // Adds an event to the current frame. Its effective time may not be after the recorded time.
  Status add(const Record& record);
  // Within a commit: the frames from here on are recorded at `recorded_ns` (not before the
  // current one), the open frame being closed first. For a copy of a log, whose events keep
  // the times they were recorded at.
  Status set_recorded_ns(int64_t recorded_ns);
  // Closes the current frame; the next add() starts another one.
  void end_frame() { frame_closed_ = true; }
  // Writes the open frame now (it does not end the commit), so that last_frame() names it.
  Status flush_frame();
  // The last frame this writer wrote, if any: where a snapshot of the state after it can point.
  const std::optional<FrameMark>& last_frame() const { return last_frame_; }
  // The segments as this writer knows them (rolls included), oldest first.
  const std::vector<SegmentFile>& segments() const { return segments_; }
  Result<CommitInfo> commit();
  // Drops the open commit; whatever of it reached the files is cut back.
  Status abandon();
  // Bytes the newest segment holds, its header included.
  uint64_t newest_segment_bytes() const { return tail_.offset; }
  // Between commits: seals the newest segment now, before it is full (the next frame starts a
  // new one), and writes its time index. For a bulk write, whose events are then read through
  // the sealed segments' indexes rather than by a scan of the newest segment. Does nothing when
  // the newest segment holds no frame.
  Status seal_newest();

  // Compaction's store side (see store/archive.h): archives, or purges, the sealed segments
  // whose events all have seq < before_seq (never the one holding the last event), under this
  // writer's lock, and keeps the writer's
  // list of segments in step. Not while a commit is open. An I/O error is sticky, as for a
  // commit: the directory is left readable (old layout, new, or both copies of one segment),
  // and a new writer, or a second run, finishes the job.
  Result<ArchiveReport> archive_segments(uint64_t before_seq, ArchiveMode mode,
                                         const ArchiveProgressFn& progress = {});

  // A one-frame commit.
  Result<CommitInfo> append(std::span<const Record> records,
                            std::optional<uint64_t> expected_last_seq = std::nullopt);

 private:
  LogWriter(std::filesystem::path dir, LogOptions options, DirLock lock, RecoveredLog log);
  Status fail(Status status);
  Status write_frame(bool ends_commit);
  Status roll();
  void index_sealed_segments(size_t segments_before);
  void store_tree(size_t i);
  void checkpoint_tree(const LogPosition& before);
  Status relist_segments();
  int64_t now_ns() const;

  std::filesystem::path dir_;
  LogOptions options_;
  Syscalls& sys_;
  DirLock lock_;
  std::vector<SegmentFile> segments_;
  File active_;                  // The newest segment, open for writing.
  LogPosition committed_;        // The end of the last commit.
  size_t committed_segments_ = 0;
  LogPosition tail_;             // Where the next frame goes.
  Status failed_;                // Sticky: once set, every call returns it.

  bool in_commit_ = false;
  int64_t recorded_ns_ = 0;
  uint64_t commit_seq_first_ = 0;
  uint32_t frames_written_ = 0;
  Bytes frame_;                  // The frame being filled: header space, then records.
  std::string zone_;             // What new segment headers record.
  bool roll_for_zone_ = false;   // The newest segment is version 1: the next frame rolls.
  uint32_t frame_count_ = 0;
  int64_t frame_effective_min_ = 0;
  int64_t frame_effective_max_ = 0;
  bool frame_closed_ = false;
  std::optional<FrameMark> last_frame_;
  std::optional<FrameMark> committed_frame_;
};

}  // namespace ledger::store
