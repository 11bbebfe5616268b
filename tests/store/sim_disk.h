#pragma once
// A simulated disk for the store's seeded simulation: the real system calls on a temporary
// directory, plus a model of what a crash would keep, plus injected faults.
//
// The durability model is what POSIX (and Linux's fdatasync/fsync) promises, no more:
//  - A file's content is durable as of its last successful fdatasync or fsync. Bytes written
//    since then (appended, overwritten, or cut by ftruncate) are "unsynced".
//  - A directory entry (a create, a rename, an unlink) is durable once fsync of that directory
//    succeeds. Until then each name of the directory independently keeps its durable entry or
//    takes its newest one after a crash (so after rename(tmp, seg) without a directory fsync,
//    the crash may leave tmp, seg, both or neither).
//  - Directories themselves (created with mkdir, outside Syscalls) are treated as durable.
//  - A crash (power_off() then reboot()) gives every file that a surviving name points to its
//    durable content plus, for its unsynced bytes, one random outcome. When the file only grew
//    since its last sync (the append-only case of a log): all of it kept, nothing kept, a prefix
//    kept (a torn write), a prefix then garbage, garbage of the same length, or zeros of the same
//    length. Any other change (a truncate, an overwrite): the new content or the durable one.
//    A file unlinked from every live name keeps only its durable content.
//  - After power_off() every call fails with EIO (close excepted), so the store's destructors
//    change nothing on the dead disk; reboot() rewrites the real files to the crash image.
// Faults, each with its own probability per call: a bit flipped in the buffer pread returns
// (the bytes on disk stay right: a transient read error); a pwrite that writes a random prefix
// and then fails with EIO or ENOSPC; fdatasync, fsync, rename, ftruncate and creating opens
// that fail with EIO or ENOSPC and change nothing.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "store/file.h"

namespace ledger::store::testing {

class SimulatedDisk : public Syscalls {
 public:
  struct Faults {
    double read_flip = 0;    // Per pread returning bytes: one bit of the buffer flipped.
    double write_error = 0;  // Per pwrite, ftruncate, rename, unlink, creating open.
    double sync_error = 0;   // Per fdatasync and fsync.
  };

  SimulatedDisk(std::filesystem::path root, uint64_t seed) : root_(std::move(root)), rng_(seed) {}

  void set_faults(Faults faults) { faults_ = faults; }
  uint64_t faults_injected() const { return faults_injected_; }
  uint64_t bit_flips() const { return bit_flips_; }
  size_t open_files() const { return files_.size() + dirs_.size(); }

