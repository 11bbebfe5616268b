#pragma once
// Running the real binary with a pseudo-terminal for stdin, stdout and stderr (made by
// util-linux's `script`), for what ledger does only on a terminal: colour, fitting tables to
// its width, progress bars, charts.

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "e2e/e2e_support.h"

namespace ledger::e2e {

// A known environment whatever the developer's: no NO_COLOR, COLUMNS or LEDGER_DIR inherited,
// a TERM that allows colour, UTC. `extra` comes last, so it wins (`env` keeps the last value).
inline std::string clean_env(const std::string& extra = "") {
  return "env -u NO_COLOR -u COLUMNS -u LEDGER_DIR TERM=xterm TZ=UTC " + extra;
}

struct Shown {
  int exit_code = -1;
  std::string text;  // What the terminal showed, its CRLF line ends turned back into LF.
};

// Runs `before; ledger --dir DIR ARGS REDIRECT` with stdin, stdout and stderr on a
// pseudo-terminal. `script` reads /dev/null, so the terminal has no size unless `before` sets
// one (`stty cols N`). `redirect` takes streams off the terminal, e.g. ">FILE" for stdout.
inline Shown on_terminal(const TestLedger& ledger, const std::string& args,
                         const std::string& env_extra = "", const std::string& redirect = "",
                         const std::string& before = "true") {
  const std::string inner = before + "; " + clean_env(env_extra) + " " +
                            shell_quote(LEDGER_BINARY) + " --dir " +
                            shell_quote(ledger.location()) + " " + args + " " + redirect;
  const std::string command =
      "SHELL=/bin/sh script -qec " + shell_quote(inner) + " /dev/null </dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string raw;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) raw.append(buffer, n);
  const int status = ::pclose(pipe);
  Shown shown{WIFEXITED(status) ? WEXITSTATUS(status) : -1, {}};
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    shown.text += raw[i];
  }
  return shown;
}

}  // namespace ledger::e2e
