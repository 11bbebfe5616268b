#pragma once
// The one seam between the store and the operating system. Every open, write, sync, rename and
// unlink goes through Syscalls, so tests can inject short writes, EINTR and failures, and File
// loops on short writes and EINTR and names the file in every error.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace ledger::store {

using Bytes = std::vector<unsigned char>;
using ByteView = std::span<const unsigned char>;

// Raw POSIX calls with their usual contracts (-1 and errno on failure).
class Syscalls {
 public:
  virtual ~Syscalls() = default;
  virtual int open(const char* path, int flags, mode_t mode);
  virtual int close(int fd);
  virtual ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset);
  virtual ssize_t pread(int fd, void* buf, size_t n, off_t offset);
  virtual int fdatasync(int fd);
  virtual int fsync(int fd);
  virtual int ftruncate(int fd, off_t length);
  virtual int rename(const char* from, const char* to);
  virtual int unlink(const char* path);
  // A read-only private mapping of `n` bytes of `fd`, or nullptr where files are read with
  // pread only: the tests' simulated and fault-injecting disks keep this, and see every read.
  virtual const void* map_readonly(int fd, size_t n);
  virtual void unmap(const void* at, size_t n);
};

// The process-wide real system calls.
Syscalls& real_syscalls();

// Status for a failed call: "write /data/000001.seg: No space left on device".
Status errno_status(const char* operation, const std::filesystem::path& path, int err);

class File {
 public:
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  ~File();

  static Result<File> open(Syscalls& sys, const std::filesystem::path& path, int flags,
                           mode_t mode = 0600);

  // Writes every byte at `offset`, looping on short writes and EINTR.
  Status write_at(uint64_t offset, ByteView bytes);
  // Reads up to dst.size() bytes at `offset`; fewer only at end of file.
  Result<size_t> read_at(uint64_t offset, std::span<unsigned char> dst) const;
  Status sync_data();
  Status truncate(uint64_t length);
  Result<uint64_t> size() const;
  int fd() const { return fd_; }
  // A hint that [offset, offset + length) will be read soon (posix_fadvise WILLNEED): the
  // kernel starts reading it now, alongside other ranges hinted. Changes nothing a reader sees.
  void will_need(uint64_t offset, uint64_t length) const;
  // Whether the page holding `offset` is in the page cache: a one-byte read that would not wait
  // for the disk (preadv2, RWF_NOWAIT). false when it would, and when the kernel cannot tell.
  // Not through Syscalls: like will_need, it changes nothing a reader sees.
  bool cached(uint64_t offset) const;
  const std::filesystem::path& path() const { return path_; }
  bool is_open() const { return fd_ >= 0; }

 private:
  File(Syscalls* sys, int fd, std::filesystem::path path)
      : sys_(sys), fd_(fd), path_(std::move(path)) {}
  void close_quietly();

  Syscalls* sys_ = nullptr;
  int fd_ = -1;
  std::filesystem::path path_;
};

// fsync of a directory, so that a created, renamed or deleted entry in it survives a crash.
Status sync_dir(Syscalls& sys, const std::filesystem::path& dir);

// Writes `bytes` to a temp file beside `path`, syncs it, renames it over `path` and syncs the
// directory: readers see the old file or the new one, never a mix.
Status write_file_atomically(Syscalls& sys, const std::filesystem::path& path, ByteView bytes);

// Reads a whole (small) file.
Result<Bytes> read_file(Syscalls& sys, const std::filesystem::path& path);
// The same for a file of about `expected` bytes or less, in one call, without asking its size
// first (a question as of a past date reads one such file per segment); a larger one is read on
// to its end. A short read is taken for the end of the file: the caller must check what it gets
// (by a checksum) and treat a file cut short as damaged.
Result<Bytes> read_small_file(Syscalls& sys, const std::filesystem::path& path, size_t expected);

// A whole file to read, mapped where `sys` can map it (a question that reads a few pages of a
// large file then touches only those, and nothing is copied), read into memory otherwise.
// Ends a mapping of FileBytes.
struct Unmap {
  Syscalls* sys = nullptr;
  size_t size = 0;
  void operator()(const void* at) const { sys->unmap(at, size); }
};

class FileBytes {
 public:
  static Result<FileBytes> load(Syscalls& sys, const std::filesystem::path& path);
  // The first `size` bytes of `file` mapped, or nothing where `sys` maps nothing (then the
  // caller reads what it needs, rather than the whole file). Only for files never rewritten in
  // place (see file.cpp).
  static std::optional<FileBytes> map(Syscalls& sys, const File& file, uint64_t size);

  ByteView view() const;
  operator ByteView() const { return view(); }  // Read where a span is read.
  // Leaves out the first `n` bytes (a header already checked).
  void drop_front(size_t n) { skip_ += n; }

 private:
  std::unique_ptr<const void, Unmap> map_;
  Bytes read_;  // When not mapped.
  size_t skip_ = 0;
};

// Deletes a file and syncs its directory.
Status remove_durably(Syscalls& sys, const std::filesystem::path& path);

// Calls `visit` with the name of each entry of `dir` but "." and "..", in the directory's order.
// kNotFound if `dir` does not exist. Names, not paths: a data directory holds hundreds of files,
// of which a listing wants a few, and a path built for each costs more than reading the names.
Status for_each_name(const std::filesystem::path& dir,
                     const std::function<void(std::string_view name)>& visit);

// Creates `dir` (and missing parents) with owner-only permissions if it does not exist, and
// syncs the folder that holds each new one: a commit acknowledged in a new data directory, or
// a file published in a new folder, must survive a power cut with the folder's name.
Status create_private_dir(Syscalls& sys, const std::filesystem::path& dir);

}  // namespace ledger::store
