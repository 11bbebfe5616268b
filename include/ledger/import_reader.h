#pragma once
// Import files to rows of commands, one row at a time: CSV with a header row naming its
// columns (any order), or JSON lines with the same keys. Syntax is checked here (columns, op,
// dates); the rules of the ledger are checked by Ledger::import against the evolving state.
// Public (app layer): the CLI builds the reader it hands to Ledger::import.
//
// What a spreadsheet writes is read as meant: spaces around a value and capitals in a column
// name or an op mean nothing (` 7.00 `, `Deposit`, `Amount`). Free text (memo, owner) and refs
// are kept exactly as written: they are the user's words, and a ref is a key.

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ledger/ledger.h"

namespace ledger::util {
class CsvReader;
class PrefixedStreambuf;
}

namespace ledger::app {

// kAuto: JSON lines when the first byte that is not white space is "{" (no CSV header can start
// so), else CSV.
enum class ImportFormat { kAuto, kCsv, kJsonl };

// The keys a row may have, and those that history's output adds and import ignores.
inline constexpr const char* kImportColumns[] = {"op",  "account",  "amount", "to",
                                                 "date", "memo",    "ref",    "currency",
                                                 "owner", "overdraft_limit"};
inline constexpr const char* kIgnoredColumns[] = {"seq", "recorded", "type"};

// Rows without a ref get one from their content and how often that same content occurred
// earlier in the file, so a re-run or an overlapping export is recognised, while two
// identical rows in one file stay two.
class ImportReader : public ImportSource {
 public:
  ImportReader(std::istream& in, ImportFormat format, int64_t now_ns, size_t issues_max);
  ~ImportReader() override;  // Out of line, where util::CsvReader is complete.

  // Looks at the start of the input and reads a CSV's header row; next() does so too, once.
  // False when no row can be read: the header is refused, or the input is not in a form this
  // reader takes (format_refused()).
  bool start();
  bool next(ImportRow& row) override;
  bool failed() const override { return issues_total_ > 0; }
  // The input as a whole is in another form (JSON lines given as CSV, a CSV separated by
  // semicolons): its one issue says which, and no line of it was read as rows.
  bool format_refused() const { return format_refused_; }

  const std::vector<std::string>& header() const { return header_; }  // CSV only.
  const std::vector<ImportIssue>& issues() const { return issues_; }
  size_t issues_total() const { return issues_total_; }

 private:
  using Fields = std::vector<std::pair<std::string, std::string>>;
  void sniff();
  bool refuse_format(size_t line, std::string message);
  bool read_header();
  void csv_issue();
  bool next_fields(size_t& line, Fields& fields);
  bool build(size_t line, const Fields& fields, ImportRow& row);
  std::string derived_ref(const Fields& fields);
  void issue(size_t line, std::string column, std::string message);

  std::istream& in_;
  // What the readers read: the bytes sniff() took from in_, then the rest of in_.
  std::unique_ptr<util::PrefixedStreambuf> sniffed_;
  std::unique_ptr<std::istream> input_;
  ImportFormat format_;
  int64_t now_ns_;
  size_t issues_max_;
  std::unique_ptr<util::CsvReader> csv_;
  bool started_ = false;
  bool usable_ = true;
  bool format_refused_ = false;
  size_t jsonl_line_ = 0;
  std::vector<std::string> header_;
  // The record being read, kept from row to row for the capacity of its strings.
  std::vector<std::string> values_;
  Fields fields_;
  std::vector<ImportIssue> issues_;
  size_t issues_total_ = 0;
  // Occurrences of each row content so far, by a 64-bit digest of the content: memory grows
  // with distinct rows at 16 bytes each, not with their text.
  std::unordered_map<uint64_t, uint32_t> occurrences_;
};

}  // namespace ledger::app
