#pragma once
// Import files to rows of commands: CSV with a header row naming its columns (any order), or
// JSON lines with the same keys. Syntax is checked here (columns, op, dates); the rules of the
// ledger are checked by Ledger::import against the evolving state.

#include <istream>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace ledger::app {

enum class ImportFormat { kCsv, kJsonl };

// The keys a row may have, and those that history's output adds and import ignores.
inline constexpr const char* kImportColumns[] = {"op",  "account",  "amount", "to",
                                                 "date", "memo",    "ref",    "currency",
                                                 "owner", "overdraft_limit"};
inline constexpr const char* kIgnoredColumns[] = {"seq", "recorded", "type"};

struct ImportFile {
  std::vector<std::string> header;  // CSV: the column names in file order.
  std::vector<ImportRow> rows;
  std::vector<ImportIssue> issues;  // Syntax problems; rows with one are left out.
  size_t issues_total = 0;          // Including those beyond the limit.
};

// Rows without a ref get one from their content and how often that same content occurred
// earlier in the file, so a re-run or an overlapping export is recognised, while two
// identical rows in one file stay two.
ImportFile read_import(std::istream& in, ImportFormat format, int64_t now_ns, size_t issues_max);

}  // namespace ledger::app
