#pragma once
// A file for data a command cannot hold in memory while it runs (an import's rows waiting for
// timeline order): it has no name, so it disappears when closed or when the process dies, and it
// lives in $TMPDIR (else /tmp), as sort(1)'s temporary files do.

#include <cstddef>
#include <cstdint>

#include "ledger/status.h"

namespace ledger::util {

class ScratchFile {
 public:
  static Result<ScratchFile> create();
  ScratchFile(ScratchFile&& other) noexcept;
  ScratchFile& operator=(ScratchFile&& other) noexcept;
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  ~ScratchFile();

  uint64_t size() const { return size_; }
  Status append(const void* data, size_t size);
  // Reads `size` bytes at `offset`, all of them: what was appended there.
  Status read(uint64_t offset, void* data, size_t size) const;

 private:
  explicit ScratchFile(int fd) : fd_(fd) {}
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace ledger::util
