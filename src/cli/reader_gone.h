#pragma once
// When the reader of standard output goes away (`ledger history | head -1`). run() ignores
// SIGPIPE, so such a write fails with EPIPE instead of killing the process with status 141,
// which `set -o pipefail` would count as a failure. The reader has had what it wanted: that is
// not an error (ledger(1), EXIT STATUS), so the command stops writing and ends quietly with 0.
// Nothing is left half done by ending then: every write command prints only after its commit.

#include <cerrno>
#include <cstdio>

namespace ledger::cli {

// Thrown where a write finds the reader gone; run() catches it and exits 0.
struct ReaderGone {};

// Throws ReaderGone when `file` is standard output and the last write to it failed with EPIPE.
inline void stop_if_reader_gone(std::FILE* file, int error) {
  if (file == stdout && error == EPIPE) throw ReaderGone{};
}

}  // namespace ledger::cli
