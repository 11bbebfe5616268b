#include "util/jsonl.h"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <optional>

#include "util/utf8.h"

namespace ledger::util {
namespace {

namespace rj = RAPIDJSON_NAMESPACE;

constexpr unsigned kParseFlags = rj::kParseValidateEncodingFlag | rj::kParseNumbersAsStringsFlag;

// A RapidJSON input stream over one line. It has no StreamTraits specialisation, so the reader
// uses it by reference rather than a local copy, and Tell() is current inside handler callbacks.
class LineStream {
 public:
  using Ch = char;

  explicit LineStream(std::string_view line) : line_(line) {}

  Ch Peek() const { return pos_ < line_.size() ? line_[pos_] : '\0'; }
  Ch Take() { return pos_ < line_.size() ? line_[pos_++] : '\0'; }
  size_t Tell() const { return pos_; }

  // Output is never used on an input stream.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  size_t PutEnd(Ch*) { return 0; }

 private:
  std::string_view line_;
  size_t pos_ = 0;
};

// SAX handler that accepts one flat object and refuses anything else, remembering why and where.
class FlatObjectHandler {
 public:
  // RapidJSON validates the raw bytes, but lets the escape of a lone low surrogate (backslash,
  // u, DC00) through as the three bytes of a surrogate, which are not UTF-8.
  static constexpr const char* kLoneSurrogate =
      "invalid JSON: a \\u escape names a lone surrogate (strings must be valid UTF-8)";

  using Ch = char;

  FlatObjectHandler(std::string_view line, const LineStream& stream)
      : line_(line), stream_(stream) {}

  JsonlFields take_fields() { return std::move(fields_); }
  const std::string& message() const { return message_; }
  size_t column() const { return column_; }

  bool StartObject() {
    if (depth_ > 0) return refuse("nested objects are not allowed (values must be scalars)");
    ++depth_;
    return advance();
  }
  bool EndObject(rj::SizeType) {
    --depth_;
    return advance();
  }
  bool StartArray() {
    if (depth_ == 0) return refuse("not a JSON object");
    return refuse("arrays are not allowed (values must be scalars)");
  }
  bool EndArray(rj::SizeType) { return advance(); }

  bool Key(const Ch* str, rj::SizeType length, bool) {
    std::string key(str, length);
    if (!is_valid_utf8(key)) return refuse(kLoneSurrogate);
    if (std::find(keys_.begin(), keys_.end(), key) != keys_.end()) {
      return refuse(fmt::format("duplicate key {}", json_string(key)));
    }
    if (keys_.size() == kJsonlMembersMax) {
      return refuse(fmt::format("more than {} members", kJsonlMembersMax));
    }
    keys_.push_back(std::move(key));
    return advance();
  }

  bool Null() { return scalar(std::nullopt); }
  bool Bool(bool b) { return scalar(b ? "true" : "false"); }
  bool RawNumber(const Ch* str, rj::SizeType length, bool) {
    return scalar(std::string(str, length));
  }
  bool String(const Ch* str, rj::SizeType length, bool) {
    std::string value(str, length);
    if (!is_valid_utf8(value)) return refuse(kLoneSurrogate);
    return scalar(std::move(value));
  }
  // With kParseNumbersAsStringsFlag every number arrives through RawNumber; these complete the
  // handler concept.
  bool Int(int i) { return scalar(std::to_string(i)); }
  bool Uint(unsigned u) { return scalar(std::to_string(u)); }
  bool Int64(int64_t i) { return scalar(std::to_string(i)); }
  bool Uint64(uint64_t u) { return scalar(std::to_string(u)); }
  bool Double(double) { return refuse("unexpected binary number"); }

 private:
  bool scalar(std::optional<std::string> value) {
    if (depth_ == 0) return refuse("not a JSON object");
    if (value) fields_.emplace_back(keys_.back(), std::move(*value));
    return advance();
  }

  bool advance() {
    token_end_ = stream_.Tell();
    return true;
  }

  // The token just parsed starts at the first byte after the previous token that is neither
  // whitespace nor a separator.
  bool refuse(std::string message) {
    size_t start = token_end_;
    while (start < line_.size() &&
           std::string_view(" \t\r\n,:").find(line_[start]) != std::string_view::npos) {
      ++start;
    }
    message_ = std::move(message);
    column_ = start + 1;
    return false;
  }

  std::string_view line_;
  const LineStream& stream_;
  int depth_ = 0;
  size_t token_end_ = 0;
  std::vector<std::string> keys_;
  JsonlFields fields_;
  std::string message_;
  size_t column_ = 0;
};

Status refused(size_t* error_column, size_t column, std::string message) {
  if (error_column != nullptr) *error_column = column;
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// RapidJSON's English message, as a clause: "Missing a comma." -> "missing a comma".
std::string rapidjson_message(rj::ParseErrorCode code) {
  std::string message = rj::GetParseError_En(code);
  if (!message.empty() && message.back() == '.') message.pop_back();
  if (!message.empty() && message.front() >= 'A' && message.front() <= 'Z') {
    message.front() = static_cast<char>(message.front() - 'A' + 'a');
  }
  return "invalid JSON: " + message;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view v) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    return i > start;
  };
  if (i < v.size() && v[i] == '-') ++i;
  if (i < v.size() && v[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < v.size() && v[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == v.size();
}

[[maybe_unused]] bool is_json_literal(std::string_view v) {
  return v == "true" || v == "false" || v == "null" || is_json_number(v);
}

}  // namespace

Result<JsonlFields> parse_jsonl_object(std::string_view line, size_t* error_column) {
  if (line.size() > kJsonlLineBytesMax) {
    return refused(error_column, kJsonlLineBytesMax + 1,
                   fmt::format("line is longer than {} bytes", kJsonlLineBytesMax));
  }
  if (const size_t nul = line.find('\0'); nul != std::string_view::npos) {
    return refused(error_column, nul + 1, "NUL byte in line");
  }
  if (line.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return refused(error_column, 1, "empty line (expected a JSON object)");
  }
  LineStream stream(line);
  FlatObjectHandler handler(line, stream);
  rj::Reader reader;
  const rj::ParseResult result = reader.Parse<kParseFlags>(stream, handler);
  if (result.Code() == rj::kParseErrorTermination) {
    return refused(error_column, handler.column(), handler.message());
  }
  if (result.IsError()) {
    return refused(error_column, result.Offset() + 1, rapidjson_message(result.Code()));
  }
  return handler.take_fields();
}

void append_json_string(std::string& out, std::string_view value) {
  out += '"';
  while (!value.empty()) {
    const char c = value.front();
    const size_t length = decode_utf8(value).length;
    if (length == 0) {
      out += kReplacementCharacter;
      value.remove_prefix(1);
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
    } else {
      out.append(value.data(), length);
    }
    value.remove_prefix(length);
  }
  out += '"';
}

std::string json_string(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  append_json_string(out, value);
  return out;
}

void write_json_object(std::string& out, std::span<const JsonMember> members) {
  out += '{';
  for (size_t i = 0; i < members.size(); ++i) {
    const JsonMember& m = members[i];
    if (i != 0) out += ',';
    append_json_string(out, m.key);
    out += ':';
    if (m.kind == JsonKind::kRaw) {
      assert(is_json_literal(m.value) && "a raw JSON value must be a number or literal");
      out += m.value;
    } else {
      append_json_string(out, m.value);
    }
  }
  out += '}';
}

void write_json_object(std::string& out, std::initializer_list<JsonMember> members) {
  write_json_object(out, std::span<const JsonMember>(members.begin(), members.size()));
}

}  // namespace ledger::util
