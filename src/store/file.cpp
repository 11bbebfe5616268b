#include "store/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <fmt/format.h>
#include <fmt/std.h>

namespace ledger::store {

namespace fs = std::filesystem;

int Syscalls::open(const char* path, int flags, mode_t mode) { return ::open(path, flags, mode); }
int Syscalls::close(int fd) { return ::close(fd); }
ssize_t Syscalls::pwrite(int fd, const void* buf, size_t n, off_t offset) {
  return ::pwrite(fd, buf, n, offset);
}
ssize_t Syscalls::pread(int fd, void* buf, size_t n, off_t offset) {
  return ::pread(fd, buf, n, offset);
}
int Syscalls::fdatasync(int fd) { return ::fdatasync(fd); }
int Syscalls::fsync(int fd) { return ::fsync(fd); }
int Syscalls::ftruncate(int fd, off_t length) { return ::ftruncate(fd, length); }
int Syscalls::rename(const char* from, const char* to) { return ::rename(from, to); }
int Syscalls::unlink(const char* path) { return ::unlink(path); }
const void* Syscalls::map_readonly(int, size_t) { return nullptr; }
void Syscalls::unmap(const void*, size_t) {}

namespace {

class RealSyscalls : public Syscalls {
 public:
  const void* map_readonly(int fd, size_t n) override {
    void* at = ::mmap(nullptr, n, PROT_READ, MAP_PRIVATE, fd, 0);
    return at == MAP_FAILED ? nullptr : at;
  }
  void unmap(const void* at, size_t n) override { ::munmap(const_cast<void*>(at), n); }
};

}  // namespace

Syscalls& real_syscalls() {
  static RealSyscalls sys;
  return sys;
}

Status errno_status(const char* operation, const fs::path& path, int err) {
  return {ErrorCode::kIoError, fmt::format("{} {}: {}", operation, path.string(), strerror(err))};
}

Status for_each_name(const fs::path& dir, const std::function<void(std::string_view name)>& visit) {
  std::unique_ptr<DIR, int (*)(DIR*)> listing(::opendir(dir.c_str()), ::closedir);
  if (!listing) {
    const int err = errno;
    Status s = errno_status("list", dir, err);
    return err == ENOENT ? Status(ErrorCode::kNotFound, s.message()) : s;
  }
  for (;;) {
    errno = 0;
    const dirent* entry = ::readdir(listing.get());
    if (entry == nullptr) {
      return errno == 0 ? Status::ok() : errno_status("list", dir, errno);
    }
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") visit(name);
  }
}

void File::will_need(uint64_t offset, uint64_t length) const {
  if (fd_ >= 0) {
    (void)::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                          POSIX_FADV_WILLNEED);
  }
}

bool File::cached(uint64_t offset) const {
  unsigned char byte = 0;
  iovec one{&byte, 1};
  return fd_ >= 0 && ::preadv2(fd_, &one, 1, static_cast<off_t>(offset), RWF_NOWAIT) == 1;
}

File::File(File&& other) noexcept
    : sys_(other.sys_), fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    close_quietly();
    sys_ = other.sys_;
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

File::~File() { close_quietly(); }

void File::close_quietly() {
  // A failed close cannot lose synced data; every durability point syncs explicitly before.
  if (fd_ >= 0) sys_->close(fd_);
  fd_ = -1;
}

Result<File> File::open(Syscalls& sys, const fs::path& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = sys.open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    const int err = errno;
    Status s = errno_status("open", path, err);
    if (err == ENOENT) return Status(ErrorCode::kNotFound, s.message());
    return s;
  }
  return File(&sys, fd, path);
}

