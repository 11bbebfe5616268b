#pragma once
// A one-line progress bar on stderr for long operations (import, verify, replay):
//
//   import [############..................] 42% 420000/1000000 1.2M/s
//
// It redraws in place (carriage return, no escape sequences, so even TERM=dumb is fine), at
// most once per kRedrawInterval, never wider than the terminal, and finish() blanks the line so
// what is printed next starts clean. A disabled Progress writes nothing, ever: callers pass
// `stderr_is_terminal() && !quiet`, so pipes, logs and --quiet see no bar. Not thread-safe: one
// thread updates it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace ledger::cli {

class Progress {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Sink = std::function<void(std::string_view)>;

  static constexpr std::chrono::milliseconds kRedrawInterval{100};
  static constexpr size_t kWidthDefault = 80;  // When the terminal's width is unknown.

  // Draws on stderr, timed by the steady clock, as wide as the terminal on stderr.
  // `total` is the number of items expected, 0 when unknown (then no bar and no percentage).
  Progress(std::string label, uint64_t total, bool enabled);
  // The same with the output, the clock and the width (0 = kWidthDefault) chosen by the caller.
  Progress(std::string label, uint64_t total, bool enabled, Sink sink, Clock clock,
           size_t width_columns);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  // Calls finish(), so an error that unwinds the operation does not leave the bar behind.
  ~Progress();

  // Records that `done` items are done, and redraws if the last draw was at least
  // kRedrawInterval ago (the first update always draws). Ignored once finished.
  void update(uint64_t done);
  // Blanks the line if anything was drawn. Idempotent; later updates are ignored.
  void finish();

  // Sinks: a stdio stream (written and flushed at once), or a string that collects the output.
  static Sink file_sink(std::FILE* file);
  static Sink string_sink(std::string& buffer);

  // The text of the line (no carriage return) for `done` items after `elapsed`: at most
  // `width_columns - 1` columns (display_width), so the cursor never wraps to the next line.
  std::string line(uint64_t done, std::chrono::nanoseconds elapsed) const;

 private:
  void draw(uint64_t done, std::chrono::steady_clock::time_point now);

  std::string label_;
  uint64_t total_ = 0;
  bool enabled_ = false;
  Sink sink_;
  Clock clock_;
  size_t width_columns_ = kWidthDefault;
  std::chrono::steady_clock::time_point start_{};
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
  bool finished_ = false;
  size_t last_line_width_ = 0;  // Columns of the last line drawn, to blank what it leaves.
};

}  // namespace ledger::cli
