#include "util/jsonl.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ledger;
using namespace ledger::util;

namespace {

JsonlFields parse_ok(std::string_view line) {
  auto parsed = parse_jsonl_object(line);
  REQUIRE_MESSAGE(parsed, parsed.status().message());
  return *parsed;
}

struct Refusal {
  std::string message;
  size_t column = 0;
};

Refusal parse_bad(std::string_view line) {
  size_t column = 0;
  auto parsed = parse_jsonl_object(line, &column);
  REQUIRE_FALSE_MESSAGE(parsed, std::string(line), " was accepted");
  CHECK(parsed.status().code() == ErrorCode::kInvalidArgument);
  return {parsed.status().message(), column};
}

}  // namespace

TEST_SUITE("jsonl") {
  TEST_CASE("a flat object gives its members as text, in order") {
    const JsonlFields f =
        parse_ok(R"({"op":"deposit","account":"ACC-1","amount":12.30,"ok":true,"no":false})");
    const JsonlFields expected = {{"op", "deposit"},
                                  {"account", "ACC-1"},
                                  {"amount", "12.30"},
                                  {"ok", "true"},
                                  {"no", "false"}};
    CHECK(f == expected);
  }

  TEST_CASE("numbers keep their text exactly as written") {
    const JsonlFields f = parse_ok(
        R"({"a":12.30,"b":-0,"c":1e3,"d":123456789012345678901234567890,"e":0.1000,"f":-5,)"
        R"("g":1E-2})");
    REQUIRE(f.size() == 7);
    CHECK(f[0].second == "12.30");
    CHECK(f[1].second == "-0");
    CHECK(f[2].second == "1e3");
    CHECK(f[3].second == "123456789012345678901234567890");
    CHECK(f[4].second == "0.1000");
    CHECK(f[5].second == "-5");
    CHECK(f[6].second == "1E-2");
  }

  TEST_CASE("null members are left out but their keys still count") {
    const JsonlFields f = parse_ok(R"({"memo":null,"op":"close"})");
    CHECK(f == JsonlFields{{"op", "close"}});
    const Refusal r = parse_bad(R"({"memo":null,"memo":"x"})");
    CHECK(r.message == "duplicate key \"memo\"");
  }

  TEST_CASE("an escaped lone surrogate is refused: values are valid UTF-8") {
    // Found by the JSON-lines fuzz target: RapidJSON let a lone low surrogate through.
    const Refusal low = parse_bad(R"({"op":"open","owner":"\udc00"})");
    CHECK(low.message.find("lone surrogate") != std::string::npos);
    CHECK(low.column == 22);
    const Refusal key = parse_bad(R"({"\udfff":1})");
    CHECK(key.column == 2);
    parse_bad(R"({"owner":"\ud800"})");
  }

  TEST_CASE("strings are unescaped") {
    const JsonlFields f = parse_ok(R"({"m":"a\"b\\c\/d\n\t\u00e9\u20ac\ud83d\ude00","k\u0041":"caf)"
                                   "\xC3\xA9\"}");
    REQUIRE(f.size() == 2);
    CHECK(f[0].second == "a\"b\\c/d\n\t\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
    CHECK(f[1].first == "kA");
    CHECK(f[1].second == "caf\xC3\xA9");
  }

  TEST_CASE("whitespace around tokens and a trailing CR are accepted") {
    const JsonlFields f = parse_ok(" { \"a\" : 1 ,\t\"b\":\"x\" } \r");
    CHECK(f == JsonlFields{{"a", "1"}, {"b", "x"}});
    CHECK(parse_ok("{}").empty());
  }

  TEST_CASE("duplicate keys are refused at the second key") {
    const Refusal r = parse_bad(R"({"a":1, "b":2, "a":3})");
    CHECK(r.message == "duplicate key \"a\"");
    CHECK(r.column == 16);
  }

  TEST_CASE("nested arrays and objects are refused where they start") {
    const Refusal array = parse_bad(R"({"a":1,"b":[1,2]})");
    CHECK(array.message.find("arrays are not allowed") == 0);
    CHECK(array.column == 12);
    const Refusal object = parse_bad(R"({"a": {"b":1}})");
    CHECK(object.message.find("nested objects are not allowed") == 0);
    CHECK(object.column == 7);
  }

  TEST_CASE("a line that is not an object is refused") {
    const char* lines[] = {"[1,2]", "\"text\"", "42", "true", "null"};
    for (const char* line : lines) {
      CAPTURE(line);
      const Refusal r = parse_bad(line);
      CHECK(r.message == "not a JSON object");
      CHECK(r.column == 1);
    }
  }

  TEST_CASE("malformed JSON is refused where RapidJSON stopped") {
    const Refusal missing_comma = parse_bad(R"({"a":1 "b":2})");
    CHECK(missing_comma.message.find("invalid JSON: ") == 0);
    CHECK(missing_comma.column == 8);
    const Refusal trailing = parse_bad(R"({"a":1} x)");
    CHECK(trailing.message.find("invalid JSON: ") == 0);
    CHECK(trailing.column == 9);
    const char* lines[] = {"{",
                           R"({"a":})",
                           R"({"a":01})",
                           R"({"a":1.})",
                           "{'a':1}",
                           R"({"a":NaN})",
                           R"({a:1})",
                           R"({"a":1,})",
                           R"({"a":"unterminated})",
                           R"({"a":"\x"})"};
    for (const char* line : lines) {
      CAPTURE(line);
      CHECK(parse_bad(line).message.find("invalid JSON: ") == 0);
    }
  }

  TEST_CASE("invalid UTF-8, NUL bytes, empty and oversized lines are refused") {
    CHECK(parse_bad("{\"a\":\"\xC3\"}").message.find("invalid JSON") == 0);
    CHECK(parse_bad("{\"a\":\"\xED\xA0\x80\"}").message.find("invalid JSON") == 0);
    const Refusal nul = parse_bad(std::string_view("{\"a\":1}\0{}", 10));
    CHECK(nul.message == "NUL byte in line");
    CHECK(nul.column == 8);
    CHECK(parse_bad("").message.find("empty line") == 0);
    CHECK(parse_bad(" \t\r").message.find("empty line") == 0);
    const std::string big = "{\"a\":\"" + std::string(kJsonlLineBytesMax, 'x') + "\"}";
    CHECK(parse_bad(big).message.find("longer than") != std::string::npos);
  }

  TEST_CASE("more members than the bound are refused") {
    std::string line = "{";
    for (size_t i = 0; i <= kJsonlMembersMax; ++i) {
      line += (i == 0 ? "\"k" : ",\"k") + std::to_string(i) + "\":1";
    }
    line += "}";
    CHECK(parse_bad(line).message.find("more than 1024 members") == 0);
  }

  TEST_CASE("the error column is optional") {
    auto parsed = parse_jsonl_object("[]");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.status().message() == "not a JSON object");
  }

  TEST_CASE("strings are written quoted and escaped") {
    CHECK(json_string("plain") == "\"plain\"");
    CHECK(json_string("") == "\"\"");
    CHECK(json_string("a\"b\\c") == R"("a\"b\\c")");
    CHECK(json_string("line\nnext\ttab\x01\x1F") == R"("line\u000Anext\u0009tab\u0001\u001F")");
    CHECK(json_string(std::string_view("nul\0x", 5)) == R"("nul\u0000x")");
    CHECK(json_string("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
          "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
    CHECK(json_string("/ and \x7F pass") == "\"/ and \x7F pass\"");
  }

  TEST_CASE("invalid UTF-8 is written as U+FFFD, so the output stays valid") {
    CHECK(json_string("a\xFF"
                      "b") ==
          "\"a\xEF\xBF\xBD"
          "b\"");
    CHECK(json_string("\xC3") == "\"\xEF\xBF\xBD\"");                  // Truncated.
    CHECK(json_string("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // Overlong '/'.
    CHECK(json_string("\xED\xA0\x80") ==
          "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");                 // A surrogate.
    CHECK(json_string("\xF4\x90\x80\x80").find("\xEF\xBF\xBD") == 1);  // Beyond U+10FFFF.
  }

  TEST_CASE("escaped strings read back as written") {
    std::vector<std::string> values = {
        "", "plain", "q\"uote", "back\\slash", "caf\xC3\xA9", "\xF0\x9F\x98\x80", "/slash"};
    for (int c = 0; c < 0x20; ++c) values.push_back(std::string(1, static_cast<char>(c)) + "x");
    for (const std::string& value : values) {
      std::string line;
      write_json_object(line, {{"k", value}});
      CAPTURE(line);
      const JsonlFields back = parse_ok(line);
      REQUIRE(back.size() == 1);
      CHECK(back[0].second == value);
    }
  }

  TEST_CASE("objects are written compact, in order, with raw numbers and literals") {
    std::string out;
    write_json_object(out, {{"op", "deposit"},
                            {"amount", "12.30"},
                            {"seq", "42", JsonKind::kRaw},
                            {"final", "true", JsonKind::kRaw},
                            {"ref", "null", JsonKind::kRaw},
                            {"we\"ird", "-1.5e3", JsonKind::kRaw}});
    CHECK(out ==
          R"({"op":"deposit","amount":"12.30","seq":42,"final":true,"ref":null,"we\"ird":-1.5e3})");
    const std::vector<JsonMember> members = {{"a", "1", JsonKind::kRaw}};
    std::string from_vector = "x";
    write_json_object(from_vector, members);
    CHECK(from_vector == R"(x{"a":1})");
    std::string empty;
    write_json_object(empty, std::span<const JsonMember>());
    CHECK(empty == "{}");
    const JsonlFields back = parse_ok(out);
    CHECK(back[2].second == "42");
    CHECK(back.size() == 5);  // The null member is left out.
  }
}
