// libFuzzer target for the parsers of what an auditor is handed (app/log_tree.cpp): a digest
// line and a proof document.
//
// An input is a digest line, a newline, then a proof. Checks:
//   - a digest parse_digest accepts is exactly what digest_text writes for it (hex in either
//     case), and writing it again parses to the same tree head; a refusal is kInvalidArgument
//     with a message;
//   - check_proof never crashes or reads out of bounds; it accepts, refuses the document
//     (kInvalidArgument) or fails the proof (kRefused), each with a message; what it accepts
//     is for the digest given, an event within it.

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "ledger/ledger.h"

namespace {

using ledger::fuzz::check;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

extern "C" int LEDGER_FUZZ_ENTRY(const uint8_t* data, size_t size) {
  const std::string_view input = ledger::fuzz::as_text(data, size);
  const size_t newline = input.find('\n');
  const std::string_view line = input.substr(0, newline);
  auto head = ledger::parse_digest(line);
  if (!head) {
    check(head.status().code() == ledger::ErrorCode::kInvalidArgument);
    check(!head.status().message().empty());
    return 0;
  }
  const std::string written = ledger::digest_text(*head);
  check(written == lower(line));
  auto again = ledger::parse_digest(written);
  check(again.is_ok() && *again == *head);
  if (newline == std::string_view::npos) return 0;
  auto checked = ledger::check_proof(input.substr(newline + 1), *head);
  if (checked) {
    check(checked->head == *head);
    check(checked->seq >= 1 && checked->seq <= head->size);
    check(!checked->event.empty());
  } else {
    const ledger::ErrorCode code = checked.status().code();
    check(code == ledger::ErrorCode::kInvalidArgument || code == ledger::ErrorCode::kRefused);
    check(!checked.status().message().empty());
  }
  return 0;
}
