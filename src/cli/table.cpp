#include "cli/table.h"

#include <algorithm>
#include <cassert>
#include <cstdint>

#include "util/jsonl.h"
#include "util/utf8.h"

namespace ledger::cli {

namespace {

constexpr std::string_view kSgrBold = "\x1b[1m";
constexpr std::string_view kSgrRed = "\x1b[31m";
constexpr std::string_view kSgrReset = "\x1b[0m";
constexpr std::string_view kColumnGap = "  ";
constexpr char kHexDigits[] = "0123456789abcdef";

// C0 controls, DEL and C1 controls: what a terminal may act on instead of showing.
bool is_control(uint32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point < 0xA0);
}

void append_hex_byte(std::string& out, uint32_t value) {
  out += kHexDigits[(value >> 4) & 0xF];
  out += kHexDigits[value & 0xF];
}

bool right_aligned(CellKind kind) {
  return kind == CellKind::kInteger || kind == CellKind::kAmount;
}

const std::string& cell_at(const std::vector<std::string>& row, size_t column) {
  static const std::string kEmpty;
  return column < row.size() ? row[column] : kEmpty;
}

// ---- table ----

bool safe_for_terminal(std::string_view cell) {
  for (const char c : cell) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7F) return false;
  }
  return true;
}

// `cell` as it may be shown on a terminal: control characters escaped and invalid UTF-8
// replaced by U+FFFD. Returns `cell` itself when it is printable ASCII (the usual case), else
// the text built in `scratch`.
std::string_view terminal_text(std::string_view cell, std::string& scratch) {
  if (safe_for_terminal(cell)) return cell;
  scratch.clear();
  for (size_t i = 0; i < cell.size();) {
    const util::Utf8Char c = util::decode_utf8(cell.substr(i));
    if (c.length == 0) {
      scratch += util::kReplacementCharacter;
      ++i;
      continue;
    }
    if (c.code_point == '\n') {
      scratch += "\\n";
    } else if (c.code_point == '\t') {
      scratch += "\\t";
    } else if (c.code_point == '\r') {
      scratch += "\\r";
    } else if (c.code_point < 0x80 && is_control(c.code_point)) {
      scratch += "\\x";
      append_hex_byte(scratch, c.code_point);
    } else if (is_control(c.code_point)) {
      scratch += "\\u00";
      append_hex_byte(scratch, c.code_point);
    } else {
      scratch.append(cell.substr(i, c.length));
    }
    i += c.length;
  }
  return scratch;
}

std::vector<size_t> column_widths(const Table& table) {
  std::vector<size_t> widths(table.columns.size());
  std::string scratch;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    widths[i] = display_width(terminal_text(table.columns[i].name, scratch));
  }
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(terminal_text(cell_at(row, i), scratch)));
    }
  }
  return widths;
}

// How narrow column `i` may be made: its natural width for every kind but kFreeText, which may
// go down to its header's width or kFreeTextWidthMin, whichever is wider.
size_t width_floor(const Table& table, const std::vector<size_t>& natural, size_t i) {
  if (table.columns[i].kind != CellKind::kFreeText) return natural[i];
  std::string scratch;
  const size_t header = display_width(terminal_text(table.columns[i].name, scratch));
  return std::min(natural[i], std::max(header, kFreeTextWidthMin));
}

// The widths to lay the table out in: the natural ones (each column's widest cell), except
// that when the table is wider than `width_max` (0: no limit), kFreeText columns give up
// width, the widest first, until it fits or each is down to its floor.
std::vector<size_t> fitted_widths(const Table& table, size_t width_max) {
  std::vector<size_t> widths = column_widths(table);
  if (width_max == 0 || widths.empty()) return widths;
  std::vector<size_t> floors(widths.size());
  size_t total = kColumnGap.size() * (widths.size() - 1);
  for (size_t i = 0; i < widths.size(); ++i) {
    floors[i] = width_floor(table, widths, i);
    total += widths[i];
  }
  while (total > width_max) {
    // The widest column that can still give, and the next width down among the others.
    size_t widest = widths.size();
    size_t runner_up = 0;
    for (size_t i = 0; i < widths.size(); ++i) {
      if (widths[i] <= floors[i]) continue;
      if (widest == widths.size() || widths[i] > widths[widest]) {
        if (widest != widths.size()) runner_up = std::max(runner_up, widths[widest]);
        widest = i;
      } else {
        runner_up = std::max(runner_up, widths[i]);
      }
    }
    if (widest == widths.size()) break;  // Nothing left to give: the table overflows.
    // Down to the runner-up's width in one step (one column at a time when they tie).
    const size_t excess = total - width_max;
    const size_t wanted = widths[widest] - std::min(excess, widths[widest]);
    size_t target = std::max({floors[widest], runner_up, wanted});
    if (target == widths[widest]) --target;
    total -= widths[widest] - target;
    widths[widest] = target;
  }
  return widths;
}

