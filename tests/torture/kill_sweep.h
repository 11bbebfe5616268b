#pragma once
// The exact-syscall kill sweep of the crash mode, kept for the whole run (not per seed), so that
// every (kind of command, syscall) is walked k = 1, 2, ... until the command no longer reaches
// its k-th call of that syscall. The coverage table printed at the end says how far each cell got.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "torture/model.h"

namespace ledger::torture {

class KillSweep {
 public:
  // The syscalls a kill can land on: every call that changes a file or a name, and openat.
  static const std::vector<const char*>& syscalls();
  // Every kind of command the model can make, close and compact --purge included.
  static const std::vector<OpKind>& kinds();

  OpKind op_kind() const { return kinds()[kind_]; }
  const char* syscall() const { return syscalls()[syscall_]; }
  uint64_t k() const { return cells_[kind_][syscall_].next_k; }
  std::vector<std::string> wrapper() const;

  // The command was killed at call k (signal 9): the cell's next k is k + 1.
  void landed();
  // The command finished before its k-th call: the cell is complete (every k up to k - 1 was
  // killed), and the sweep moves to the next cell that is not complete.
  void missed();

  bool complete() const;
  // How long after the sweep began its last cell was completed.
  std::optional<std::chrono::seconds> completed_after() const { return completed_after_; }
  uint64_t cells_complete() const;
  uint64_t cells_total() const { return kinds().size() * syscalls().size(); }
  // One line per kind: for each syscall "N" (killed at every k = 1..N, then ran to the end:
  // complete), "N+" (killed at 1..N, not finished yet) or "-" (never reached).
  std::string table() const;

 private:
  struct Cell {
    uint64_t next_k = 1;
    uint64_t killed_max = 0;  // Every k up to this was killed, in this pass or an earlier one.
    bool complete = false;
  };
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::optional<std::chrono::seconds> completed_after_;
  size_t kind_ = 0;
  size_t syscall_ = 0;
  std::vector<std::vector<Cell>> cells_ =
      std::vector<std::vector<Cell>>(kinds().size(), std::vector<Cell>(syscalls().size()));
};

}  // namespace ledger::torture
