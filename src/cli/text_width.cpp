#include "cli/text_width.h"

#include <utf8proc.h>

#include "util/utf8.h"

namespace ledger::cli {

namespace {

// A byte that does not start valid UTF-8 is one column (U+FFFD) and one byte long.
util::Utf8Char char_at(std::string_view text) {
  const util::Utf8Char c = util::decode_utf8(text);
  return c.length != 0 ? c : util::Utf8Char{1, 0xFFFD};
}

}  // namespace

size_t code_point_width(char32_t code_point) {
  if (code_point < 0x7F) return code_point >= 0x20 ? 1 : 0;  // ASCII, without a library call.
  const int width = utf8proc_charwidth(static_cast<utf8proc_int32_t>(code_point));
  return width > 0 ? static_cast<size_t>(width) : 0;
}

size_t display_width(std::string_view text) {
  size_t width = 0;
  while (!text.empty()) {
    const util::Utf8Char c = char_at(text);
    width += code_point_width(c.code_point);
    text.remove_prefix(c.length);
  }
  return width;
}

std::string_view prefix_of_width(std::string_view text, size_t columns) {
  size_t width = 0;
  size_t offset = 0;
  while (offset < text.size()) {
    const util::Utf8Char c = char_at(text.substr(offset));
    width += code_point_width(c.code_point);
    if (width > columns) break;
    offset += c.length;
  }
  return text.substr(0, offset);
}

}  // namespace ledger::cli
