// libFuzzer target for the JSON-lines reader (util/jsonl.h) and the JSON-lines import path
// (ledger/import_reader.h into domain::decide).
//
// An input is the bytes of a JSON-lines file. Every line goes through parse_jsonl_object:
//   - it gives a flat object, or an error whose column lies inside the line (or just past it);
//   - an object's keys are distinct and its keys and values valid UTF-8, and written again by
//     write_json_object it parses to the same members;
//   - the line itself, written as a JSON string value, parses back to itself when it is valid
//     UTF-8 (and to valid UTF-8 when it is not).
// Then ImportReader reads the whole file: its rows and issues sit on lines of the file, in
// order, and decide() only accepts what LedgerState::check() accepts (import_checks.h).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "import_checks.h"
#include "util/jsonl.h"

namespace {

using ledger::fuzz::check;
using ledger::fuzz::is_valid_utf8;
using ledger::util::JsonlFields;
using ledger::util::JsonMember;

void check_fields(const JsonlFields& fields) {
  check(fields.size() <= ledger::util::kJsonlMembersMax);
  for (size_t i = 0; i < fields.size(); ++i) {
    check(is_valid_utf8(fields[i].first) && is_valid_utf8(fields[i].second));
    for (size_t j = 0; j < i; ++j) check(fields[j].first != fields[i].first);
  }
  std::vector<JsonMember> members;
  for (const auto& [key, value] : fields) members.push_back({key, value});
  std::string written;
  ledger::util::write_json_object(written, members);
  auto again = ledger::util::parse_jsonl_object(written);
  check(again.is_ok() && *again == fields);
}

void check_as_value(std::string_view line) {
  std::string written;
  ledger::util::write_json_object(written, {{"v", line}});
  auto back = ledger::util::parse_jsonl_object(written);
  check(back.is_ok() && back->size() == 1 && (*back)[0].first == "v");
  const std::string& value = (*back)[0].second;
  check(is_valid_utf8(value));
  if (is_valid_utf8(line)) check(value == line);
}

void check_line(std::string_view line) {
  size_t column = 0;
  auto parsed = ledger::util::parse_jsonl_object(line, &column);
  if (parsed) {
    check_fields(*parsed);
  } else {
    check(parsed.status().code() == ledger::ErrorCode::kInvalidArgument);
    check(!parsed.status().message().empty());
    check(column >= 1 && column <= line.size() + 1);
  }
  check_as_value(line);
}

}  // namespace

extern "C" int LEDGER_FUZZ_ENTRY(const uint8_t* data, size_t size) {
  const std::string_view file = ledger::fuzz::as_text(data, size);
  size_t start = 0;
  while (start <= file.size()) {
    size_t end = file.find('\n', start);
    if (end == std::string_view::npos) end = file.size();
    check_line(file.substr(start, end - start));
    start = end + 1;
  }
  ledger::fuzz::check_import(file, ledger::app::ImportFormat::kJsonl);
  return 0;
}
