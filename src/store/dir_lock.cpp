#include "store/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <fmt/format.h>
#include <string>
#include <thread>

namespace ledger::store {

namespace fs = std::filesystem;

namespace {

std::string holder_of(const File& file) {
  char buf[32] = {};
  auto n = file.read_at(0, std::span(reinterpret_cast<unsigned char*>(buf), sizeof buf - 1));
  if (!n || *n == 0) return "another process";
  std::string pid(buf, *n);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return "pid " + pid;
}

}  // namespace

Result<DirLock> DirLock::acquire(Syscalls& sys, const fs::path& dir,
                                 std::chrono::milliseconds wait) {
  const fs::path path = dir / kLockFileName;
  auto file = File::open(sys, path, O_RDWR | O_CREAT, 0600);
  if (!file) return file.status();
  const auto deadline = std::chrono::steady_clock::now() + wait;
  // A short, constant poll: a busy writer (a script committing in a loop) frees the lock only
  // for an instant between commits, and a backing-off waiter would keep missing it.
  const auto pause = std::chrono::microseconds(500);
  while (::flock(file->fd(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return errno_status("flock", path, errno);
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(ErrorCode::kLocked,
                    fmt::format("the ledger in {} is locked by another writer ({}); gave up after "
                                "{} ms",
                                dir.string(), holder_of(*file), wait.count()));
    }
    std::this_thread::sleep_for(pause);
  }
  // The pid is advice for the error message only, so it is not synced. It is written at a fixed
  // width over what the last writer left, not after a truncation to nothing: on ext4 that
  // ftruncate took about 0.5 ms, more than the commit's fdatasync (strace -T, 6 deposits).
  const std::string pid = fmt::format("{:<{}}\n", ::getpid(), kLockPidWidth);
  auto size = file->size();
  if (!size) return size.status();
  if (*size > pid.size()) LEDGER_RETURN_IF_ERROR(file->truncate(pid.size()));
  LEDGER_RETURN_IF_ERROR(
      file->write_at(0, ByteView(reinterpret_cast<const unsigned char*>(pid.data()), pid.size())));
  return DirLock(std::move(*file));
}

}  // namespace ledger::store
