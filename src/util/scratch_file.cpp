#include "util/scratch_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace ledger::util {

namespace {

const char* tmpdir() {
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : nullptr;
}

std::string scratch_dir() { return tmpdir() != nullptr ? tmpdir() : "/tmp"; }

// `what` failed: says where, and how to choose another place.
Status failed(const char* what) {
  const int error = errno;
  return {ErrorCode::kIoError,
          fmt::format("cannot {} a scratch file in {} ({}): {}", what, scratch_dir(),
                      tmpdir() != nullptr ? "from TMPDIR" : "set TMPDIR for another directory",
                      std::strerror(error))};
}

}  // namespace

Result<ScratchFile> ScratchFile::create() {
  const std::string dir = scratch_dir();
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without unnamed files: a named one, unlinked at once.
    std::string name = dir + "/ledger-scratch-XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(name.c_str());
  }
  if (fd < 0) return failed("create");
  return ScratchFile(fd);
}

ScratchFile::ScratchFile(ScratchFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}

ScratchFile& ScratchFile::operator=(ScratchFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = other.size_;
  }
  return *this;
}

ScratchFile::~ScratchFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status ScratchFile::append(const void* data, size_t size) {
  const auto* at = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::pwrite(fd_, at, size, static_cast<off_t>(size_));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return failed("write");
    at += n;
    size -= static_cast<size_t>(n);
    size_ += static_cast<uint64_t>(n);
  }
  return Status::ok();
}

Status ScratchFile::read(uint64_t offset, void* data, size_t size) const {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd_, static_cast<char*>(data) + done, size - done,
                              static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed("read");
    if (n == 0) return {ErrorCode::kInternal, "a scratch file does not read back as written"};
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

}  // namespace ledger::util
