#pragma once
// The one UTF-8 decoder of ledger: JSON strings, table cells on a terminal and journal text
// all read UTF-8 through it, so they agree on what is valid. Inline, because JSON export runs
// it once per character of every memo.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ledger::util {

// The first character of a string: its length in bytes, 0 when the bytes there are not a
// valid, shortest-form UTF-8 encoding of a Unicode scalar value (a stray continuation byte, a
// truncated or overlong sequence, a surrogate, a code point past U+10FFFF, an empty string).
struct Utf8Char {
  size_t length = 0;
  uint32_t code_point = 0;
};

inline Utf8Char decode_utf8(std::string_view text) {
  if (text.empty()) return {};
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return {1, lead};
  size_t length = 0;
  uint32_t code_point = 0;
  uint32_t code_point_min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1Fu, code_point_min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0Fu, code_point_min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07u, code_point_min = 0x10000;
  } else {
    return {};
  }
  if (text.size() < length) return {};
  for (size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[i]);
    if ((next & 0xC0) != 0x80) return {};
    code_point = (code_point << 6) | (next & 0x3Fu);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (code_point < code_point_min || code_point > 0x10FFFF || surrogate) return {};
  return {length, code_point};
}

inline bool is_valid_utf8(std::string_view text) {
  while (!text.empty()) {
    const size_t length = decode_utf8(text).length;
    if (length == 0) return false;
    text.remove_prefix(length);
  }
  return true;
}

// Text as ledger keeps it from now on (the domain refuses anything else in a command): valid
// UTF-8 without NUL, which a database's text columns take.
inline bool is_nul_free_utf8(std::string_view text) {
  return text.find('\0') == std::string_view::npos && is_valid_utf8(text);
}

// U+FFFD, what a byte that is not valid UTF-8 is shown as.
inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

}  // namespace ledger::util
