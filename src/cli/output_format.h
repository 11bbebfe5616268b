#pragma once
// The formats that query results print in (`--format`), and the default when none is given.

#include <string_view>

#include "ledger/status.h"

namespace ledger::cli {

// kChart draws a time series as bars, on a terminal only, for the commands that have one
// (balance --every, statement); Context::prepare refuses it elsewhere.
enum class OutputFormat { kTable, kCsv, kTsv, kJson, kJsonl, kChart };

// The name users type for `format`: "table", "csv", "tsv", "json", "jsonl" or "chart".
const char* output_format_name(OutputFormat format);

// Parses a `--format` value. Names are exact and lower case; anything else is kInvalidArgument:
// `unknown format "xml" (expected table, csv, tsv, json, jsonl or chart)`.
Result<OutputFormat> parse_output_format(std::string_view name);

// Aligned tables for people at a terminal. When stdout is a pipe or a file we print CSV: it is
// the first format for pipes (ledger(1), OUTPUT): every spreadsheet and `cut`/`awk`/`mlr` reads it,
// and it keeps one record per line for cells without newlines, so `| head` and `| grep` work.
OutputFormat default_output_format(bool stdout_is_terminal);

}  // namespace ledger::cli
