#include "cli/output_format.h"

#include <array>
#include <string>
#include <utility>

#include <fmt/core.h>

namespace ledger::cli {

namespace {

constexpr std::array<std::pair<std::string_view, OutputFormat>, 6> kFormats{{
    {"table", OutputFormat::kTable},
    {"csv", OutputFormat::kCsv},
    {"tsv", OutputFormat::kTsv},
    {"json", OutputFormat::kJson},
    {"jsonl", OutputFormat::kJsonl},
    {"chart", OutputFormat::kChart},
}};

}  // namespace

const char* output_format_name(OutputFormat format) {
  for (const auto& [name, value] : kFormats) {
    if (value == format) return name.data();
  }
  return "unknown";
}

Result<OutputFormat> parse_output_format(std::string_view name) {
  for (const auto& [known, value] : kFormats) {
    if (known == name) return value;
  }
  return Status(
      ErrorCode::kInvalidArgument,
      fmt::format("unknown format \"{}\" (expected table, csv, tsv, json, jsonl or chart)", name));
}

OutputFormat default_output_format(bool stdout_is_terminal) {
  return stdout_is_terminal ? OutputFormat::kTable : OutputFormat::kCsv;
}

}  // namespace ledger::cli
