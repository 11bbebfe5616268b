#pragma once
// Runs a command line under /bin/sh and captures its output and exit status, for the tests of
// what the project installs around the binary (man page, completions, packages).

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "e2e/run_ledger.h"

namespace ledger::testing {

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline RunResult run_shell(const std::string& command) {
  namespace fs = std::filesystem;
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(std::rand());
  const fs::path tmp = fs::temp_directory_path();
  const fs::path out = tmp / ("ledger-sh-out-" + tag), err = tmp / ("ledger-sh-err-" + tag);
  const std::string line = "(" + command + ") >" + shell_quote(out.string()) + " 2>" +
                           shell_quote(err.string()) + " </dev/null";
  const int status = std::system(line.c_str());
  RunResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  fs::remove(out);
  fs::remove(err);
  return result;
}

// A fresh directory under the temp folder, removed with the object.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() /
            (name + "-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ledger::testing
