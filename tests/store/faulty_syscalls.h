#pragma once
// A fault-injecting Syscalls for the store tests: real system calls, except where a test asks
// for a short write, an EINTR or a failure.

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <optional>

#include "store/file.h"

namespace ledger::store::testing {

enum class Op { kOpen, kPread, kPwrite, kFdatasync, kFsync, kFtruncate, kRename, kUnlink };
constexpr size_t kOpCount = 8;

enum class Persistence { kOnce, kPersistent };

// Real system calls, except where a test asks for a fault. Calls are counted per kind; a fault
// fails the n-th call (of one kind, or of any kind) counted from when it was armed, once or
// from then on; writes can be cut short and calls interrupted with EINTR.
class FaultySyscalls : public Syscalls {
 public:
  // Fails the n-th call of `op` from now (1: the very next one) with `err`.
  void fail_nth(Op op, uint64_t n, int err, Persistence persistence = Persistence::kOnce) {
    fault_ = Fault{op, n, err, persistence == Persistence::kPersistent};
  }
  // Fails the n-th call from now, whatever its kind (reads excepted: they change nothing).
  void fail_nth_call(uint64_t n, int err, Persistence persistence = Persistence::kOnce) {
    fault_ = Fault{std::nullopt, n, err, persistence == Persistence::kPersistent};
  }
  void heal() { fault_.reset(); }
  // Every pwrite writes at most `bytes`, as a kernel may under memory pressure or on a signal.
  void limit_writes_to(size_t bytes) { write_size_max_ = bytes; }
  // The first call of each loop-safe kind (open, pread, pwrite, ftruncate) returns EINTR, its
  // retry goes through, the next returns EINTR again, and so on.
  void interrupt_every_other_call() { interrupting_ = true; }

  uint64_t calls(Op op) const { return calls_[index(op)]; }
  uint64_t mutating_calls() const {
    uint64_t total = 0;
    for (size_t i = 0; i < kOpCount; ++i) total += i == index(Op::kPread) ? 0 : calls_[i];
    return total;
  }
  uint64_t faults_injected() const { return faults_injected_; }
  uint64_t interruptions() const { return interruptions_; }
  size_t largest_write() const { return largest_write_; }

  int open(const char* path, int flags, mode_t mode) override {
    if (int err = intercept(Op::kOpen)) return fail_with(err);
    return Syscalls::open(path, flags, mode);
  }
  ssize_t pread(int fd, void* buf, size_t n, off_t offset) override {
    if (int err = intercept(Op::kPread)) return fail_with(err);
    return Syscalls::pread(fd, buf, n, offset);
  }
  ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) override {
    if (int err = intercept(Op::kPwrite)) return fail_with(err);
    n = std::min(n, write_size_max_);
    largest_write_ = std::max(largest_write_, n);
    return Syscalls::pwrite(fd, buf, n, offset);
  }
  int fdatasync(int fd) override {
    if (int err = intercept(Op::kFdatasync)) return fail_with(err);
    return Syscalls::fdatasync(fd);
  }
  int fsync(int fd) override {
    if (int err = intercept(Op::kFsync)) return fail_with(err);
    return Syscalls::fsync(fd);
  }
  int ftruncate(int fd, off_t length) override {
    if (int err = intercept(Op::kFtruncate)) return fail_with(err);
    return Syscalls::ftruncate(fd, length);
  }
  int rename(const char* from, const char* to) override {
    if (int err = intercept(Op::kRename)) return fail_with(err);
    return Syscalls::rename(from, to);
  }
  int unlink(const char* path) override {
    if (int err = intercept(Op::kUnlink)) return fail_with(err);
    return Syscalls::unlink(path);
  }

 private:
  struct Fault {
    std::optional<Op> op;  // Empty: calls of every kind but reads count.
    uint64_t nth = 0;
    int err = 0;
    bool persistent = false;
    uint64_t seen = 0;
  };

  static constexpr size_t index(Op op) { return static_cast<size_t>(op); }
  static bool interruptible(Op op) {
    // The calls that File retries on EINTR; fsync, rename and unlink are not retried.
    return op == Op::kOpen || op == Op::kPread || op == Op::kPwrite || op == Op::kFtruncate;
  }
  static int fail_with(int err) {
    errno = err;
    return -1;
  }

  // The errno this call fails with, or 0 to let it through.
  int intercept(Op op) {
    ++calls_[index(op)];
    if (interrupting_ && interruptible(op) && ++interrupt_ticks_[index(op)] % 2 == 1) {
      ++interruptions_;
      return EINTR;
    }
    if (!fault_ || (fault_->op ? *fault_->op != op : op == Op::kPread)) return 0;
    ++fault_->seen;
    if (fault_->seen < fault_->nth || (fault_->seen > fault_->nth && !fault_->persistent)) return 0;
    ++faults_injected_;
    return fault_->err;
  }

  std::optional<Fault> fault_;
  std::array<uint64_t, kOpCount> calls_{};
  std::array<uint64_t, kOpCount> interrupt_ticks_{};
  uint64_t faults_injected_ = 0;
  bool interrupting_ = false;
  uint64_t interruptions_ = 0;
  size_t write_size_max_ = SIZE_MAX;
  size_t largest_write_ = 0;
};

}  // namespace ledger::store::testing
