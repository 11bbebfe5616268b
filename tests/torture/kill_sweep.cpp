#include "torture/kill_sweep.h"

#include <fmt/format.h>

#include <algorithm>

namespace ledger::torture {

const std::vector<const char*>& KillSweep::syscalls() {
  static const std::vector<const char*> list = {"pwrite64", "fdatasync", "fsync",     "rename",
                                                "unlink",   "mkdir",     "ftruncate", "openat"};
  return list;
}

const std::vector<OpKind>& KillSweep::kinds() {
  static const std::vector<OpKind> list = {
      OpKind::kOpen,   OpKind::kDeposit,  OpKind::kWithdraw, OpKind::kTransfer, OpKind::kClose,
      OpKind::kImport, OpKind::kSnapshot, OpKind::kCompact,  OpKind::kPurge};
  return list;
}

std::vector<std::string> KillSweep::wrapper() const {
  return {"strace", "-f", "-qq", "-o", "/dev/null", "-e",
          fmt::format("inject={}:signal=KILL:when={}", syscall(), k())};
}

void KillSweep::landed() {
  Cell& c = cells_[kind_][syscall_];
  c.killed_max = std::max(c.killed_max, c.next_k);
  ++c.next_k;
}

void KillSweep::missed() {
  cells_[kind_][syscall_].complete = true;
  if (complete() && !completed_after_) {
    completed_after_ = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - start_);
  }
  // Next cell in (kind, syscall) order that is not complete; once all are, the next cell all
  // the same, from k = 1, so that a long run keeps killing every kind (the table stays
  // complete).
  const size_t n = cells_total();
  const size_t here = kind_ * syscalls().size() + syscall_;
  for (size_t step = 1; step <= n; ++step) {
    const size_t i = (here + step) % n;
    const size_t kind = i / syscalls().size(), call = i % syscalls().size();
    if (!cells_[kind][call].complete || complete()) {
      kind_ = kind;
      syscall_ = call;
      if (cells_[kind][call].complete) cells_[kind][call].next_k = 1;  // A further pass.
      return;
    }
  }
}

bool KillSweep::complete() const { return cells_complete() == cells_total(); }

uint64_t KillSweep::cells_complete() const {
  uint64_t n = 0;
  for (const auto& row : cells_) {
    for (const Cell& c : row) n += c.complete ? 1 : 0;
  }
  return n;
}

std::string KillSweep::table() const {
  std::string out = fmt::format("torture-coverage: {:<15}", "kind");
  for (const char* s : syscalls()) out += fmt::format(" {:>9}", s);
  out += '\n';
  for (size_t kind = 0; kind < kinds().size(); ++kind) {
    out += fmt::format("torture-coverage: {:<15}", op_kind_name(kinds()[kind]));
    for (const Cell& c : cells_[kind]) {
      const uint64_t killed = c.killed_max;
      const std::string cell = c.complete            ? fmt::format("{}", killed)
                               : killed > 0          ? fmt::format("{}+", killed)
                                                     : std::string("-");
      out += fmt::format(" {:>9}", cell);
    }
    out += '\n';
  }
  return out;
}

}  // namespace ledger::torture
