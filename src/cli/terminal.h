#pragma once
// What the CLI needs to know about the terminal: whether stdout and stderr are terminals, how
// wide the terminal is, and whether to colour the output.

#include <cstddef>
#include <string>
#include <string_view>

namespace ledger::cli {

// `--color auto|always|never`, when such a flag exists; kAuto is the default.
enum class ColorMode { kAuto, kAlways, kNever };

// "always" and "never" name theirs; anything else (the option's validator lets through only
// "auto") is kAuto.
ColorMode parse_color_mode(std::string_view text);

bool stdout_is_terminal();
bool stderr_is_terminal();

// Columns of the terminal on `fd` (TIOCGWINSZ), else $COLUMNS when it is a positive number,
// else 0 (unknown). The no-argument form asks about stdout, where tables go; the progress
// bar, which is drawn on stderr, asks about STDERR_FILENO.
size_t terminal_columns();
size_t terminal_columns(int fd);

// Whether to colour output that goes to a stream which is (or is not) a terminal.
// - kNever: never.
// - kAlways: always, even when NO_COLOR is set, TERM is "dumb" or the stream is a pipe. An
//   explicit flag is the user asking for this one run, and no-color.org says such a flag
//   overrides NO_COLOR (which only sets the default).
// - kAuto: only on a terminal, when NO_COLOR is unset or empty, and when TERM is not "dumb".
bool color_enabled(ColorMode mode, bool is_terminal);

// How a diagnostic on stderr begins: "ledger: error: " or "ledger: warning: ". With `color`,
// the word "error:" is bold red and "warning:" bold yellow; nothing else on stderr is coloured.
enum class Severity { kError, kWarning };
std::string diagnostic_prefix(Severity severity, bool color);

}  // namespace ledger::cli
