#pragma once
// JSON lines: one JSON object per line. Reading is RapidJSON's (the copy Debian's cereal depends
// on, <rapidjson/...>), driven through its SAX reader so that we see numbers exactly as written
// and can point at the offending token; writing is a few string appends.

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ledger/status.h"

namespace ledger::util {

// Bounds on one line, so a hostile line cannot make the reader allocate without limit.
inline constexpr size_t kJsonlLineBytesMax = size_t{1} << 20;
inline constexpr size_t kJsonlMembersMax = 1024;

// Key and value as text, in the order the line holds them.
using JsonlFields = std::vector<std::pair<std::string, std::string>>;

// Reads one line that must be a flat JSON object: {"op":"deposit","amount":12.30,"ok":true}.
//   - strings are unescaped; invalid UTF-8 is refused;
//   - numbers keep their literal text exactly as written ("12.30" stays 12.30, big integers are
//     not rounded, 1e3 stays 1e3), so that the caller's own strict parsing sees them;
//   - true and false become "true" and "false";
//   - a null member is left out, as if absent (its key still counts for duplicates).
// Refused with kInvalidArgument: anything but an object, nested arrays or objects, duplicate
// keys, an empty line, a NUL byte, more than kJsonlMembersMax members or kJsonlLineBytesMax
// bytes, and malformed JSON. Blank lines are refused here; a caller that tolerates them skips
// them first. The message names no position; when error_column is given, it receives the
// 1-based byte column of the offending token (or where RapidJSON stopped), for
// `FILE:LINE:COL: error: MESSAGE`. A trailing CR (a CRLF file) is whitespace and accepted.
Result<JsonlFields> parse_jsonl_object(std::string_view line, size_t* error_column = nullptr);

// A JSON string literal: quoted, with '"' and '\' escaped and control characters as \u00XX.
// Valid UTF-8 passes through as is; a byte that is not part of valid UTF-8 becomes U+FFFD, so
// the output is always valid JSON.
std::string json_string(std::string_view value);
void append_json_string(std::string& out, std::string_view value);

// One member of an object to write: a string value is quoted and escaped; a raw value is written
// as is and must be a JSON number or true, false or null (amounts are written as decimal
// strings, not numbers, by the callers: ledger(1), OUTPUT).
enum class JsonKind { kString, kRaw };
struct JsonMember {
  std::string_view key;
  std::string_view value;
  JsonKind kind = JsonKind::kString;
};

// Appends {"key":value,...} with the members in the order given, compact, without a newline
// (a JSON-lines writer adds '\n' after each object).
void write_json_object(std::string& out, std::span<const JsonMember> members);
void write_json_object(std::string& out, std::initializer_list<JsonMember> members);

}  // namespace ledger::util
