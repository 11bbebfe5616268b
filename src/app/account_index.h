#pragma once
// The account index: for each sealed segment, `<digits>.acx` beside its time index, a sorted run
// (store/sorted_run.h) holding
//   - a first entry, key (0, 0), value_a = 2: the format (format 1 had neither it nor the
//     openings and closings below, and is built again);
//   - a posting per account that an event moves money for: key (high = account_key(id),
//     low = seq), value_a = effective time, value_b = the signed amount (two's complement);
//   - an entry per opening or closing: key (high = account_key(id), low = seq | 2^63),
//     value_a = effective time, value_b = 0 (so that `--at` of one account needs no .eff);
//   - an entry per frame: key (high = 0, low = the frame's last sequence number),
//     value_a = the frame's offset in the segment, value_b = its first sequence number.
// A statement then reads, per segment, one account's postings and only the frames of the lines
// it prints, instead of decoding every event of the log. It is derived data: rebuilt when
// missing or when it does not describe its segment, checked by `ledger verify`, and never
// trusted over the log: every line a statement prints is read from the log and must agree.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"
#include "store/log_cursor.h"
#include "store/sorted_run.h"

namespace ledger::app {

inline constexpr const char* kAccountIndexSuffix = ".acx";
// Beside each .acx, the same segment's events in effective order (for `--at`): a sorted run of
//   key (high = effective time, low = seq << 2 | side), value_a = account_key, value_b = the
//   signed amount; side 0 and 1 are a posting (1: a transfer's receiving side), and side
//   kEffectiveOtherSide marks an opening or closing, to be read from the log.
inline constexpr const char* kEffectiveIndexSuffix = ".eff";
inline constexpr uint64_t kEffectiveOtherSide = 2;

// XXH3-64 of the id; never 0, which keys the frame entries.
uint64_t account_key(std::string_view id);

struct Posting {
  uint64_t seq = 0;
  int64_t effective_ns = 0;
  int64_t amount = 0;  // Signed: what the event did to the account's balance.
  bool other = false;  // An opening or a closing (amount 0): read the event from the log.
};

struct EffectiveEntry {
  uint64_t seq = 0;
  int64_t effective_ns = 0;
  uint64_t account_key = 0;
  int64_t amount = 0;
  bool other = false;  // An opening or a closing: read the event from the log.
};

struct FrameLocation {
  uint64_t offset = 0;
  uint64_t seq_first = 0;
  uint64_t length = 0;  // From the next frame's offset; 0 for a segment's last frame.
};

std::filesystem::path account_index_path(const store::SegmentFile& segment);
// Whether `status`, from opening or reading a segment's account index, says that the index
// cannot serve: missing (kNotFound) or damaged or stale (kCorruption, noted in `warnings`), so
// the log answers instead. Any other error is the caller's.
bool index_cannot_serve(const store::SegmentFile& segment, const Status& status,
                        std::vector<std::string>& warnings);
// Whether an .acx file is of the format this version writes (older ones are built again).
bool is_current_format(const store::SortedRun& account_index);
std::filesystem::path effective_index_path(const std::filesystem::path& account_index);

// Who opens an index: a query only reads (a missing or stale index is kNotFound, and the caller
// reads the log instead); a write builds and stores one that is missing or stale.
// kBuild is for a writer under the lock only: it takes the sealed segments it is given as
// committed (see build_account_index).
enum class IndexUse { kReadOnly, kBuild };
// Which of a segment's two index files a reader opens: a statement needs the postings (and
// frames) of .acx alone, a balance --at the effective order of .eff alone; each file left
// unopened is one open and three reads less per segment. A method of a file not opened fails
// (kInternal). A build opens both.
enum class IndexParts { kBoth, kPostings, kEffective };

class SegmentAccountIndex {
 public:
  // The index of sealed segment `index` (not the newest). With kBuild, built and stored if it is
  // missing or does not describe the segment; storing is best effort: without write access to
  // the data directory a copy built in a temporary file serves once.
  static Result<SegmentAccountIndex> open(store::Syscalls& sys,
                                          const std::vector<store::SegmentFile>& segments,
                                          size_t index, IndexUse use,
                                          IndexParts parts = IndexParts::kBoth);

  // Appends the postings of the account with `key` to `out`, in sequence order; with
  // `with_others`, then its openings and closings too.
  Status postings(uint64_t key, std::vector<Posting>& out, bool with_others = false) const;
  // Hints to the kernel what open(), postings(key) and frames_of(seqs) will read, so that a
  // question about many segments has the disk read each step for all of them together.
  static void will_need_to_open(store::Syscalls& sys,
                                const std::vector<store::SegmentFile>& segments, size_t index);
  void will_need_postings(uint64_t key) const;
  void will_need_frames(std::span<const uint64_t> seqs) const;
  // Whether segment `index`'s account index begins in the page cache (SortedRun::header_cached).
  static bool cached(store::Syscalls& sys, const std::vector<store::SegmentFile>& segments,
                     size_t index);
  // The frame holding event `seq`.
  Result<FrameLocation> frame_of(uint64_t seq) const;
  // The frames holding events `seqs` (ascending), in their order: one seek for all of them.
  Result<std::vector<FrameLocation>> frames_of(std::span<const uint64_t> seqs) const;
  // Appends the entries of events after `seq_after` effective at or before `at_ns`.
  Status effective_through(int64_t at_ns, uint64_t seq_after,
                           std::vector<EffectiveEntry>& out) const;
  // Checks every block of the index file (for `ledger verify`).
  Status verify() const {
    if (run_) LEDGER_RETURN_IF_ERROR(run_->verify());
    return effective_ ? effective_->verify() : Status::ok();
  }
  bool rebuilt() const { return rebuilt_; }

 private:
  SegmentAccountIndex(std::optional<store::SortedRun> run,
                      std::optional<store::SortedRun> effective, bool rebuilt)
      : run_(std::move(run)), effective_(std::move(effective)), rebuilt_(rebuilt) {}
  Status need(const std::optional<store::SortedRun>& part) const;
  std::optional<store::SortedRun> run_;
  std::optional<store::SortedRun> effective_;
  bool rebuilt_ = false;
};

// Reads sealed segment `index` and writes its account index to `path`. `known_committed`: the
// caller is a writer under the lock, for which the sealed segment is committed (no read ahead
// to each commit's end); a reader that may race a writer (verify) passes false.
Status build_account_index(store::Syscalls& sys, const std::vector<store::SegmentFile>& segments,
                           size_t index, const std::filesystem::path& path, bool known_committed);

}  // namespace ledger::app
