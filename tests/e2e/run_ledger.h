#pragma once
// Runs the real `ledger` binary and captures what a user would see: stdout, stderr and the exit
// status.

#include <sys/wait.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace ledger::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// `args` is appended to the binary's path as shell words; quote user data with shell_quote.
inline RunResult run_ledger(const std::string& args, const std::string& env = "") {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::temp_directory_path();
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(std::rand());
  const fs::path out = tmp / ("ledger-out-" + tag), err = tmp / ("ledger-err-" + tag);
  const std::string command = env + " " + shell_quote(LEDGER_BINARY) + " " + args + " >" +
                              shell_quote(out.string()) + " 2>" + shell_quote(err.string()) +
                              " </dev/null";
  const int status = std::system(command.c_str());
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  RunResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  fs::remove(out);
  fs::remove(err);
  return result;
}

}  // namespace ledger::testing