Status File::write_at(uint64_t offset, ByteView bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = sys_->pwrite(fd_, bytes.data() + done, bytes.size() - done,
                                   static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("write", path_, errno);
    }
    if (n == 0) return errno_status("write", path_, EIO);
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

Result<size_t> File::read_at(uint64_t offset, std::span<unsigned char> dst) const {
  size_t done = 0;
  while (done < dst.size()) {
    const ssize_t n = sys_->pread(fd_, dst.data() + done, dst.size() - done,
                                  static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status("read", path_, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status File::sync_data() {
  // No retry on failure: after a failed fdatasync the kernel may have dropped the dirty pages,
  // so the file's content is unknown and the caller must stop writing.
  if (sys_->fdatasync(fd_) != 0) return errno_status("fdatasync", path_, errno);
  return Status::ok();
}

Status File::truncate(uint64_t length) {
  int rc;
  do {
    rc = sys_->ftruncate(fd_, static_cast<off_t>(length));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return errno_status("truncate", path_, errno);
  return Status::ok();
}

Result<uint64_t> File::size() const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return errno_status("stat", path_, errno);
  return static_cast<uint64_t>(st.st_size);
}

Status sync_dir(Syscalls& sys, const fs::path& dir) {
  auto file = File::open(sys, dir, O_RDONLY | O_DIRECTORY);
  if (!file) return file.status();
  if (sys.fsync(file->fd()) != 0) return errno_status("fsync", dir, errno);
  return Status::ok();
}

Status write_file_atomically(Syscalls& sys, const fs::path& path, ByteView bytes) {
  // The pid keeps two processes that rebuild the same derived file from clobbering each
  // other's temp file; the last rename wins and both wrote the same content.
  const fs::path temp = path.string() + fmt::format(".{}.tmp", ::getpid());
  {
    auto file = File::open(sys, temp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!file) return file.status();
    Status written = file->write_at(0, bytes);
    if (written) written = file->sync_data();
    if (!written) {
      sys.unlink(temp.c_str());
      return written;
    }
  }
  if (sys.rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    sys.unlink(temp.c_str());
    return errno_status("rename", temp, err);
  }
  return sync_dir(sys, path.parent_path());
}

Result<Bytes> read_file(Syscalls& sys, const fs::path& path) {
  auto file = File::open(sys, path, O_RDONLY);
  if (!file) return file.status();
  auto size = file->size();
  if (!size) return size.status();
  Bytes bytes(*size);
  auto n = file->read_at(0, bytes);
  if (!n) return n.status();
  bytes.resize(*n);
  return bytes;
}

Result<Bytes> read_small_file(Syscalls& sys, const fs::path& path, size_t expected) {
  auto file = File::open(sys, path, O_RDONLY);
  if (!file) return file.status();
  // One byte more than expected: a read that fills the buffer did not reach the end.
  Bytes bytes(expected + 1);
  ssize_t got = -1;
  do {
    got = sys.pread(file->fd(), bytes.data(), bytes.size(), 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return errno_status("read", path, errno);
  auto n = static_cast<size_t>(got);
  if (n < bytes.size()) {
    bytes.resize(n);
    return bytes;
  }
  auto size = file->size();
  if (!size) return size.status();
  bytes.resize(std::max<uint64_t>(*size, bytes.size()));
  auto rest = file->read_at(n, std::span(bytes).subspan(n));
  if (!rest) return rest.status();
  bytes.resize(n + *rest);
  return bytes;
}

Result<FileBytes> FileBytes::load(Syscalls& sys, const fs::path& path) {
  auto file = File::open(sys, path, O_RDONLY);
  if (!file) return file.status();
  auto size = file->size();
  if (!size) return size.status();
  if (auto mapped = map(sys, *file, *size)) return std::move(*mapped);
  FileBytes bytes;
  bytes.read_.resize(*size);
  auto n = file->read_at(0, bytes.read_);
  if (!n) return n.status();
  bytes.read_.resize(*n);
  return bytes;
}

// A mapping outlives its descriptor. Nothing rewrites a file read this way in place (they are
// replaced by a rename, and unlinking one leaves the mapping whole), so the mapped bytes stay
// what was checked. A file cut short in place by someone else while mapped would kill the
// process with SIGBUS at the next read past the cut, where a read would have returned short:
// like any crash, that leaves the log as the last commit left it.
std::optional<FileBytes> FileBytes::map(Syscalls& sys, const File& file, uint64_t size) {
  const void* at = size > 0 ? sys.map_readonly(file.fd(), size) : nullptr;
  if (at == nullptr) return std::nullopt;
  FileBytes bytes;
  bytes.map_ = std::unique_ptr<const void, Unmap>(at, Unmap{&sys, size});
  return bytes;
}

ByteView FileBytes::view() const {
  const ByteView whole =
      map_ ? ByteView(static_cast<const unsigned char*>(map_.get()), map_.get_deleter().size)
           : ByteView(read_);
  return whole.subspan(std::min(skip_, whole.size()));
}

Status remove_durably(Syscalls& sys, const fs::path& path) {
  if (sys.unlink(path.c_str()) != 0 && errno != ENOENT) return errno_status("unlink", path, errno);
  return sync_dir(sys, path.parent_path());
}

namespace {

// Missing parents get the usual permissions (as with mkdir -p); only `dir` is made private.
Status create_dir_durably(Syscalls& sys, const fs::path& dir, bool is_private) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::ok();
  const fs::path parent = dir.has_relative_path() ? dir.parent_path() : fs::path();
  if (!parent.empty()) LEDGER_RETURN_IF_ERROR(create_dir_durably(sys, parent, false));
  // Something else by that name: say what is wrong with it, not that it exists.
  if (fs::exists(dir, ec)) ec = std::make_error_code(std::errc::not_a_directory);
  if (!ec) fs::create_directory(dir, ec);
  if (ec) {
    return {ErrorCode::kIoError, fmt::format("create directory {}: {}", dir.string(), ec.message())};
  }
  if (is_private) {
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return {ErrorCode::kIoError, fmt::format("chmod {}: {}", dir.string(), ec.message())};
  }
  return sync_dir(sys, parent.empty() ? fs::path(".") : parent);
}

}  // namespace

Status create_private_dir(Syscalls& sys, const fs::path& dir) {
  return create_dir_durably(sys, dir, true);
}

}  // namespace ledger::store
