#pragma once
// One writer at a time: an exclusive flock on <dir>/LOCK. The holder writes its pid into the file
// so that a writer who gives up can say who holds it. The kernel drops the lock when the holder
// dies, so a crashed writer never leaves the ledger locked.

#include <chrono>
#include <filesystem>

#include "store/file.h"

namespace ledger::store {

inline constexpr const char* kLockFileName = "LOCK";
// The holder's pid is written left-aligned in this many characters (Linux pids have at most 7
// digits), then a newline.
inline constexpr size_t kLockPidWidth = 10;

class DirLock {
 public:
  // Waits up to `wait` for the lock, then fails with ErrorCode::kLocked naming the holder.
  static Result<DirLock> acquire(Syscalls& sys, const std::filesystem::path& dir,
                                 std::chrono::milliseconds wait);

 private:
  explicit DirLock(File file) : file_(std::move(file)) {}
  File file_;  // Closing it releases the lock.
};

}  // namespace ledger::store
