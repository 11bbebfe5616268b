#pragma once
// Reads a log without any lock, while a writer may be appending. It yields only frames of
// complete commits: a frame whose commit has not ended (yet, or ever) is not visible, and a
// torn tail is the end. Damage followed by good data is an error naming the place.

#include <algorithm>
#include <filesystem>

#include "store/log_cursor.h"

namespace ledger::store {

class LogReader {
 public:
  // A reader at the first frame of the log in `dir` (an absent directory is an empty log).
  static Result<LogReader> open(const std::filesystem::path& dir, Syscalls* sys = nullptr);
  // A reader at a known frame boundary of the same segments.
  LogReader(Syscalls& sys, std::vector<SegmentFile> segments, LogPosition start);

  // The next visible frame, or nullptr at the end of what is committed.
  Result<const FrameRef*> next();
  const LogPosition& position() const { return cursor_.position(); }
  // Frames not ending a commit for which `pass` says true come with their header only (see
  // LogCursor::set_pass_over); the caller must leave them out.
  void pass_over(std::function<bool(const FrameHeader&)> pass) {
    cursor_.set_pass_over(std::move(pass));
  }
  // For a caller that knows from elsewhere that the events up to `seq` are committed (a writer
  // under the lock reading sealed segments: recovery and its own commits made them so): their
  // frames are handed out without reading ahead to their commit's end, which for one commit
  // across many segments (an import) meant skimming every later segment for each one read. A
  // log that ends or is torn before `seq` is then corruption.
  void assume_committed_through(uint64_t seq) {
    visible_through_seq_ = std::max(visible_through_seq_, seq);
  }
  const std::vector<SegmentFile>& segments() const { return cursor_.segments(); }
  // The first sequence number the log holds: 1, or later once a purge deleted its beginning.
  uint64_t first_seq() const { return cursor_.first_seq(); }
  size_t bytes_read() const { return cursor_.bytes_read() + lookahead_bytes_; }

 private:
  explicit LogReader(LogCursor cursor) : cursor_(std::move(cursor)) {}
  // Reads ahead to the end of the commit that the current frame belongs to.
  Result<bool> commit_completes();

  LogCursor cursor_;
  uint64_t visible_through_seq_ = 0;  // Every frame up to here belongs to a complete commit.
  size_t lookahead_bytes_ = 0;
};

}  // namespace ledger::store
