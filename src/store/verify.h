#pragma once
// The store's half of `ledger verify`: checks that read a log end to end and report every
// problem they find, going on past damage, instead of stopping at the first one as a reader
// does. Each check is a function that adds to a VerifyReport; the layers above run them in turn
// and add checks of their own (event decoding and replay, snapshots, derived indexes).
// Nothing here writes, locks or rebuilds anything.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/log_cursor.h"
#include "store/record.h"

namespace ledger::store {

// A bound on what a report keeps, so that a log of garbage cannot exhaust memory; the total
// is still counted.
inline constexpr size_t kVerifyProblemsMax = 1000;
// A bound on the names collected for one problem (what its records concern).
inline constexpr size_t kVerifySubjectsMax = 20;

struct VerifyProblem {
  std::string check;           // What kind: "frame", "chain", "sequence", "time", "segment",
                               // "index", "event", "replay", ...
  std::filesystem::path file;  // The file at fault (a segment or an index); empty if none.
  std::optional<uint64_t> offset;
  uint64_t seq_first = 0;  // The sequence numbers touched; 0 when unknown.
  uint64_t seq_last = 0;
  std::optional<int64_t> effective_min_ns;  // The effective times touched, where known.
  std::optional<int64_t> effective_max_ns;
  // What the records concern, named by the caller's describer (the ledger: account ids).
  std::vector<std::string> subjects;
  bool subjects_unverified = false;  // Read from records whose checksum failed.
  std::string what;
  bool subjects_more = false;  // More than kVerifySubjectsMax: the rest are left out.
};

// A problem of kind `check` at `file` (and `offset`), touching sequence numbers
// seq_first..seq_last (0: unknown); the rest is filled in where it is known.
VerifyProblem make_problem(std::string check, std::filesystem::path file,
                           std::optional<uint64_t> offset, uint64_t seq_first, uint64_t seq_last,
                           std::string what);

struct VerifyCounts {
  uint64_t segments = 0;
  uint64_t segment_bytes = 0;
  uint64_t frames = 0;     // Frames that passed every check of the log.
  uint64_t events = 0;     // Their events.
  uint64_t seq_first = 0;  // Of the first and last verified events; 0 when none.
  uint64_t seq_last = 0;
  uint64_t indexes_checked = 0;  // Sealed segments whose stored index was compared.
  uint64_t indexes_current = 0;  // ... and matched a rebuild.
  uint64_t indexes_missing = 0;  // Sealed segments without a stored index (built when needed).
  uint64_t indexes_skipped = 0;  // Not compared: their segment is damaged (reported as such).
};

class VerifyReport {
 public:
  void add(VerifyProblem problem);
  // A problem found after others that come after it in the report (verify answers some rules
  // of the timeline once the replay is over): placed as if added when `found_before` problems
  // had been, within the bound on what is kept.
  void insert(size_t found_before, VerifyProblem problem);
  // Problems placed past every one kept: counted only.
  void count_unlisted(size_t problems) { problems_total_ += problems; }
  // Something worth saying that is not a failure (an unfinished write at the tail).
  void note(std::string text) { notes_.push_back(std::move(text)); }
  // Records that a check ran, so that a report can say what was checked.
  void ran(std::string check) { checks_.push_back(std::move(check)); }

  bool ok() const { return problems_total_ == 0; }
  const std::vector<VerifyProblem>& problems() const { return problems_; }
  size_t problems_total() const { return problems_total_; }
  const std::vector<std::string>& notes() const { return notes_; }
  const std::vector<std::string>& checks() const { return checks_; }
  // Whether any problem of this kind was found.
  bool found(std::string_view check) const;

  VerifyCounts counts;

 private:
  std::vector<VerifyProblem> problems_;
  size_t problems_total_ = 0;
  std::vector<std::string> notes_;
  std::vector<std::string> checks_;
};

// What the log check needs from the layer above; every member may be empty.
struct VerifyHooks {
  // Names what a record concerns (the ledger: its accounts), best effort, for the problems of
  // damaged frames. Its input may be damaged: it must never trust it.
  std::function<std::vector<std::string>(const Record&)> describe;
  // Sees every frame that passed the log's checks, in log order (the domain's checks).
  std::function<void(const FrameRef&, const std::filesystem::path& segment, VerifyReport&)> frame;
  // Bytes of segment files done so far, out of the total.
  std::function<void(uint64_t done, uint64_t total)> progress;
  // The sequence number the log must start at: 1, until compaction may purge its beginning.
  std::optional<uint64_t> seq_start_expected;
};

// Every frame of every segment: checksums, the chain within and across segments (each segment
// header against the last frame before it), sequence continuity (gaps, overlaps, missing
// segment files), recorded times never decreasing. After damage it resumes at the next valid
// frame or segment and names what lies between. An unfinished write or commit at the very end
// of the log is a note, not a problem: it is what a crash leaves, and the next write cuts it.
// Fails only when the directory cannot be listed.
Status verify_log(Syscalls& sys, const std::vector<SegmentFile>& segments, const VerifyHooks& hooks,
                  VerifyReport& report);

// Every sealed segment's stored time index (.idx) against one rebuilt from the segment in
// memory. A missing index is not a problem (it is built when needed); a stale or wrong one is,
// and the problem says that it is derived data. Segments the log check found damaged are
// skipped here: their damage is already reported.
Status verify_indexes(Syscalls& sys, const std::vector<SegmentFile>& segments,
                      VerifyReport& report);

// Every stored Merkle tree file (.tre) against the tree hashed again from the log, segment by
// segment from the first. Missing ones are not a problem; a wrong one is, and is derived
// data like an index. Stops at the first damaged segment (the log check reports it), and
// checks nothing in a purged log (its tree cannot be hashed again).
Status verify_trees(Syscalls& sys, const std::vector<SegmentFile>& segments, VerifyReport& report);

// What the segment files hold, from their headers and time indexes, without decoding events.
struct LogStats {
  uint64_t segments = 0;
  uint64_t segment_bytes = 0;
  uint64_t frames = 0;
  uint64_t events = 0;
  uint64_t seq_first = 0;  // 0 when the log is empty.
  uint64_t seq_last = 0;
  std::optional<int64_t> recorded_first_ns;
  std::optional<int64_t> recorded_last_ns;
};

// Sealed segments are summed from their stored indexes (or, where one is missing or stale, an
// index built in memory: nothing is written); the newest segment is read as a reader reads it,
// so only complete commits count.
Result<LogStats> log_stats(Syscalls& sys, const std::vector<SegmentFile>& segments);

}  // namespace ledger::store
