#include "torture/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <atomic>
#include <iterator>
#include <thread>

namespace ledger::torture {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string slurp_and_remove(const fs::path& path) {
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::error_code ec;
  fs::remove(path, ec);
  return text;
}

// Only async-signal-safe calls between fork and exec: the driver may hold locks in other
// threads (the concurrency mode runs readers in threads).
[[noreturn]] void exec_child(const std::vector<char*>& argv, const char* in, const char* out,
                             const char* err, const ChildOptions& options) {
  setpgid(0, 0);
  const int in_fd = open(in, O_RDONLY);
  const int out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err_fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (in_fd < 0 || out_fd < 0 || err_fd < 0) _exit(127);
  dup2(in_fd, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  if (options.file_size_limit_bytes) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{*options.file_size_limit_bytes, *options.file_size_limit_bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  execvp(argv[0], argv.data());
  _exit(127);
}

}  // namespace

ChildOutcome run_child(const std::vector<std::string>& argv, const ChildOptions& options) {
  static std::atomic<unsigned> counter{0};
  const std::string tag = std::to_string(getpid()) + "-" + std::to_string(counter++);
  const fs::path out = fs::temp_directory_path() / ("ledger-torture-out-" + tag);
  const fs::path err = fs::temp_directory_path() / ("ledger-torture-err-" + tag);
  const std::string in = options.stdin_path.empty() ? "/dev/null" : options.stdin_path.string();
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("ledger_torture: fork");
    std::exit(2);
  }
  if (pid == 0) exec_child(args, in.c_str(), out.c_str(), err.c_str(), options);
  setpgid(pid, pid);  // Also here, so that a kill right away reaches the group.

  int status = 0;
  if (options.kill_after) {
    const auto deadline = start + *options.kill_after;
    for (;;) {
      const pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid) break;
      if (Clock::now() >= deadline) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  } else {
    waitpid(pid, &status, 0);
  }
  ChildOutcome outcome;
  outcome.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  outcome.out = slurp_and_remove(out);
  outcome.err = slurp_and_remove(err);
  return outcome;
}

}  // namespace ledger::torture
