#pragma once
// Walks the frames of a log across its segment files, checking each frame on its own (checksum,
// structure) and against the one before it (the checksum chain, sequence numbers, recorded
// time). It detects and describes; what to do about a bad frame (cut it, refuse, report and go
// on) is the caller's decision.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/file.h"
#include "store/format.h"
#include "store/segment_source.h"

namespace ledger::store {

// The segments of `dir` in log order: live ones (<dir>/<name>) and archived ones
// (<dir>/archive/<name>.zst), each marked. A segment that is both live and archived (a crash
// between the two steps of archiving it) is listed once, live; its archive copy is ignored.
// A missing directory is an empty log.
// With `temp_files`, also the *.tmp files of the same two folders, in the same listing; with
// `loose_derived`, the derived files of live segments (.idx, .acx, .eff) found in <dir> itself,
// where versions before index/ kept them.
Result<std::vector<SegmentFile>> list_segments(
    const std::filesystem::path& dir, std::vector<std::filesystem::path>* temp_files = nullptr,
    std::vector<std::filesystem::path>* loose_derived = nullptr);

// The PURGED marker of `dir`, if there is one. A damaged marker is corruption.
Result<std::optional<PurgeMarker>> read_purge_marker(Syscalls& sys,
                                                     const std::filesystem::path& dir);

// Where the next frame is expected, and what it must chain to.
struct LogPosition {
  size_t segment = 0;       // Index into the segment list.
  uint64_t offset = 0;      // Byte offset in that segment file.
  uint64_t seq_next = 1;    // Sequence number the next frame must start with.
  uint64_t chain = 0;       // Checksum of the frame before it.
  int64_t recorded_ns = INT64_MIN;  // Recorded time of the frame before it.

  friend bool operator==(const LogPosition&, const LogPosition&) = default;
};

// The header of segment `index`, checked (a failure names the segment).
Result<SegmentHeader> read_segment_header(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                          size_t index);
// The time zone the log records: the newest segment's. Nothing for an empty log, or one whose
// newest segment is of format version 1 (which recorded none).
Result<std::optional<std::string>> recorded_zone(Syscalls& sys,
                                                 const std::vector<SegmentFile>& segments);
// The same for the log in `dir`, from the names of its segment files alone: every command asks
// for the zone before it reads, and a list of every segment as a path costs a query about a
// tenth of a millisecond at a hundred segments.
Result<std::optional<std::string>> recorded_zone(Syscalls& sys, const std::filesystem::path& dir);
// Where segment `index` begins, as its header says (offset 0: a cursor there reads the header).
Result<LogPosition> segment_start(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                  size_t index);

// A frame's place and identity: enough to find it again and prove it is the same frame.
struct FrameMark {
  uint64_t segment_base = 0;
  uint64_t offset = 0;
  uint64_t next_offset = 0;  // Where the frame after it starts.
  uint64_t seq_last = 0;
  uint64_t checksum = 0;
  int64_t recorded_ns = 0;
  int64_t effective_max_ns = INT64_MIN;

  friend bool operator==(const FrameMark&, const FrameMark&) = default;
};

// Where the log of `dir` begins: at the start of its first segment, which holds sequence 1
// unless the PURGED marker says that the history before it was purged (a purge that did not
// finish may leave older segments than the marker names; they are read). A first segment that
// begins later without such a marker is corruption ("segment ... is missing"), and so is a
// marker without any segment.
Result<LogPosition> log_start(Syscalls& sys, const std::filesystem::path& dir,
                              const std::vector<SegmentFile>& segments);

struct FrameRef {
  FrameHeader header;
  ByteView bytes;       // The whole frame; valid until the cursor moves.
  size_t segment = 0;
  uint64_t offset = 0;
};

FrameMark mark_of(const FrameRef& frame, const std::vector<SegmentFile>& segments);

struct LogProblem {
  std::filesystem::path segment;
  uint64_t offset = 0;
  uint64_t seq = 0;  // The sequence number expected at that place.
  std::string what;
};

// The whole frame at `offset` of `segment` (live or archived), checked on its own (checksum,
// records); its place in the chain is the caller's to know (e.g. from a derived index).
Result<Bytes> read_frame_at(Syscalls& sys, const SegmentFile& segment, uint64_t offset);
// The same through a source already open on `segment`, for a caller that reads several frames
// of one segment (one open file, not one per frame). With the frame's length, when the caller
// knows it (from the offset of the frame after it), one read instead of two; a wrong length
// costs the two reads, never a wrong frame.
Result<Bytes> read_frame_at(const SegmentSource& source, const SegmentFile& segment,
                            uint64_t offset, uint64_t length_hint = 0);

// "corrupt log: <segment> offset 123 (sequence 45): <what>".
Status corruption_status(const LogProblem& problem);

class LogCursor {
 public:
  enum class Step {
    kFrame,     // frame() is the next valid frame.
    kEnd,       // The log ends cleanly here.
    kTornTail,  // The bytes from position() on are an unfinished write: nothing valid follows.
    kCorrupt,   // problem() describes damage that is followed by data, or a broken chain.
  };

