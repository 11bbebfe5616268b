#pragma once
// Runs one `ledger` process the way the torture driver needs: output captured, optionally
// under strace, optionally killed with SIGKILL after a delay, optionally with a file size limit.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ledger::torture {

struct ChildOptions {
  // SIGKILL to the whole process group once this much time has passed.
  std::optional<std::chrono::microseconds> kill_after;
  // Standard input; /dev/null when empty.
  std::filesystem::path stdin_path;
  // RLIMIT_FSIZE in bytes, with SIGXFSZ ignored so that writes past it fail with EFBIG.
  std::optional<unsigned long> file_size_limit_bytes;
};

struct ChildOutcome {
  int exit_code = -1;   // -1 when the process died of a signal.
  int signal = 0;       // The signal that ended it, if any.
  std::string out;
  std::string err;
  std::chrono::microseconds elapsed{0};

  // Only a death by SIGKILL counts as a kill (strace re-raises its tracee's signal): an exit
  // 137, or any other failure, is a failure, so a refused ptrace cannot pass as a kill.
  bool killed() const { return signal == 9; }
};

// Runs argv[0] (a path, or a program found on PATH) with the rest as arguments, TZ=UTC, in a process group of its own.
ChildOutcome run_child(const std::vector<std::string>& argv, const ChildOptions& options = {});

}  // namespace ledger::torture
