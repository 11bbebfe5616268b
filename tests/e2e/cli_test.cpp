#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "e2e/run_ledger.h"

#include "ledger/version.h"

using ledger::testing::run_ledger;
using ledger::testing::shell_quote;

namespace {

// Runs `ledger ARGS` with the redirections given; returns the exit status.
int run_redirected(const std::string& args, const std::string& out, const std::string& err) {
  const int status = std::system(
      fmt::format("{} {} >{} 2>{} </dev/null", shell_quote(LEDGER_BINARY), args, out, err).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("--version prints the version on stdout and exits 0") {
    const auto r = run_ledger("--version");
    CHECK(r.exit_code == 0);
    CHECK(r.out == fmt::format("ledger {}\n", ledger::kVersion));
    CHECK(r.err.empty());
  }

  TEST_CASE("--help describes the tool with an example and exits 0") {
    const auto r = run_ledger("--help");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("event-sourced ledger") != std::string::npos);
    CHECK(r.out.find("Example") != std::string::npos);
    CHECK(r.out.find("--dir") != std::string::npos);
  }

  TEST_CASE("an unknown option is a usage error: exit 64, message on stderr") {
    const auto r = run_ledger("--no-such-option");
    CHECK(r.exit_code == 64);
    CHECK(r.out.empty());
    CHECK(r.err.find("--no-such-option") != std::string::npos);
  }

  // Found by ledger_torture's file size limits: output that never reached its file went
  // unreported (exit 0), and a failed write to stderr ended in abort().
  TEST_CASE("output that cannot be written is an I/O error: exit 74 and a message") {
    const std::string err =
        (std::filesystem::temp_directory_path() / fmt::format("ledger-err-{}", ::getpid()))
            .string();
    for (const char* args : {"--help", "--version", "deposit --help"}) {
      INFO(args);
      CHECK(run_redirected(args, "/dev/full", err) == 74);
      std::ifstream in(err, std::ios::binary);
      CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "ledger: error: write standard output: No space left on device\n");
    }
    CHECK(run_redirected("--no-such-option", "/dev/null", "/dev/full") == 74);
    std::filesystem::remove(err);
  }

  TEST_CASE("no command is a usage error that says how to get help") {
    const auto r = run_ledger("");
    CHECK(r.exit_code == 64);
    CHECK(r.err.find("ledger --help") != std::string::npos);
  }
}
