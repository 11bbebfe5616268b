#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <utility>

#include <fmt/core.h>

#include "cli/text_width.h"
#include "cli/terminal.h"

namespace ledger::cli {

namespace {

constexpr size_t kBarCellsMax = 30;
constexpr size_t kBarCellsMin = 10;  // Below this the bar says too little; drop it instead.

// "950/s", "12.3k/s", "1.2M/s", "4.0G/s".
std::string format_rate(double per_second) {
  constexpr const char* kSuffixes[] = {"", "k", "M", "G", "T"};
  size_t suffix = 0;
  while (per_second >= 1000.0 && suffix + 1 < std::size(kSuffixes)) {
    per_second /= 1000.0;
    ++suffix;
  }
  if (suffix == 0) return fmt::format("{:.0f}/s", per_second);
  if (per_second < 100.0) return fmt::format("{:.1f}{}/s", per_second, kSuffixes[suffix]);
  return fmt::format("{:.0f}{}/s", per_second, kSuffixes[suffix]);
}

std::string bar(uint64_t done, uint64_t total, size_t cells) {
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const auto filled = static_cast<size_t>(fraction * static_cast<double>(cells));
  std::string out = "[";
  out.append(filled, '#');
  out.append(cells - filled, '.');
  out += ']';
  return out;
}

}  // namespace

Progress::Progress(std::string label, uint64_t total, bool enabled)
    : Progress(std::move(label), total, enabled, file_sink(stderr),
               [] { return std::chrono::steady_clock::now(); },
               enabled ? terminal_columns(STDERR_FILENO) : 0) {}

Progress::Progress(std::string label, uint64_t total, bool enabled, Sink sink, Clock clock,
                   size_t width_columns)
    : label_(std::move(label)),
      total_(total),
      enabled_(enabled),
      sink_(std::move(sink)),
      clock_(std::move(clock)),
      width_columns_(width_columns == 0 ? kWidthDefault : width_columns) {
  if (enabled_) start_ = clock_();
}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done) {
  if (!enabled_ || finished_) return;
  const auto now = clock_();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  draw(done, now);
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (!drawn_) return;
  std::string blank = "\r";
  blank.append(last_line_width_, ' ');
  blank += '\r';
  sink_(blank);
}

void Progress::draw(uint64_t done, std::chrono::steady_clock::time_point now) {
  const std::string text = line(done, now - start_);
  const size_t width = display_width(text);
  std::string out = "\r" + text;
  // A shorter line than the last one would leave the old one's end on screen.
  if (width < last_line_width_) out.append(last_line_width_ - width, ' ');
  sink_(out);
  drawn_ = true;
  last_draw_ = now;
  last_line_width_ = width;
}

std::string Progress::line(uint64_t done, std::chrono::nanoseconds elapsed) const {
  std::string stats;
  if (total_ > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
    stats = fmt::format("{}% {}/{}", static_cast<unsigned>(fraction * 100.0), done, total_);
  } else {
    stats = fmt::format("{}", done);
  }
  const double seconds = std::chrono::duration<double>(elapsed).count();
  if (seconds > 0.0) stats += " " + format_rate(static_cast<double>(done) / seconds);

  const size_t columns = width_columns_ - 1;  // The last column stays empty: no wrapping.
  const size_t label_width = display_width(label_);
  const size_t stats_width = stats.size();  // ASCII only.
  const size_t fixed = label_width + 1 + 2 + 1 + stats_width;  // Label, spaces and brackets.
  if (total_ > 0 && fixed + kBarCellsMin <= columns) {
    const size_t cells = std::min(kBarCellsMax, columns - fixed);
    return label_ + " " + bar(done, total_, cells) + " " + stats;
  }
  std::string text = label_ + " " + stats;
  if (display_width(text) <= columns) return text;
  // Too narrow for everything: the numbers matter more than the label.
  if (stats_width + 1 < columns) {
    return std::string(prefix_of_width(label_, columns - stats_width - 1)) + " " + stats;
  }
  return std::string(prefix_of_width(stats, columns));
}

Progress::Sink Progress::file_sink(std::FILE* file) {
  return [file](std::string_view text) {
    // Best effort: a progress bar that cannot be written is no reason to fail the operation.
    std::fwrite(text.data(), 1, text.size(), file);
    std::fflush(file);
  };
}

Progress::Sink Progress::string_sink(std::string& buffer) {
  return [&buffer](std::string_view text) { buffer += text; };
}

}  // namespace ledger::cli
