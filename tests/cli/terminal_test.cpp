#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "cli/terminal.h"
#include "scoped_env.h"

using namespace ledger::cli;
using ledger::testing::ScopedEnv;

namespace {

// An fd that is not a terminal on any machine, so the ioctl fails the same way everywhere.
class DevNull {
 public:
  DevNull() : fd_(::open("/dev/null", O_WRONLY)) { REQUIRE(fd_ >= 0); }
  DevNull(const DevNull&) = delete;
  DevNull& operator=(const DevNull&) = delete;
  ~DevNull() { ::close(fd_); }
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

TEST_SUITE("terminal") {
  TEST_CASE("auto colours a terminal when NO_COLOR is unset and TERM is not dumb") {
    ScopedEnv no_color("NO_COLOR");
    ScopedEnv term("TERM");
    no_color.unset();
    term.set("xterm-256color");
    CHECK(color_enabled(ColorMode::kAuto, true));
    CHECK_FALSE(color_enabled(ColorMode::kAuto, false));
    term.unset();
    CHECK(color_enabled(ColorMode::kAuto, true));
  }

  TEST_CASE("auto does not colour with NO_COLOR set to anything non-empty") {
    ScopedEnv no_color("NO_COLOR");
    ScopedEnv term("TERM");
    term.set("xterm");
    no_color.set("1");
    CHECK_FALSE(color_enabled(ColorMode::kAuto, true));
    no_color.set("0");
    CHECK_FALSE(color_enabled(ColorMode::kAuto, true));
    no_color.set("");
    CHECK(color_enabled(ColorMode::kAuto, true));
  }

  TEST_CASE("auto does not colour a dumb terminal") {
    ScopedEnv no_color("NO_COLOR");
    ScopedEnv term("TERM");
    no_color.unset();
    term.set("dumb");
    CHECK_FALSE(color_enabled(ColorMode::kAuto, true));
  }

  TEST_CASE("always colours even a pipe, with NO_COLOR and TERM=dumb") {
    ScopedEnv no_color("NO_COLOR");
    ScopedEnv term("TERM");
    no_color.set("1");
    term.set("dumb");
    CHECK(color_enabled(ColorMode::kAlways, false));
    CHECK(color_enabled(ColorMode::kAlways, true));
  }

  TEST_CASE("never does not colour even a willing terminal") {
    ScopedEnv no_color("NO_COLOR");
    ScopedEnv term("TERM");
    no_color.unset();
    term.set("xterm");
    CHECK_FALSE(color_enabled(ColorMode::kNever, true));
  }

  TEST_CASE("environment changes made by a test are undone") {
    ScopedEnv outer("LEDGER_TERMINAL_TEST_VAR");
    outer.unset();
    {
      ScopedEnv inner("LEDGER_TERMINAL_TEST_VAR");
      inner.set("x");
      CHECK(std::getenv("LEDGER_TERMINAL_TEST_VAR") != nullptr);
    }
    CHECK(std::getenv("LEDGER_TERMINAL_TEST_VAR") == nullptr);
  }

  TEST_CASE("columns of a non-terminal come from $COLUMNS, else 0") {
    DevNull dev_null;
    ScopedEnv columns("COLUMNS");
    columns.set("123");
    CHECK(terminal_columns(dev_null.fd()) == 123);
    columns.set("12x");
    CHECK(terminal_columns(dev_null.fd()) == 0);
    columns.set("-5");
    CHECK(terminal_columns(dev_null.fd()) == 0);
    columns.set("99999999999999999999999");
    CHECK(terminal_columns(dev_null.fd()) == 0);
    columns.set("");
    CHECK(terminal_columns(dev_null.fd()) == 0);
    columns.unset();
    CHECK(terminal_columns(dev_null.fd()) == 0);
  }

  TEST_CASE("stdout and stderr are terminals exactly when isatty says so") {
    CHECK(stdout_is_terminal() == (::isatty(STDOUT_FILENO) == 1));
    CHECK(stderr_is_terminal() == (::isatty(STDERR_FILENO) == 1));
    if (!stdout_is_terminal()) {
      ScopedEnv columns("COLUMNS");
      columns.set("77");
      CHECK(terminal_columns() == 77);
    }
  }

  TEST_CASE("diagnostics colour only the word error or warning") {
    CHECK(diagnostic_prefix(Severity::kError, false) == "ledger: error: ");
    CHECK(diagnostic_prefix(Severity::kWarning, false) == "ledger: warning: ");
    CHECK(diagnostic_prefix(Severity::kError, true) == "ledger: \x1b[1;31merror:\x1b[0m ");
    CHECK(diagnostic_prefix(Severity::kWarning, true) == "ledger: \x1b[1;33mwarning:\x1b[0m ");
  }

  TEST_CASE("colour modes parse from the option's words") {
    CHECK(parse_color_mode("always") == ColorMode::kAlways);
    CHECK(parse_color_mode("never") == ColorMode::kNever);
    CHECK(parse_color_mode("auto") == ColorMode::kAuto);
  }
}
