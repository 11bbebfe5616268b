#include "util/csv.h"

#include <fmt/format.h>

#include <cstring>

namespace ledger::util {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool needs_quotes(std::string_view value) {
  if (value.empty()) return false;
  if (value.find_first_of(",\"\r\n") != std::string_view::npos) return true;
  // At the start of a file, a reader would take it for a byte order mark and skip it.
  if (value.starts_with(kUtf8Bom)) return true;
  const auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
  return is_blank(value.front()) || is_blank(value.back());
}

void append_field(std::string& out, std::string_view value) {
  if (!needs_quotes(value)) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

}  // namespace

CsvReader::CsvReader(std::istream& in) : in_(&in) {}

CsvReader::CsvReader(std::string_view text) : pos_(text.data()), end_(text.data() + text.size()) {}

bool CsvReader::refill() {
  if (in_ == nullptr) return false;
  chunk_.resize(kChunkBytes);
  in_->read(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
  const auto count = static_cast<size_t>(in_->gcount());
  if (count == 0) {
    if (in_->bad() && status_.is_ok()) {
      status_ = Status(ErrorCode::kIoError, "read error");
      error_line_ = line_;
      error_column_ = 1;
    }
    return false;
  }
  pos_ = chunk_.data();
  end_ = pos_ + count;
  return true;
}

int CsvReader::peek() {
  if (pos_ == end_ && !refill()) return kEnd;
  return static_cast<unsigned char>(*pos_);
}

int CsvReader::get() {
  const int c = peek();
  if (c != kEnd) {
    ++pos_;
    ++record_bytes_;
  }
  return c;
}

bool CsvReader::fail(size_t line, size_t column, std::string message) {
  status_ = Status(ErrorCode::kInvalidArgument, std::move(message));
  error_line_ = line;
  error_column_ = column;
  return false;
}

bool CsvReader::too_long(size_t column) {
  if (record_bytes_ <= kCsvRecordBytesMax) return false;
  return !fail(record_line_, column,
               fmt::format("record is longer than {} bytes (is a closing quote missing?)",
                           kCsvRecordBytesMax));
}

// Skips empty lines; false at the end of the input or on an error.
bool CsvReader::skip_blank_lines() {
  for (;;) {
    const int c = peek();
    if (c == kEnd) return false;
    if (c != '\r' && c != '\n') return true;
    get();
    if (c == '\r' && get() != '\n') {
      return fail(line_, 1, "carriage return not followed by a line feed");
    }
    ++line_;
  }
}

bool CsvReader::read_quoted(std::string& field, size_t column) {
  const size_t quote_line = line_;
  get();  // The opening quote.
  for (;;) {
    const int c = get();
    if (c == kEnd) {
      return status_.is_ok() &&
             fail(quote_line, column, "unterminated quoted field (the closing quote is missing)");
    }
    if (too_long(column)) return false;
    if (c == '"') {
      if (peek() != '"') break;
      get();
    } else if (c == '\n') {
      ++line_;
    }
    field += static_cast<char>(c);
  }
  const int after = peek();
  if (after == ',' || after == '\n' || after == '\r' || after == kEnd) return true;
  return fail(line_, column,
              "unexpected character after a closing quote (a quote inside a quoted field must "
              "be doubled)");
}

bool CsvReader::read_unquoted(std::string& field, size_t column) {
  for (;;) {
    if (pos_ == end_ && !refill()) return true;
    const char* stop = pos_;
    while (stop != end_ && *stop != ',' && *stop != '\n' && *stop != '\r' && *stop != '"') ++stop;
    field.append(pos_, stop);
    record_bytes_ += static_cast<size_t>(stop - pos_);
    pos_ = stop;
    if (too_long(column)) return false;
    if (stop == end_) continue;
    if (*stop != '"') return true;
    return fail(line_, column,
                "quote inside an unquoted field (quote the whole field and double the quote)");
  }
}

bool CsvReader::next_record(std::vector<std::string>& fields) {
  // The strings of `fields` are refilled, not replaced, so that a caller reading record after
  // record into the same vector reuses their buffers; those past the record's fields are dropped.
  size_t used = 0;
  auto next_field = [&]() -> std::string& {
    if (used == fields.size()) fields.emplace_back();
    std::string& field = fields[used++];
    field.clear();
    return field;
  };
  auto end_record = [&](bool ok) {
    fields.resize(ok ? used : 0);
    return ok;
  };
  if (!status_.is_ok()) return end_record(false);
  if (at_start_) {
    at_start_ = false;
    if (peek() != kEnd && static_cast<size_t>(end_ - pos_) >= kUtf8Bom.size() &&
        std::memcmp(pos_, kUtf8Bom.data(), kUtf8Bom.size()) == 0) {
      pos_ += kUtf8Bom.size();
    }
  }
  if (!skip_blank_lines()) return end_record(false);
  record_line_ = line_;
  record_bytes_ = 0;
  for (size_t column = 1;; ++column) {
    if (column > kCsvFieldsMax) {
      return end_record(fail(line_, column, fmt::format("more than {} fields", kCsvFieldsMax)));
    }
    std::string& field = next_field();
    const bool ok = peek() == '"' ? read_quoted(field, column) : read_unquoted(field, column);
    if (!ok || !status_.is_ok()) return end_record(false);
    const int c = get();
    if (c == ',') continue;
    if (c == '\r' && get() != '\n') {
      return end_record(fail(line_, column, "carriage return not followed by a line feed"));
    }
    if (c != kEnd) ++line_;
    return end_record(true);
  }
}

std::string csv_field(std::string_view value) {
  std::string out;
  append_field(out, value);
  return out;
}

void write_csv_record(std::string& out, const std::vector<std::string>& fields) {
  if (fields.size() == 1 && fields[0].empty()) {
    out += "\"\"\n";
    return;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) out += ',';
    append_field(out, fields[i]);
  }
  out += '\n';
}

}  // namespace ledger::util