  int open(const char* path, int flags, mode_t mode) override {
    if (dead_) return fail(EIO);
    const std::string name = normal(path);
    const bool creates = (flags & O_CREAT) != 0 && live_.count(name) == 0;
    if ((creates || (flags & O_TRUNC) != 0) && roll(faults_.write_error)) return fail(pick_err());
    const int fd = Syscalls::open(path, flags, mode);
    if (fd < 0) return fd;
    if ((flags & O_DIRECTORY) != 0) {
      dirs_[fd] = name;
      return fd;
    }
    auto& inode = live_[name];
    if (!inode) inode = std::make_shared<Inode>();
    files_[fd] = inode;
    return fd;
  }
  int close(int fd) override {
    files_.erase(fd);
    dirs_.erase(fd);
    return Syscalls::close(fd);
  }
  ssize_t pwrite(int fd, const void* buf, size_t n, off_t offset) override {
    if (dead_) return fail(EIO);
    if (roll(faults_.write_error)) {
      // A device error part way: some bytes went to the page cache, then the call failed.
      const size_t part = n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
      if (part > 0) (void)Syscalls::pwrite(fd, buf, part, offset);
      return fail(pick_err());
    }
    return Syscalls::pwrite(fd, buf, n, offset);
  }
  ssize_t pread(int fd, void* buf, size_t n, off_t offset) override {
    if (dead_) return fail(EIO);
    const ssize_t got = Syscalls::pread(fd, buf, n, offset);
    if (got > 0 && roll(faults_.read_flip)) {
      const auto bit = std::uniform_int_distribution<uint64_t>(0, uint64_t(got) * 8 - 1)(rng_);
      static_cast<unsigned char*>(buf)[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
      ++bit_flips_;
      ++faults_injected_;
    }
    return got;
  }
  int fdatasync(int fd) override { return sync(fd); }
  int fsync(int fd) override { return sync(fd); }
  int ftruncate(int fd, off_t length) override {
    if (dead_) return fail(EIO);
    if (roll(faults_.write_error)) return fail(pick_err());
    return Syscalls::ftruncate(fd, length);
  }
  int rename(const char* from, const char* to) override {
    if (dead_) return fail(EIO);
    if (roll(faults_.write_error)) return fail(pick_err());
    const int rc = Syscalls::rename(from, to);
    if (rc != 0) return rc;
    const std::string f = normal(from);
    live_[normal(to)] = live_[f];
    live_.erase(f);
    return 0;
  }
  int unlink(const char* path) override {
    if (dead_) return fail(EIO);
    if (roll(faults_.write_error)) return fail(pick_err());
    const int rc = Syscalls::unlink(path);
    if (rc == 0) live_.erase(normal(path));
    return rc;
  }

  // The power goes: from now on every call fails, until reboot().
  void power_off() { dead_ = true; }

  // Rewrites the files under the root to what the crash left (see the model above). The
  // store's objects must all be closed first.
  void reboot(std::mt19937_64& rng) {
    std::map<std::string, Bytes> image;
    std::map<const Inode*, Bytes> content;  // One outcome per file, whatever its names.
    std::set<std::string> names;
    for (const auto& entry : live_) names.insert(entry.first);
    for (const auto& entry : durable_) names.insert(entry.first);
    std::map<const Inode*, std::string> live_name;
    for (const auto& entry : live_) live_name[entry.second.get()] = entry.first;
    for (const std::string& name : names) {
      const auto l = find(live_, name);
      const auto d = find(durable_, name);
      const auto chosen = l == d ? l : (coin(rng) ? l : d);
      if (!chosen) continue;
      auto it = content.find(chosen.get());
      if (it == content.end()) {
        Bytes current = chosen->durable;
        if (auto live = live_name.find(chosen.get()); live != live_name.end()) {
          current = read_real(live->second);
        }
        it = content.emplace(chosen.get(), crash_outcome(chosen->durable, current, rng)).first;
      }
      image[name] = it->second;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root_)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    for (const auto& path : files) std::filesystem::remove(path);
    live_.clear();
    durable_.clear();
    for (const auto& [name, bytes] : image) {
      std::ofstream out(name, std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
      auto inode = std::make_shared<Inode>();
      inode->durable = bytes;
      live_[name] = inode;
      durable_[name] = inode;
    }
    dead_ = false;
  }

 private:
  struct Inode {
    Bytes durable;  // The content as of the last successful sync (empty if never synced).
  };
  using Names = std::map<std::string, std::shared_ptr<Inode>>;

  static std::shared_ptr<Inode> find(const Names& names, const std::string& name) {
    auto it = names.find(name);
    return it == names.end() ? nullptr : it->second;
  }
  static std::string normal(const char* path) {
    std::string name = std::filesystem::path(path).lexically_normal().string();
    while (name.size() > 1 && name.back() == '/') name.pop_back();
    return name;
  }
  static int fail(int err) {
    errno = err;
    return -1;
  }
  static bool coin(std::mt19937_64& rng) { return (rng() & 1) != 0; }

  bool roll(double p) {
    if (p <= 0 || std::uniform_real_distribution<double>(0, 1)(rng_) >= p) return false;
    ++faults_injected_;
    return true;
  }
  int pick_err() { return coin(rng_) ? EIO : ENOSPC; }

  static Bytes read_real(const std::string& name) {
    Bytes bytes;
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return bytes;
    struct stat st {};
    if (::fstat(fd, &st) == 0) {
      bytes.resize(static_cast<size_t>(st.st_size));
      size_t done = 0;
      while (done < bytes.size()) {
        const ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done, off_t(done));
        if (n <= 0) break;
        done += size_t(n);
      }
      bytes.resize(done);
    }
    ::close(fd);
    return bytes;
  }
  // The whole content of an open file, whatever mode it was opened in (a temp file is
  // write-only), through /proc so that an unlinked file reads too.
  static Bytes read_fd(int fd) { return read_real("/proc/self/fd/" + std::to_string(fd)); }

  int sync(int fd) {
    if (dead_) return fail(EIO);
    if (roll(faults_.sync_error)) return fail(EIO);
    if (auto dir = dirs_.find(fd); dir != dirs_.end()) {
      sync_dir_entries(dir->second);
      return 0;
    }
    if (auto file = files_.find(fd); file != files_.end()) file->second->durable = read_fd(fd);
    return 0;  // The real fdatasync buys nothing here: the model decides what a crash keeps.
  }

  void sync_dir_entries(const std::string& dir) {
    auto in_dir = [&](const std::string& name) {
      return std::filesystem::path(name).parent_path().string() == dir;
    };
    for (auto it = durable_.begin(); it != durable_.end();) {
      it = in_dir(it->first) && live_.count(it->first) == 0 ? durable_.erase(it) : std::next(it);
    }
    for (const auto& entry : live_) {
      if (in_dir(entry.first)) durable_[entry.first] = entry.second;
    }
  }

  static Bytes crash_outcome(const Bytes& durable, const Bytes& current, std::mt19937_64& rng) {
    if (current == durable) return current;
    const bool grew = current.size() > durable.size() &&
                      std::equal(durable.begin(), durable.end(), current.begin());
    if (!grew) return coin(rng) ? current : durable;
    const size_t extra = current.size() - durable.size();
    const size_t kept = std::uniform_int_distribution<size_t>(0, extra - 1)(rng);
    Bytes out = durable;
    auto garbage = [&](size_t n) {
      for (size_t i = 0; i < n; ++i) out.push_back(static_cast<unsigned char>(rng()));
    };
    switch (rng() % 6) {
      case 0: return current;                                  // All of it reached the disk.
      case 1: return durable;                                  // None of it.
      case 2:                                                  // A torn write: a prefix.
        out.insert(out.end(), current.begin() + long(durable.size()),
                   current.begin() + long(durable.size() + kept));
        return out;
      case 3:                                                  // A prefix, then garbage.
        out.insert(out.end(), current.begin() + long(durable.size()),
                   current.begin() + long(durable.size() + kept));
        garbage(extra - kept);
        return out;
      case 4: garbage(extra); return out;                      // The size grew, not the data.
      default: out.resize(current.size(), 0); return out;      // Zeros of the same length.
    }
  }

  std::filesystem::path root_;
  std::mt19937_64 rng_;  // Faults only; crashes take the caller's generator.
  Faults faults_;
  bool dead_ = false;
  Names live_;     // What the directories hold now (mirrors the real files).
  Names durable_;  // What they would hold after a crash, as of their last fsync.
  std::map<int, std::shared_ptr<Inode>> files_;
  std::map<int, std::string> dirs_;
  uint64_t faults_injected_ = 0;
  uint64_t bit_flips_ = 0;
};

}  // namespace ledger::store::testing
