#pragma once
// How wide text is on a terminal, in columns: what tables, charts and progress bars lay out by.
// Widths come from utf8proc (Debian's libutf8proc), which follows Unicode's East Asian Width
// and emoji data: CJK ideographs and most emoji take two columns, combining marks none.

#include <cstddef>
#include <string_view>

namespace ledger::cli {

// The width of `text` on a terminal. A byte that is not valid UTF-8 counts one column (it is
// shown as U+FFFD); a control character counts none (tables escape them before measuring).
size_t display_width(std::string_view text);

// The width of one code point (0, 1 or 2).
size_t code_point_width(char32_t code_point);

// The longest prefix of `text` at most `columns` wide: never half of a character, so a
// two-column character that would straddle the limit is left out whole.
std::string_view prefix_of_width(std::string_view text, size_t columns);

}  // namespace ledger::cli
