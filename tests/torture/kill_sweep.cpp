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
  static const std::vector<OpKind> list = {OpKind::kOpen,     OpKind::kDeposit,
                                           OpKind::kWithdraw, OpKind::kTransfer,
                                           OpKind::kImport,   OpKind::kSnapshot,
                                           OpKind::kCompact};
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
  // Next cell in (kind, syscall) order that is not complete; once all are, start over so that
  // a long run keeps killing (the table stays complete).
  const size_t n = cells_total();
  for (size_t step = 1; step <= n; ++step) {
    const size_t i = (kind_ * syscalls().size() + syscall_ + step) % n;
    const size_t kind = i / syscalls().size(), call = i % syscalls().size();
    if (!cells_[kind][call].complete || step == n) {
      kind_ = kind;
      syscall_ = call;
      if (cells_[kind][call].complete) cells_[kind][call].next_k = 1;  // A second pass.
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
  std::string out = fmt::format("torture-coverage: {:<10}", "kind");
  for (const char* s : syscalls()) out += fmt::format(" {:>9}", s);
  out += '\n';
  for (size_t kind = 0; kind < kinds().size(); ++kind) {
    out += fmt::format("torture-coverage: {:<10}", op_kind_name(kinds()[kind]));
    for (const Cell& c : cells_[kind]) {
      const uint64_t killed = c.killed_max;
      const std::string cell = c.complete            ? fmt::format("{}", killed)
                               : killed > 0          ? fmt::format("{}+", killed)
                                                     : std::string("-");
      out += fmt::format(" {:>9}", cell);
    }
    out += '\n';
  }
  for (const char* missing : {"close", "compact --purge"}) {
    out += fmt::format("torture-coverage: {:<10} not in the model: never swept\n", missing);
  }
  return out;
}

}  // namespace ledger::torture
