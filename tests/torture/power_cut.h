#pragma once
// A power cut, simulated from strace's record of what a command did to the data directory.
//
// What survives is what POSIX promises: a file keeps the bytes it had at its last fdatasync or
// fsync (what was written later may be lost, and its size may have grown first, so the tail
// holds garbage or zeros instead); a name created, renamed or removed survives only once its
// directory was fsync'd afterwards. Everything the directory held before the command is taken
// as durable: the driver cuts the power after every command, so nothing unsynced carries over.

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "torture/model.h"

namespace ledger::torture {

namespace fs = std::filesystem;

// The strace options that record what PowerCut needs (add -o FILE).
std::vector<std::string> power_cut_trace_options();

struct PowerCutReport {
  uint64_t bytes_dropped = 0;
  uint64_t garbage_bytes = 0;
  uint64_t names_reverted = 0;
  uint64_t names_kept = 0;       // Changed names that survived without a directory sync.
  uint64_t calls_parsed = 0;    // Trace lines read as calls; 0 means the trace did not parse.
  bool changed() const { return bytes_dropped + garbage_bytes + names_reverted > 0; }
};

class PowerCut {
 public:
  // `before` is a copy of `dir` taken before the command; `trace` strace's log of it.
  PowerCut(fs::path dir, fs::path before) : dir_(std::move(dir)), before_(std::move(before)) {}

  // Reads the trace and changes `dir` in place into what a power cut at the end of the trace
  // leaves. Outcomes are mixed, as on a real disk: each file written keeps all it was given,
  // a prefix of its unsynced part, or only what was synced (then with a garbage or zero tail,
  // or none); each changed name (a rename's two names together) survives or is reverted.
  PowerCutReport apply(const fs::path& trace, Rng& rng);

 private:
  struct FileState {
    uint64_t size_bytes = 0;
    uint64_t synced_bytes = 0;
    bool written = false;
  };
  void on_call(const std::string& name, const std::vector<std::string>& args, int64_t result,
               const std::string& result_path);
  void on_open(const fs::path& path, const std::string& flags);
  void on_rename(const fs::path& from, const fs::path& to);
  void on_remove(const fs::path& path);
  void on_sync(const fs::path& path);
  FileState& file(const fs::path& path);
  bool existed_before(const fs::path& path) const;
  fs::path before_path(const fs::path& path) const;

  void revert_names(Rng& rng, PowerCutReport& report);
  void cut_files(Rng& rng, PowerCutReport& report);

  fs::path dir_;
  fs::path before_;
  std::map<fs::path, FileState> files_;
  std::set<fs::path> pending_;  // Names changed since their directory was last synced.
  std::map<fs::path, fs::path> partner_;  // A rename's other name: both survive or neither.
  uint64_t calls_parsed_ = 0;
  std::set<fs::path> known_;  // Names that exist now, as far as the trace tells.
};

}  // namespace ledger::torture
