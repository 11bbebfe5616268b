// libFuzzer target for the CSV reader (util/csv.h) and the CSV import path (ledger/import_reader.h
// into domain::decide).
//
// An input is one control byte and the bytes of a CSV file. The file is read by CsvReader from
// memory and from a stream, which must agree record for record and on the error; if bit 0 of
// the control byte is set, blank lines are put before the file so that the stream's 64 KiB
// chunk boundary falls inside it, at an offset the rest of the byte picks. Checks:
//   - the reader stops, with records or an error whose line and field lie inside the input;
//   - the records it accepts, written by write_csv_record, read back as the same records;
//   - ImportReader's rows and issues sit on lines of the file, in order, and decide() only
//     accepts what LedgerState::check() accepts (import_checks.h).

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "import_checks.h"
#include "util/csv.h"

namespace {

using ledger::fuzz::check;
using ledger::util::CsvReader;

constexpr size_t kChunkBytes = 64 * 1024;  // CsvReader's stream chunk.

struct Outcome {
  std::vector<std::vector<std::string>> records;
  std::vector<size_t> lines;
  ledger::ErrorCode code = ledger::ErrorCode::kOk;
  std::string message;
  size_t error_line = 0;
  size_t error_column = 0;

  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome read_all(CsvReader& reader, size_t input_size) {
  Outcome out;
  std::vector<std::string> fields;
  while (reader.next_record(fields)) {
    check(out.records.size() <= input_size);  // More records than bytes: it is looping.
    check(!fields.empty() && fields.size() <= ledger::util::kCsvFieldsMax);
    out.records.push_back(fields);
    out.lines.push_back(reader.line());
  }
  check(fields.empty());
  check(!reader.next_record(fields));  // The end, or an error, stays.
  out.code = reader.status().code();
  out.message = reader.status().message();
  out.error_line = reader.error_line();
  out.error_column = reader.error_column();
  return out;
}

Outcome read_from_memory(std::string_view text) {
  CsvReader reader(text);
  return read_all(reader, text.size());
}

Outcome read_from_stream(std::string_view text) {
  std::istringstream in{std::string(text)};
  CsvReader reader(in);
  return read_all(reader, text.size());
}

void check_outcome(const Outcome& out, std::string_view text) {
  const size_t lines = 1 + static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  size_t last = 0;
  for (size_t line : out.lines) {
    check(line > last && line <= lines);
    last = line;
  }
  if (out.code == ledger::ErrorCode::kOk) {
    check(out.error_line == 0 && out.error_column == 0);
    return;
  }
  check(out.code == ledger::ErrorCode::kInvalidArgument && !out.message.empty());
  check(out.error_line >= 1 && out.error_line <= lines && out.error_line >= last);
  const size_t fields_max = 1 + static_cast<size_t>(std::count(text.begin(), text.end(), ','));
  check(out.error_column >= 1 && out.error_column <= fields_max);
}

// What the reader accepted, written out and read again, is the same records.
void check_write_round_trip(const Outcome& out) {
  std::string written;
  for (const auto& record : out.records) ledger::util::write_csv_record(written, record);
  const Outcome again = read_from_memory(written);
  check(again.code == ledger::ErrorCode::kOk);
  check(again.records == out.records);
  for (const auto& record : out.records) {
    for (const std::string& field : record) {
      if (field.empty()) continue;  // Alone on a line, an empty field is a blank line.
      const std::string line = ledger::util::csv_field(field) + "\n";
      CsvReader one(line);
      std::vector<std::string> back;
      check(one.next_record(back) && back.size() == 1 && back[0] == field);
    }
  }
}

}  // namespace

extern "C" int LEDGER_FUZZ_ENTRY(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::string_view file = ledger::fuzz::as_text(data + 1, size - 1);

  const Outcome from_memory = read_from_memory(file);
  check_outcome(from_memory, file);
  check(read_from_stream(file) == from_memory);
  check_write_round_trip(from_memory);

  if ((control & 1) != 0 && !file.empty()) {
    const size_t offset = (control >> 1) % file.size();
    std::string padded(kChunkBytes - offset, '\n');
    padded += file;
    const Outcome padded_memory = read_from_memory(padded);
    check_outcome(padded_memory, padded);
    check(read_from_stream(padded) == padded_memory);
  }

  ledger::fuzz::check_import(file, ledger::app::ImportFormat::kCsv);
  return 0;
}
