#pragma once
// The store's side of compaction: sealed segments that lie wholly before a sequence number given
// by the caller move into <dir>/archive/ as zstd-compressed copies (and stay readable through
// SegmentSource), or, when purging, are deleted behind a durable PURGED marker that says where
// the log now legitimately begins. The store knows nothing of snapshots: the caller passes the
// sequence number after the state it keeps.
//
// Crash safety: every step leaves the old layout, the new one, or (for the one segment being
// archived) both copies of it; each reads as the same events. A second run finishes the job.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "store/dir_lock.h"
#include "store/log_cursor.h"

namespace ledger::store {

// zstd level of archive files. On a 32 MiB segment of imported events, level 1 gave 4.2x at
// about 275 MB/s; level 9 only 4.4x at 42 MB/s, and level 3 less than level 1 (3.99x).
inline constexpr int kArchiveZstdLevel = 1;

enum class ArchiveMode {
  kArchive,  // Compress into archive/; the events stay readable.
  kPurge,    // Delete (live and archived copies); the log then begins later.
};

struct ArchiveProgress {
  uint64_t segments_done = 0;
  uint64_t segments_total = 0;
  uint64_t bytes_in = 0;   // Segment bytes handled so far.
  uint64_t bytes_out = 0;  // Archive bytes written so far (0 when purging).
  std::string segment;     // The segment just handled, as display_name() says it.
};
using ArchiveProgressFn = std::function<void(const ArchiveProgress&)>;

struct ArchiveReport {
  uint64_t segments = 0;       // Segments archived or purged by this run.
  uint64_t bytes_in = 0;       // Their uncompressed size.
  uint64_t bytes_out = 0;      // The archive files written for them.
  uint64_t stale_removed = 0;  // Archive copies of live segments (a crashed run's) deleted.
  uint64_t first_seq = 1;      // The first sequence number of the log afterwards.
};

// Archives (or purges) every sealed segment of `dir` whose events all have seq < before_seq,
// never the newest segment. A purge stops at the last such segment that ends at a commit
// boundary, so the log never begins inside a commit. It must run under the writer's lock, which
// `lock` stands for; use LogWriter::archive_segments(), which also keeps the writer's view of its
// segments in step. A sealed segment that does not read back whole is corruption; nothing of it
// is moved.
Result<ArchiveReport> archive_segments(Syscalls& sys, const DirLock& lock,
                                       const std::filesystem::path& dir, uint64_t before_seq,
                                       ArchiveMode mode, const ArchiveProgressFn& progress = {});

}  // namespace ledger::store
