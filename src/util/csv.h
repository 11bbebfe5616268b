#pragma once
// CSV as RFC 4180 describes it: fields separated by commas, records by line ends; a field that
// holds a comma, quote or line end is quoted, with each quote inside doubled.
//
// Reading is strict, so that a damaged file is refused rather than guessed at: a quote may only
// open a field, a closing quote must be followed by a comma or a line end, and a carriage return
// outside quotes must be followed by a line feed. Lines may end in CRLF or LF (or not at all at
// the end of the input); a UTF-8 byte order mark at the very start is skipped; lines that are
// wholly empty are skipped (a record of one empty field is written as "" so it survives).
//
// Writing ends every record with LF alone, not RFC 4180's CRLF: Unix tools (cut, awk, sort, a
// shell's read) expect LF, and every reader that follows the RFC, ours included, accepts both.

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace ledger::util {

// Bounds on one record, so a missing closing quote cannot make the reader swallow a whole file.
inline constexpr size_t kCsvRecordBytesMax = size_t{1} << 20;
inline constexpr size_t kCsvFieldsMax = 4096;

class CsvReader {
 public:
  // Reads from a stream, in chunks; the stream must outlive the reader.
  explicit CsvReader(std::istream& in);
  // Reads from text in memory, which must outlive the reader.
  explicit CsvReader(std::string_view text);

  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into `fields` (replacing what they held, in the strings already there,
  // so that their buffers are reused). Returns false at the end of
  // the input or on an error; status() tells which. After an error, it keeps returning false.
  bool next_record(std::vector<std::string>& fields);

  // The 1-based line on which the record last returned starts. A quoted field may hold line
  // ends, so the next record can start several lines later.
  size_t line() const { return record_line_; }

  // Ok, or why reading stopped: kInvalidArgument for malformed input (kIoError if the stream
  // failed), with a message that names no position, so that the caller can print
  // `FILE:LINE:COL: error: MESSAGE` with error_line() and error_column().
  const Status& status() const { return status_; }
  // The 1-based line where the error was found; for an unterminated quote, where it opened.
  size_t error_line() const { return error_line_; }
  // The 1-based index of the field in its record where the error was found.
  size_t error_column() const { return error_column_; }

 private:
  static constexpr int kEnd = -1;
  static constexpr size_t kChunkBytes = 64 * 1024;

  int peek();
  int get();
  bool refill();
  bool fail(size_t line, size_t column, std::string message);
  bool skip_blank_lines();
  bool read_quoted(std::string& field, size_t column);
  bool read_unquoted(std::string& field, size_t column);
  bool too_long(size_t column);

  std::istream* in_ = nullptr;
  std::string chunk_;
  const char* pos_ = nullptr;
  const char* end_ = nullptr;
  bool at_start_ = true;
  size_t line_ = 1;
  size_t record_line_ = 0;
  size_t record_bytes_ = 0;
  Status status_;
  size_t error_line_ = 0;
  size_t error_column_ = 0;
};

// One field, quoted only when it must be: when it holds a comma, quote, CR or LF, starts or
// ends with a space or tab (which many readers would trim), or starts with a UTF-8 byte order
// mark (which a reader skips at the start of a file). Formula prefixes (= + - @) are left
// alone: amounts like -5.00 must stay numbers.
std::string csv_field(std::string_view value);

// Appends one record and its LF. A record of one empty field is written as "" so that it is not
// an empty line, which readers skip.
void write_csv_record(std::string& out, const std::vector<std::string>& fields);

}  // namespace ledger::util
