#include "cli/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace ledger::cli {

namespace {

// A bound on what we believe of $COLUMNS, so a garbage value cannot make us allocate a huge
// line; real terminals are far narrower.
constexpr size_t kColumnsMax = 10000;

std::string_view env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

size_t columns_from_env() {
  const std::string_view text = env_or_empty("COLUMNS");
  size_t columns = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), columns);
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return columns <= kColumnsMax ? columns : 0;
}

}  // namespace

ColorMode parse_color_mode(std::string_view text) {
  if (text == "always") return ColorMode::kAlways;
  if (text == "never") return ColorMode::kNever;
  return ColorMode::kAuto;
}

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

size_t terminal_columns() { return terminal_columns(STDOUT_FILENO); }

size_t terminal_columns(int fd) {
  struct winsize size {};
  if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return columns_from_env();
}

bool color_enabled(ColorMode mode, bool is_terminal) {
  switch (mode) {
    case ColorMode::kNever: return false;
    case ColorMode::kAlways: return true;
    case ColorMode::kAuto:
      return is_terminal && env_or_empty("NO_COLOR").empty() && env_or_empty("TERM") != "dumb";
  }
  return false;
}

std::string diagnostic_prefix(Severity severity, bool color) {
  const std::string_view word = severity == Severity::kError ? "error:" : "warning:";
  const std::string_view sgr = severity == Severity::kError ? "\x1b[1;31m" : "\x1b[1;33m";
  std::string prefix = "ledger: ";
  if (color) prefix += sgr;
  prefix += word;
  if (color) prefix += "\x1b[0m";
  prefix += ' ';
  return prefix;
}

}  // namespace ledger::cli
