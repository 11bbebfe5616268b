#include "torture/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace ledger::torture {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Only async-signal-safe calls between fork and exec: the driver may hold locks in other
// threads (the concurrency mode runs readers in threads).
[[noreturn]] void exec_child(const std::vector<char*>& argv, char* const* envp, const char* in,
                             int out_fd, int err_fd, const ChildOptions& options) {
  setpgid(0, 0);
  const int in_fd = open(in, O_RDONLY);
  if (in_fd < 0) _exit(127);
  dup2(in_fd, 0);
  dup2(out_fd, 1);
  dup2(err_fd, 2);
  if (options.file_size_limit_bytes) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{*options.file_size_limit_bytes, *options.file_size_limit_bytes};
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  execvpe(argv[0], argv.data(), envp);
  _exit(127);
}

// Output goes through pipes, not files: a file size limit must not cut what the driver reads.
struct Pipe {
  int read_fd = -1;
  int write_fd = -1;
  std::string text;
  std::thread reader;

  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      std::perror("ledger_torture: pipe2");
      std::exit(2);
    }
    read_fd = fds[0];
    write_fd = fds[1];
  }
  void start_reading() {
    close(write_fd);
    reader = std::thread([this] {
      char buf[65536];
      for (ssize_t n; (n = read(read_fd, buf, sizeof buf)) != 0;) {
        if (n > 0) text.append(buf, static_cast<size_t>(n));
        if (n < 0 && errno != EINTR) break;
      }
      close(read_fd);
    });
  }
  std::string finish() {
    reader.join();
    return std::move(text);
  }
};

// The environment of the child. LeakSanitizer cannot run under ptrace, so a sanitized binary
// run by strace checks everything but leaks (plain runs keep the leak check).
std::vector<std::string> child_environment(bool traced) {
  std::vector<std::string> env;
  std::string asan_options = "detect_leaks=0";
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    if (traced && entry.rfind("ASAN_OPTIONS=", 0) == 0) {
      asan_options = entry.substr(13) + ":detect_leaks=0";
    } else {
      env.push_back(entry);
    }
  }
  if (traced) env.push_back("ASAN_OPTIONS=" + asan_options);
  return env;
}

}  // namespace

ChildOutcome run_child(const std::vector<std::string>& argv, const ChildOptions& options) {
  const std::string in = options.stdin_path.empty() ? "/dev/null" : options.stdin_path.string();
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const std::vector<std::string> env = child_environment(argv.front() == "strace");
  std::vector<char*> envp;
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  Pipe out, err;

  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("ledger_torture: fork");
    std::exit(2);
  }
  if (pid == 0) exec_child(args, envp.data(), in.c_str(), out.write_fd, err.write_fd, options);
  setpgid(pid, pid);  // Also here, so that a kill right away reaches the group.
  out.start_reading();
  err.start_reading();

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
  outcome.out = out.finish();
  outcome.err = err.finish();
  return outcome;
}

}  // namespace ledger::torture
