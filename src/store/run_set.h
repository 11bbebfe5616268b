#pragma once
// A run set: a directory of sorted runs (store/sorted_run.h) that together cover the sequence
// numbers 1..N of the log contiguously, for an index derived from the log (the ledger-wide ref
// index). Each run is named "<seq_first>-<seq_last>.run", both numbers zero-padded to 20 digits,
// so that `ls` sorts them oldest first. Lookups ask the newest run first, so a key written again
// later shadows its older entry.
//
// Adding and merging. add() writes the entries of sequence numbers N+1..M as a new run, then,
// while the newest run holds at least half as many entries as the run before it, merges those
// two into one run covering both ranges. Each run then holds more than twice the entries of the
// next newer one, so a set of E entries has at most about log2(E) + 2 runs, and an entry is
// rewritten O(log E) times over its life.
//
// The crash rule: runs are only ever added whole (temp file, fdatasync, rename, fsync of the
// directory) and a merge's inputs are deleted only after its output is durable. So after a crash
// the directory holds, besides *.tmp leftovers (ignored, and removed by the next add), runs whose
// ranges either chain or nest: a merged run contains exactly the ranges of its two inputs. On
// open, a run whose range lies inside another run's range is obsolete (its entries are all in
// the larger run, which was made from it) and is ignored; the next add() deletes it. What is left
// must start at 1 and chain without gap or overlap; anything else (a gap, a partial overlap, a
// run that fails its checks, more than kRunSetRunsMax runs) is an error: the set is derived data,
// and the caller rebuilds it (remove_all(), then add() from the log). A crash therefore never
// leaves a gap: at every instant, every acknowledged range is covered by some run on disk.
//
// One writer at a time: add() and remove_all() must run under the ledger's lock. Readers need
// none: they see whole runs only, and open() lists the directory again (a bounded number of
// times) when a run it listed was deleted by a writer's merge before it could open it.

#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "store/sorted_run.h"

namespace ledger::store {

inline constexpr const char* kRunSuffix = ".run";
// Far above log2 of any entry count a run can hold, so more runs mean a damaged directory.
inline constexpr size_t kRunSetRunsMax = 128;

// The file name of the run covering seq_first..seq_last.
std::string run_file_name(uint64_t seq_first, uint64_t seq_last);
// The range in a run's file name, or nullopt if `name` is not one.
std::optional<RunMeta> parse_run_file_name(std::string_view name);

class RunSet {
 public:
  // Lists and opens the runs of `dir` (a missing directory is an empty set).
  static Result<RunSet> open(Syscalls& sys, const std::filesystem::path& dir);
  static Result<RunSet> open(const std::filesystem::path& dir) {
    return open(real_syscalls(), dir);
  }
  // Deletes every run and temp file of `dir`, for a rebuild of a set that would not open.
  static Status remove_all(Syscalls& sys, const std::filesystem::path& dir);

  // N: the runs cover sequence numbers 1..N (0 for an empty set).
  uint64_t covered_through() const { return runs_.empty() ? 0 : runs_.back().meta().seq_last; }
  // The entry of `key` in the newest run holding it.
  Result<std::optional<RunEntry>> lookup(RunKey key) const;
  // Adds the entries (in strictly increasing key order, possibly none) of sequence numbers
  // seq_first..seq_last, where seq_first must be covered_through() + 1, then merges. Once it
  // returns ok, the entries are durable. After an I/O error the set refuses every later add: the
  // directory is still a readable set (see the crash rule), to be opened again.
  Status add(const std::vector<RunEntry>& sorted_entries, uint64_t seq_first, uint64_t seq_last);
  // The same, with the entries pulled one at a time (nullopt after the last), so that a caller
  // whose entries do not fit in memory can stream them; an error of `next` fails the add.
  using EntrySource = std::function<Result<std::optional<RunEntry>>()>;
  Status add_streamed(const EntrySource& next, uint64_t seq_first, uint64_t seq_last);
  // Deletes every run and temp file; the set is then empty.
  Status remove_all();
  // Checks every block of every run.
  Status verify() const;

  // Looks up keys asked in ascending order, sweeping each run (SortedRun::Sweep): what lookup()
  // answers, for a caller with many keys. The set must not change while a sweep is in use.
  class Sweep {
   public:
    explicit Sweep(const RunSet& set);
    // Keys must not descend.
    Result<std::optional<RunEntry>> find(RunKey key);

   private:
    std::vector<SortedRun::Sweep> runs_;  // Newest first.
  };

  const std::filesystem::path& dir() const { return dir_; }
  // Oldest first.
  const std::vector<SortedRun>& runs() const { return runs_; }
  // Runs found inside another run's range, ignored and left for the next add() to delete.
  const std::vector<std::filesystem::path>& obsolete() const { return obsolete_; }

 private:
  RunSet(Syscalls& sys, std::filesystem::path dir) : sys_(&sys), dir_(std::move(dir)) {}
  static Result<RunSet> open_once(Syscalls& sys, const std::filesystem::path& dir);
  Status tidy();
  Status merge_newest_two();
  Status check_open() const;

  Syscalls* sys_ = nullptr;
  std::filesystem::path dir_;
  std::vector<SortedRun> runs_;
  std::vector<std::filesystem::path> obsolete_;
  std::vector<std::filesystem::path> temps_;
  Status failed_;
};

}  // namespace ledger::store
