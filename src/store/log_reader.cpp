#include "store/log_reader.h"

namespace ledger::store {

Result<LogReader> LogReader::open(const std::filesystem::path& dir, Syscalls* sys) {
  Syscalls& calls = sys ? *sys : real_syscalls();
  auto segments = list_segments(dir);
  if (!segments) return segments.status();
  auto start = log_start(calls, dir, *segments);
  if (!start) return start.status();
  return LogReader(LogCursor(calls, std::move(*segments), *start));
}

LogReader::LogReader(Syscalls& sys, std::vector<SegmentFile> segments, LogPosition start)
    : cursor_(sys, std::move(segments), start) {}

Result<const FrameRef*> LogReader::next() {
  switch (cursor_.next()) {
    case LogCursor::Step::kFrame: {
      const FrameHeader& header = cursor_.frame().header;
      if (header.ends_commit() || header.seq_last() <= visible_through_seq_) return &cursor_.frame();
      auto completes = commit_completes();
      if (!completes) return completes.status();
      if (!*completes) return nullptr;
      return &cursor_.frame();
    }
    case LogCursor::Step::kEnd:
      if (cursor_.position().seq_next <= visible_through_seq_) {
        return Status(ErrorCode::kCorruption,
                      "corrupt log: it ends inside a commit whose end frame was read before");
      }
      return nullptr;
    case LogCursor::Step::kTornTail:
      // Inside a commit whose end frame was already read and verified, the log cannot end: the
      // frames before that end frame were synced before it was written. Stopping here would
      // hand out part of a commit (found by the store simulation, seeds 89 and 101: a bit
      // flipped on read made a middle frame look torn). It is reported as damage instead.
      if (cursor_.position().seq_next <= visible_through_seq_) {
        LogProblem problem = cursor_.problem();
        problem.what = "a frame of a commit whose end frame was read fails now: " + problem.what;
        return corruption_status(problem);
      }
      return nullptr;
    case LogCursor::Step::kCorrupt:
      return corruption_status(cursor_.problem());
  }
  return Status(ErrorCode::kInternal, "unreachable");
}

// Commits of one frame never come here. For a commit of many frames, this first skims ahead
// through frame headers to its end frame, so that memory stays bounded by a frame, not a
// commit, and bodies are read once, when they are delivered. A verified end frame that the
// skimmed headers link up to settles it. Anything else (a torn tail, a frame that does not
// link) may come from an unread, damaged frame, so it is judged again by a full read.
Result<bool> LogReader::commit_completes() {
  for (const bool skim : {true, false}) {
    LogCursor ahead(*cursor_.sys(), cursor_.segments(), cursor_.position());
    ahead.set_skim(skim);
    LogCursor::Step step;
    while ((step = ahead.next()) == LogCursor::Step::kFrame && !ahead.frame().header.ends_commit()) {
    }
    lookahead_bytes_ += ahead.bytes_read();
    if (step == LogCursor::Step::kFrame) {
      visible_through_seq_ = ahead.frame().header.seq_last();
      return true;
    }
    if (skim) continue;
    if (step == LogCursor::Step::kCorrupt) return corruption_status(ahead.problem());
    return false;
  }
  return false;
}

}  // namespace ledger::store
