#pragma once
// A query result as a table of already-formatted cells, and its renderers: an aligned table for
// people, CSV, TSV, JSON and JSON lines for programs. The renderers never compute or reformat a
// value; they only lay out, quote and escape the text they are given.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output_format.h"
#include "cli/text_width.h"

namespace ledger::cli {

// What a column holds, which decides alignment, colour and JSON typing.
enum class CellKind {
  kText,      // Ids, names, short words: left-aligned, a JSON string; never wrapped.
  kFreeText,  // Prose (memos, owners, messages): like kText, but a narrow table wraps it.
  kInteger,   // A decimal integer like "42" (sequences, counts): right-aligned, a JSON number.
  kAmount,    // A decimal amount like "-12.30": right-aligned, red when negative, a JSON string.
  kTime,      // An ISO 8601 time: left-aligned, a JSON string.
};

struct Column {
  std::string name;  // Also the CSV/TSV header and the JSON key; keep these stable.
  CellKind kind = CellKind::kText;
};

// Every row has one cell per column. (A short row's missing cells render as empty and a long
// row's extra cells are ignored, but both are bugs of the caller, asserted in debug builds.)
struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
};

struct RenderStyle {
  bool color = false;         // ANSI SGR: bold header and red negative amounts; table format only.
  size_t terminal_width = 0;  // Columns to fit a table in, 0 if unknown (then never wrapped).
};

// The narrowest a kFreeText column is wrapped to (or its header's width, if wider): narrower
// than this, a memo becomes a column of word fragments, and overflowing is kinder.
inline constexpr size_t kFreeTextWidthMin = 12;

// Appends `table` rendered in `format` to `out`:
// - kTable: a header line and aligned columns, two spaces apart; kInteger and kAmount columns
//   right-aligned (header included), others left-aligned; no trailing blanks; widths measured in
//   terminal columns (display_width: a CJK character or an emoji is two). Control characters in cells are shown escaped (`\n`, `\t`,
//   `\r`, `\x1b`, `\u009b`) so a memo can neither break the layout nor send escape sequences to
//   the terminal. An empty table prints only its header.
//   When the table is wider than `style.terminal_width`, kFreeText columns are narrowed, the
//   widest first, and their cells wrapped onto continuation lines (at spaces where a word
//   fits, else mid-word), down to kFreeTextWidthMin each. No other cell is ever truncated or
//   wrapped: account ids, amounts and times are shown whole, and when they alone are wider
//   than the terminal the table is wider too, and the terminal wraps it.
// - kCsv: RFC 4180 with a header row. A field is quoted only when it holds a comma, a quote, CR
//   or LF, or begins or ends with a space or tab (which many readers trim); quotes inside are
//   doubled. Records end with LF, not RFC 4180's CRLF: this is what Unix tools and every CSV
//   reader we know expect on a pipe, and a CRLF would leave a stray \r on the last field for
//   `cut` and `awk`.
// - kTsv: a header row, then one line per row, cells separated by tabs. Inside cells a tab, LF,
//   CR and backslash are written `\t`, `\n`, `\r` and `\\` (the "linear TSV" convention), so
//   every record is exactly one line and every tab is a separator.
// - kJson: one array, one object per line, keys the column names in column order.
// - kJsonl: one object per line, nothing else.
// JSON typing: kInteger cells are numbers when they are JSON integers (otherwise strings, so
// the output stays valid); every other cell is a string, amounts included (never floats, so no
// digit is lost). An empty cell is null, except in a kText or kFreeText column, where it is "".
// Strings are escaped by util::json_string (RFC 8259, control characters as \u00XX, invalid
// UTF-8 as U+FFFD), so the output is always valid JSON and matches what the rest of ledger
// writes.
void render(const Table& table, OutputFormat format, std::string& out,
            const RenderStyle& style = {});

// The columns `table` takes as kTable when nothing is wrapped: the widest line it would print.
size_t natural_width(const Table& table);

}  // namespace ledger::cli
