#include "store/recovery.h"

#include <fcntl.h>

#include <fmt/format.h>

#include "store/snapshot_file.h"
#include "store/time_index.h"

namespace ledger::store {

namespace fs = std::filesystem;

std::string RecoveryReport::describe() const {
  if (!cut) return {};
  std::string text = fmt::format("recovered: cut {} bytes at the tail of the log", bytes_cut);
  if (frames_cut > 0) {
    text += fmt::format(" ({} frames, {} events of a commit that never finished)", frames_cut,
                        events_cut);
  }
  if (!reason.empty()) text += fmt::format("; {}", reason);
  return text;
}

namespace {

struct TailScan {
  bool found_commit_end = false;
  LogPosition committed;  // After the last commit-end frame seen, else the scan's start.
  uint64_t frames_after = 0;
  uint64_t events_after = 0;
  std::string torn_reason;
};

// Follows `cursor` to the end of the log, noting in `scan` the last commit end it passes.
Status follow(LogCursor& cursor, TailScan& scan) {
  for (;;) {
    switch (cursor.next()) {
      case LogCursor::Step::kFrame:
        if (cursor.frame().header.ends_commit()) {
          scan.found_commit_end = true;
          scan.committed = cursor.position();
          scan.frames_after = scan.events_after = 0;
        } else {
          ++scan.frames_after;
          scan.events_after += cursor.frame().header.count;
        }
        continue;
      case LogCursor::Step::kEnd:
        return Status::ok();
      case LogCursor::Step::kTornTail: {
        const LogProblem& p = cursor.problem();
        scan.torn_reason = fmt::format("torn write at {} offset {}: {}",
                                       p.segment.filename().string(), p.offset, p.what);
        return Status::ok();
      }
      case LogCursor::Step::kCorrupt:
        return corruption_status(cursor.problem());
    }
  }
}

// Scans from the start of segment `first` to the end of the log.
Result<TailScan> scan_tail(Syscalls& sys, const std::vector<SegmentFile>& segments, size_t first) {
  auto start = segment_start(sys, segments, first);
  if (!start) return start.status();
  TailScan scan;
  scan.committed = *start;
  auto header = read_segment_header(sys, segments, first);
  if (!header) return header.status();
  scan.committed.offset = header->size();
  LogCursor cursor(sys, segments, *start);
  LEDGER_RETURN_IF_ERROR(follow(cursor, scan));
  return scan;
}

// A crash can tear only what was written after the last sync. A snapshot is published only
// once the commit holding its frame is synced, so the frames up to the newest snapshot's were
// durable before it existed: when that frame is in the newest segment, the scan for the tail
// starts after it, instead of at the segment's start (up to 8 MiB read and
// hashed by every write). Damage before that point is left to `ledger verify`, as it is in
// sealed segments.
std::optional<TailScan> scan_from_snapshot(Syscalls& sys, const fs::path& dir,
                                           const std::vector<SegmentFile>& segments) {
  std::vector<std::string> problems;
  const std::vector<uint64_t> seqs = snapshot_seqs(dir, problems);
  if (seqs.empty()) return std::nullopt;
  auto info = read_snapshot_info(sys, dir, seqs.back());
  if (!info || info->meta.segment_base != segments.back().base_seq) return std::nullopt;
  auto after = check_against_log(sys, segments, info->meta);
  if (!after) return std::nullopt;
  auto file = File::open(sys, segments.back().path, O_RDONLY);
  if (!file) return std::nullopt;
  Bytes bytes(kFrameHeaderSize);
  auto n = file->read_at(info->meta.frame_offset, bytes);
  if (!n || *n != bytes.size()) return std::nullopt;
  auto header = decode_frame_header(bytes);
  if (!header) return std::nullopt;
  // A snapshot inside an import ends a frame, not the commit; the commit was synced whole
  // before the snapshot was written, so the scan must find its end, or it starts over.
  TailScan scan;
  scan.found_commit_end = header->ends_commit();
  scan.committed = *after;
  LogCursor cursor(sys, segments, *after);
  if (!follow(cursor, scan) || !scan.found_commit_end) return std::nullopt;
  return scan;
}

// Scans from the newest segment; steps back only while the scan finds no commit end, which
// happens when an unfinished commit spans a segment roll.
Result<TailScan> find_tail(Syscalls& sys, const fs::path& dir,
                           const std::vector<SegmentFile>& segments) {
  if (auto scan = scan_from_snapshot(sys, dir, segments)) return *scan;
  size_t first = segments.size() - 1;
  Result<TailScan> scan = scan_tail(sys, segments, first);
  while (scan && !scan->found_commit_end && first > 0) scan = scan_tail(sys, segments, --first);
  return scan;
}


// A segment after the one where the last commit ended, whose header continues the log exactly
// there, was begun ahead of its first frame: sealed by LogWriter::seal_newest, or rolled to by a
// commit that never ended. Its header is whole (written under a temporary name, then renamed)
// and belongs to the log: the log ends at its start, and a cut keeps it. (Removing it would make
// the sealed segment before it the newest again, to be appended to while its account index,
// built when it was sealed, says otherwise; and compaction may have archived it.)
std::optional<LogPosition> begun_segment_end(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                             const LogPosition& end) {
  if (end.segment + 1 >= segments.size() || segments[end.segment + 1].archived) return std::nullopt;
  if (!segments[end.segment].archived) {
    std::error_code ec;
    if (fs::file_size(segments[end.segment].path, ec) != end.offset || ec) return std::nullopt;
  }
  auto header = read_segment_header(sys, segments, end.segment + 1);
  if (!header || header->base_seq != end.seq_next || header->prev_checksum != end.chain) {
    return std::nullopt;
  }
  return LogPosition{end.segment + 1, header->size(), end.seq_next, end.chain, end.recorded_ns};
}

}  // namespace

Status cut_log_back(Syscalls& sys, const fs::path& dir, std::vector<SegmentFile>& segments,
                    size_t keep, uint64_t end_offset, RecoveryReport& report) {
  // Newest first, so that a crash in the middle leaves a log that recovers the same way.
  bool removed = false;
  while (segments.size() > keep) {
    std::error_code ec;
    const auto size = fs::file_size(segments.back().path, ec);
    if (!ec) report.bytes_cut += size;
    ++report.segments_removed;
    forget_segment_index(sys, segments.back());
    if (sys.unlink(segments.back().path.c_str()) != 0) {
      return errno_status("unlink", segments.back().path, errno);
    }
    segments.pop_back();
    removed = true;
  }
  if (removed) LEDGER_RETURN_IF_ERROR(sync_dir(sys, dir));
  if (segments.empty()) return Status::ok();
  if (segments.back().archived) {
    // Only sealed segments before the writer's last commit are archived, so a cut never
    // reaches one; if it would, the log is not what the writer left.
    return {ErrorCode::kCorruption,
            fmt::format("corrupt log: the tail to cut ends in the archived segment {}",
                        display_name(segments.back().path))};
  }
  auto file = File::open(sys, segments.back().path, O_RDWR);
  if (!file) return file.status();
  auto size = file->size();
  if (!size) return size.status();
  if (*size > end_offset) {
    report.bytes_cut += *size - end_offset;
    forget_segment_index(sys, segments.back());
    LEDGER_RETURN_IF_ERROR(file->truncate(end_offset));
    LEDGER_RETURN_IF_ERROR(file->sync_data());
  }
  return Status::ok();
}

Result<RecoveredLog> recover_log(Syscalls& sys, const fs::path& dir, RecoveryReport& report) {
  report = {};
  // Temp files are what a crash left of an atomic publish (a new segment's header, an index,
  // an archive file, the PURGED marker); the rename never happened, so nothing refers to them.
  // They are found by the listing of the segments.
  std::vector<fs::path> temp_files;
  std::vector<fs::path> loose_derived;
  auto listed = list_segments(dir, &temp_files, &loose_derived);
  if (!listed) return listed.status();
  for (const fs::path& temp : temp_files) (void)sys.unlink(temp.c_str());
  // Indexes kept beside their segments by an older version move into index/ (derived data: a
  // move lost to a crash is made again by the next write, and a stale index is rebuilt).
  if (!loose_derived.empty() && create_private_dir(sys, dir / kIndexDirName)) {
    for (const fs::path& file : loose_derived) {
      (void)sys.rename(file.c_str(), (dir / kIndexDirName / file.filename()).c_str());
    }
  }
  RecoveredLog log{std::move(*listed), {}};
  // The log must begin where it should (at 1, or where a purge left it) before anything is
  // appended to it.
  auto start = log_start(sys, dir, log.segments);
  if (!start) return start.status();
  if (log.segments.empty()) return log;
  if (log.segments.back().archived) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("corrupt log: the newest segment {} is archived; the segment being "
                              "written must be live",
                              display_name(log.segments.back().path)));
  }

  Result<TailScan> scan = find_tail(sys, dir, log.segments);
  if (!scan) return scan.status();

  log.end = scan->committed;
  if (auto begun = begun_segment_end(sys, log.segments, log.end)) log.end = *begun;
  std::error_code ec;
  const bool clean_end = scan->frames_after == 0 && scan->torn_reason.empty() &&
                         log.end.segment + 1 == log.segments.size() &&
                         fs::file_size(log.segments.back().path, ec) == log.end.offset && !ec;
  if (clean_end) return log;
  // A bit flipped on its way from the disk makes a good frame look torn, and cutting there
  // would drop an acknowledged commit (found by the store simulation, seed 69). A torn tail is
  // on the disk and reads the same every time; a transient read error does not. So the tail
  // is read a second time, and cut only if both reads end the log at the same place. (Two reads
  // damaged alike would still cut; that is as rare as the square of one.)
  Result<TailScan> again = find_tail(sys, dir, log.segments);
  if (!again) return again.status();
  if (again->committed != scan->committed || again->frames_after != scan->frames_after) {
    return Status(ErrorCode::kIoError,
                  fmt::format("two reads of the tail of the log in {} disagree (a failing disk "
                              "or cable?); nothing was cut",
                              dir.string()));
  }
  report.cut = true;
  report.frames_cut = scan->frames_after;
  report.events_cut = scan->events_after;
  report.reason = scan->torn_reason;
  LEDGER_RETURN_IF_ERROR(
      cut_log_back(sys, dir, log.segments, log.end.segment + 1, log.end.offset, report));
  return log;
}

}  // namespace ledger::store
