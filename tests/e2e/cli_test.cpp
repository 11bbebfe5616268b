#include <doctest/doctest.h>

#include "e2e/run_ledger.h"
#include <fmt/format.h>

#include "ledger/version.h"

using ledger::testing::run_ledger;

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

  TEST_CASE("no command is a usage error that says how to get help") {
    const auto r = run_ledger("");
    CHECK(r.exit_code == 64);
    CHECK(r.err.find("ledger --help") != std::string::npos);
  }
}
