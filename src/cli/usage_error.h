#pragma once
// Usage errors in the ledger's voice. CLI11 reports a parse error in its own words ("The
// following arguments were not expected: CHK-001 opne", "--memo: At Most 1 required but received
// 2"); this turns each into one line that names the word at fault and, where a command or option
// is close to it, suggests that one.

#include <CLI/CLI.hpp>
#include <initializer_list>
#include <string>

namespace ledger::cli {

// The message for a parse error of `app` (after app.parse threw `error`), without the
// "ledger: error: " prefix.
std::string usage_message(const CLI::App& app, const CLI::ParseError& error);

// A validator that accepts one of `choices`: `"sometimes" is not one of auto, always, never`.
CLI::Validator one_of(std::initializer_list<const char*> choices);
// A validator of a whole number from `min` to `max`.
CLI::Validator whole_number_between(uint64_t min, uint64_t max);

}  // namespace ledger::cli