// `text` cut into lines at most `width` columns wide (width > 0): each at the last space that
// keeps the line within the width (the space itself is dropped), or mid-word when a word is
// wider than the column, never inside a character. Appends views into `text` to `lines`.
void wrap_into(std::string_view text, size_t width, std::vector<std::string_view>& lines) {
  while (display_width(text) > width) {
    size_t end = prefix_of_width(text, width).size();
    // A two-column character in a one-column line: it overflows rather than loop forever.
    if (end == 0) end = std::max<size_t>(1, util::decode_utf8(text).length);
    const size_t cut = end < text.size() && text[end] == ' ' ? end : text.rfind(' ', end);
    if (cut == std::string_view::npos || cut == 0) {
      lines.push_back(text.substr(0, end));
      text.remove_prefix(end);
      continue;
    }
    lines.push_back(text.substr(0, cut));
    text.remove_prefix(cut + 1);
  }
  lines.push_back(text);
}

// What one row (or the header) needs while it is laid out; kept across rows to save
// allocations.
struct RowScratch {
  std::vector<std::string> escaped;                   // Per column, for terminal_text.
  std::vector<std::vector<std::string_view>> pieces;  // Per column, its lines.
};

// Appends line `l` of a row whose cells are cut into `pieces`. Padding and gaps at the end of
// the line are trimmed, so a line has no trailing blanks that its cells lack.
void append_table_line(std::string& out, const Table& table, const std::vector<size_t>& widths,
                       const RowScratch& row, size_t l, bool header, const RenderStyle& style) {
  if (header && style.color) out += kSgrBold;
  size_t content_end = out.size();
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& column = table.columns[i];
    const std::vector<std::string_view>& pieces = row.pieces[i];
    const std::string_view text = l < pieces.size() ? pieces[l] : std::string_view();
    const size_t padding = widths[i] - std::min(widths[i], display_width(text));
    if (i > 0) out += kColumnGap;
    if (right_aligned(column.kind)) out.append(padding, ' ');
    const bool red =
        style.color && !header && column.kind == CellKind::kAmount && text.starts_with('-');
    if (red) out += kSgrRed;
    out += text;
    if (red) out += kSgrReset;
    if (!text.empty()) content_end = out.size();
    if (!right_aligned(column.kind)) out.append(padding, ' ');
  }
  out.resize(content_end);
  if (header && style.color) out += kSgrReset;
  out += '\n';
}

// Appends the header when `row` is null, else `*row`: one line, or more when a kFreeText cell
// is wider than its column and wraps.
void append_table_row(std::string& out, const Table& table, const std::vector<size_t>& widths,
                      const std::vector<std::string>* row, const RenderStyle& style,
                      RowScratch& scratch) {
  const bool header = row == nullptr;
  size_t lines = 1;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& column = table.columns[i];
    const std::string_view text =
        terminal_text(header ? column.name : cell_at(*row, i), scratch.escaped[i]);
    std::vector<std::string_view>& pieces = scratch.pieces[i];
    pieces.clear();
    if (column.kind == CellKind::kFreeText && widths[i] > 0) {
      wrap_into(text, widths[i], pieces);
    } else {
      pieces.push_back(text);
    }
    lines = std::max(lines, pieces.size());
  }
  for (size_t l = 0; l < lines; ++l) {
    append_table_line(out, table, widths, scratch, l, header, style);
  }
}