  // A cursor at the first frame of the log (see log_start()).
  static Result<LogCursor> at_start(Syscalls& sys, std::vector<SegmentFile> segments);
  // A cursor at a known frame boundary, e.g. from the time index or a snapshot.
  LogCursor(Syscalls& sys, std::vector<SegmentFile> segments, LogPosition start);

  Step next();
  // Skimming: frames that do not end a commit are checked by their headers only (chain links,
  // sequence numbers) and not read; frame().bytes is then empty. Commit-end frames are read and
  // verified whole. The writer syncs a commit's earlier frames before writing its end frame,
  // so a valid end frame proves the commit complete; a reader still verifies every frame it
  // delivers.
  void set_skim(bool skim) { skim_ = skim; }
  // Frames that do not end a commit and for which `pass` says true are skimmed too: a query
  // that leaves out whatever its header rules out (e.g. everything effective after --at) reads
  // a header instead of a frame.
  void set_pass_over(std::function<bool(const FrameHeader&)> pass) { pass_over_ = std::move(pass); }
  const FrameRef& frame() const { return frame_; }
  const LogProblem& problem() const { return problem_; }
  // Where the frame after the current one starts (or where the problem is).
  const LogPosition& position() const { return position_; }
  const std::vector<SegmentFile>& segments() const { return segments_; }
  size_t bytes_read() const { return bytes_read_; }
  // The first sequence number the listed segments hold: 1, or later after a purge.
  uint64_t first_seq() const { return segments_.empty() ? 1 : segments_.front().base_seq; }
  Syscalls* sys() const { return sys_; }

 private:
  Step open_segment(size_t index);
  Step corrupt(std::string what);
  Step check_chain(const FrameHeader& header);
  Step advance(const FrameHeader& header, ByteView bytes, uint64_t offset);
  Step bad_frame(std::string what, const unsigned char* header_bytes, size_t header_avail);
  bool valid_data_follows(const unsigned char* header_bytes, size_t header_avail);
  // Makes buffer hold file bytes [offset, offset + n) if the file has them; returns how many
  // of those n bytes it holds.
  Result<size_t> fill(uint64_t offset, size_t n);

  Syscalls* sys_;
  std::vector<SegmentFile> segments_;
  LogPosition position_;
  SegmentSource file_;  // The segment being read, live or decompressed from the archive.
  size_t file_segment_ = SIZE_MAX;
  // Not a vector: zero-filling a 1 MiB buffer for every cursor would cost more than reading a
  // small log. Pages that pread never touches are never faulted in.
  std::unique_ptr<unsigned char[]> buffer_;
  size_t buffer_capacity_ = 0;
  uint64_t buffer_offset_ = 0;
  size_t buffer_size_ = 0;
  FrameRef frame_;
  LogProblem problem_;
  size_t bytes_read_ = 0;
  bool skim_ = false;
  std::function<bool(const FrameHeader&)> pass_over_;
  bool passing_ = false;  // The last frame was passed over: the next may be too, read little.
};

}  // namespace ledger::store