void render_table(const Table& table, std::string& out, const RenderStyle& style) {
  if (table.columns.empty()) return;
  const std::vector<size_t> widths = fitted_widths(table, style.terminal_width);
  RowScratch scratch{std::vector<std::string>(table.columns.size()),
                     std::vector<std::vector<std::string_view>>(table.columns.size())};
  append_table_row(out, table, widths, nullptr, style, scratch);
  for (const auto& row : table.rows) append_table_row(out, table, widths, &row, style, scratch);
}

// ---- CSV ----

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool csv_needs_quotes(std::string_view field) {
  if (field.empty()) return false;
  if (field.find_first_of(",\"\r\n") != std::string_view::npos) return true;
  return is_blank(field.front()) || is_blank(field.back());
}

void append_csv_field(std::string& out, std::string_view field) {
  if (!csv_needs_quotes(field)) {
    out += field;
    return;
  }
  out += '"';
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void render_csv(const Table& table, std::string& out) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) out += ',';
    append_csv_field(out, table.columns[i].name);
  }
  out += '\n';
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (i > 0) out += ',';
      append_csv_field(out, cell_at(row, i));
    }
    out += '\n';
  }
}

// ---- TSV ----

void append_tsv_field(std::string& out, std::string_view field) {
  for (const char c : field) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
}

void render_tsv(const Table& table, std::string& out) {
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) out += '\t';
    append_tsv_field(out, table.columns[i].name);
  }
  out += '\n';
  for (const auto& row : table.rows) {
    for (size_t i = 0; i < table.columns.size(); ++i) {
      if (i > 0) out += '\t';
      append_tsv_field(out, cell_at(row, i));
    }
    out += '\n';
  }
}

// ---- JSON ----

// -?(0|[1-9][0-9]*): an integer as JSON writes it.
bool is_json_integer(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  if (text.empty() || (text.size() > 1 && text.front() == '0')) return false;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void append_json_value(std::string& out, CellKind kind, std::string_view cell) {
  if (cell.empty() && kind != CellKind::kText && kind != CellKind::kFreeText) {
    out += "null";
  } else if (kind == CellKind::kInteger && is_json_integer(cell)) {
    out += cell;
  } else {
    util::append_json_string(out, cell);
  }
}

void append_json_object(std::string& out, const Table& table, const std::vector<std::string>& row) {
  out += '{';
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) out += ',';
    util::append_json_string(out, table.columns[i].name);
    out += ':';
    append_json_value(out, table.columns[i].kind, cell_at(row, i));
  }
  out += '}';
}

void render_json(const Table& table, std::string& out) {
  if (table.rows.empty()) {
    out += "[]\n";
    return;
  }
  out += "[\n";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    out += "  ";
    append_json_object(out, table, table.rows[r]);
    out += r + 1 < table.rows.size() ? ",\n" : "\n";
  }
  out += "]\n";
}

void render_jsonl(const Table& table, std::string& out) {
  for (const auto& row : table.rows) {
    append_json_object(out, table, row);
    out += '\n';
  }
}

}  // namespace

size_t natural_width(const Table& table) {
  const std::vector<size_t> widths = column_widths(table);
  size_t total = widths.empty() ? 0 : kColumnGap.size() * (widths.size() - 1);
  for (const size_t w : widths) total += w;
  return total;
}

void render(const Table& table, OutputFormat format, std::string& out, const RenderStyle& style) {
#ifndef NDEBUG
  for (const auto& row : table.rows) assert(row.size() == table.columns.size());
#endif
  switch (format) {
    case OutputFormat::kTable: render_table(table, out, style); return;
    case OutputFormat::kCsv: render_csv(table, out); return;
    case OutputFormat::kTsv: render_tsv(table, out); return;
    case OutputFormat::kJson: render_json(table, out); return;
    case OutputFormat::kJsonl: render_jsonl(table, out); return;
    // A command that draws a chart renders it itself (cli/chart.h); the others refuse chart
    // before they get here, so this is only a safe fallback.
    case OutputFormat::kChart: render_table(table, out, style); return;
  }
}

}  // namespace ledger::cli
