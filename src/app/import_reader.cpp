#include "ledger/import_reader.h"

#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#include "util/csv.h"
#include "util/jsonl.h"
#include "util/prefixed_stream.h"
#include "util/time.h"

namespace ledger::app {

namespace {

bool listed(std::string_view key, std::span<const char* const> names) {
  return std::any_of(names.begin(), names.end(), [key](const char* c) { return key == c; });
}
bool is_known(std::string_view key) { return listed(key, kImportColumns); }
bool is_ignored(std::string_view key) { return listed(key, kIgnoredColumns); }

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
// How much blank start (blank lines, a byte order mark) the sniffing reads past, at most.
constexpr size_t kBlankStartBytesMax = size_t{1} << 20;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The blank start of the input and the first byte after it (if any): what tells JSON lines
// from CSV.
std::string blank_start(std::istream& in) {
  std::string head;
  for (int c; head.size() < kBlankStartBytesMax && (c = in.get()) != EOF;) {
    head += static_cast<char>(c);
    const bool in_bom = head.size() <= kUtf8Bom.size() && kUtf8Bom.starts_with(head);
    if (!in_bom && !is_blank(head.back())) break;
  }
  return head;
}

// Whether the last byte of `head` (the blank start of a CSV file and the byte after it) starts
// its first record: only empty lines are skipped before a header; a line of spaces is a record.
bool starts_first_record(std::string_view head) {
  if (head.starts_with(kUtf8Bom)) head.remove_prefix(kUtf8Bom.size());
  return head.find_first_not_of("\r\n") == head.size() - 1;
}

void trim(std::string& text) {
  text.erase(text.find_last_not_of(" \t") + 1);  // npos + 1 == 0: all blank.
  text.erase(0, text.find_first_not_of(" \t"));
}

std::string lower_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// A column name as a spreadsheet may write it: " Amount" is "amount".
std::string column_name(std::string text) {
  trim(text);
  return lower_case(std::move(text));
}

constexpr const char* kOps[] = {"open", "deposit", "withdraw", "transfer", "close"};

// Spaces around a value mean nothing, nor capitals in an op ("Deposit"); free text and refs are
// kept as written (import_reader.h). An op that is none in any case stays as typed, for its
// error message.
void tidy(std::string_view key, std::string& value) {
  if (key == "memo" || key == "owner" || key == "ref") return;
  trim(value);
  if (key != "op") return;
  std::string op = lower_case(value);
  if (listed(op, kOps)) value = std::move(op);
}

// The separator a one-column header seems to use instead of commas; none if none.
const char* separator_in(std::string_view header) {
  if (header.find(';') != std::string_view::npos) return "semicolons (\";\")";
  if (header.find('\t') != std::string_view::npos) return "tabs";
  if (header.find('|') != std::string_view::npos) return "vertical bars (\"|\")";
  return nullptr;
}

std::string unknown_column_message(std::string_view key) {
  return fmt::format("unknown column \"{}\" (expected op, account, amount, to, date, memo, ref, "
                     "currency, owner, overdraft_limit)",
                     key);
}

}  // namespace

ImportReader::ImportReader(std::istream& in, ImportFormat format, int64_t now_ns,
                           size_t issues_max)
    : in_(in), format_(format), now_ns_(now_ns), issues_max_(issues_max) {}

ImportReader::~ImportReader() = default;

void ImportReader::issue(size_t line, std::string column, std::string message) {
  ++issues_total_;
  if (issues_.size() < issues_max_) issues_.push_back({line, std::move(column), std::move(message)});
}

// A CSV syntax error, named by the column it is in once the header is known.
void ImportReader::csv_issue() {
  const size_t column = csv_->error_column();
  const bool named = column >= 1 && column <= header_.size();
  issue(csv_->error_line(), named ? header_[column - 1] : "", csv_->status().message());
}

// Takes the blank start of the input and the byte after it, which tells JSON lines ("{") from
// CSV, and hands them on to the reader of the format.
void ImportReader::sniff() {
  std::string head = blank_start(in_);
  const bool json = head.ends_with('{');
  const bool json_as_csv = json && starts_first_record(head);
  const size_t line = 1 + static_cast<size_t>(std::count(head.begin(), head.end(), '\n'));
  sniffed_ = std::make_unique<util::PrefixedStreambuf>(std::move(head), in_);
  input_ = std::make_unique<std::istream>(sniffed_.get());
  if (format_ == ImportFormat::kAuto) format_ = json ? ImportFormat::kJsonl : ImportFormat::kCsv;
  if (format_ == ImportFormat::kJsonl) return;
  csv_ = std::make_unique<util::CsvReader>(*input_);
  if (json_as_csv) {
    refuse_format(line, "this looks like JSON lines, not CSV: import it with --format jsonl");
  }
}

bool ImportReader::refuse_format(size_t line, std::string message) {
  issue(line, "", std::move(message));
  format_refused_ = true;
  return false;
}

bool ImportReader::start() {
  if (started_) return usable_;
  started_ = true;
  sniff();
  usable_ = !format_refused_ && (format_ == ImportFormat::kJsonl || read_header());
  return usable_;
}

bool ImportReader::read_header() {
  if (!csv_->next_record(header_)) {
    if (!csv_->status()) {
      csv_issue();
    } else {
      // An empty file is more likely a failed export than a file of no rows.
      issue(1, "", "no header row (the file is empty; expected a header like op,account,amount)");
    }
    return false;
  }
  // Blank lines may come before it.
  const size_t line = csv_->line();
  for (std::string& name : header_) name = column_name(name);
  if (header_.size() == 1 && !is_known(header_[0]) && !is_ignored(header_[0])) {
    if (const char* separator = separator_in(header_[0])) {
      return refuse_format(
          line, fmt::format("the header row is separated by {}, not commas: import reads CSV "
                            "with commas (and points in amounts), or JSON lines",
                            separator));
    }
  }
  bool ok = true;
  for (size_t i = 0; i < header_.size(); ++i) {
    const std::string& name = header_[i];
    if (!is_known(name) && !is_ignored(name)) {
      issue(line, name, unknown_column_message(name));
      ok = false;
      continue;
    }
    // A second column of the same name would be silently ignored. An unknown column is
    // refused as unknown only, not also as a duplicate; an ignored one may come twice.
    const auto first = std::find(header_.begin(), header_.begin() + i, name);
    if (is_known(name) && first != header_.begin() + i) {
      issue(line, "", fmt::format("duplicate column \"{}\" (columns {} and {})", name,
                                  first - header_.begin() + 1, i + 1));
      ok = false;
    }
  }
  if (std::find(header_.begin(), header_.end(), "op") == header_.end()) {
    issue(line, "", "the header row has no \"op\" column");
    ok = false;
  }
  return ok;
}

// The next record's fields by name; false at the end or when the file cannot be read on.
bool ImportReader::next_fields(size_t& line, Fields& fields) {
  if (format_ == ImportFormat::kCsv) {
    for (;;) {
      if (!csv_->next_record(values_)) {
        if (!csv_->status()) csv_issue();
        return false;
      }
      line = csv_->line();
      if (values_.size() == header_.size()) break;
      issue(line, "", fmt::format("{} fields, but the header has {}", values_.size(), header_.size()));
    }
    // Swapped, not moved: each string's buffer stays in a slot (of `fields` or `values_`) to be
    // filled again, so a row allocates nothing once the first rows have grown them.
    fields.resize(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      tidy(header_[i], values_[i]);
      fields[i].first = header_[i];
      fields[i].second.swap(values_[i]);
    }
    return true;
  }
  fields.clear();
  std::string text;
  while (std::getline(*input_, text)) {
    line = ++jsonl_line_;
    // Like CSV, a file may start with a UTF-8 byte order mark (RFC 8259 lets parsers skip it).
    if (line == 1 && text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto object = util::parse_jsonl_object(text);
    if (!object) {
      issue(line, "", object.status().message());
      continue;
    }
    bool ok = true;
    for (auto& [given_key, value] : *object) {
      const std::string key = column_name(given_key);
      if (is_ignored(key)) continue;
      if (!is_known(key)) {
        issue(line, key, unknown_column_message(key));
        ok = false;
      }
      tidy(key, value);
      fields.emplace_back(key, std::move(value));
    }
    if (ok) return true;
    fields.clear();
  }
  return false;
}

bool ImportReader::next(ImportRow& row) {
  if (!start()) return false;
  size_t line = 0;
  while (next_fields(line, fields_)) {
    if (build(line, fields_, row)) return true;
  }
  return false;
}

bool ImportReader::build(size_t line, const Fields& f, ImportRow& row) {
  static const std::string kNone;
  auto get = [&f](std::string_view key) -> const std::string& {
    auto it = std::find_if(f.begin(), f.end(), [key](const auto& kv) { return kv.first == key; });
    return it == f.end() ? kNone : it->second;
  };
  const std::string& op = get("op");
  std::optional<EffectiveTime> at;
  if (const std::string& date = get("date"); !date.empty()) {
    auto parsed = util::parse_effective(date, now_ns_);
    if (!parsed) {
      issue(line, "date", parsed.status().message());
      return false;
    }
    at = *parsed;
  }
  auto require = [&](std::string_view key) {
    if (!get(key).empty()) return true;
    issue(line, std::string(key), fmt::format("{} needs a value in column \"{}\"", op, key));
    return false;
  };
  if (!require("account")) return false;
  std::string ref = get("ref");
  if (ref.empty()) ref = derived_ref(f);
  row.line = line;
  if (op == "open") {
    const std::string& currency = get("currency");
    const std::string& limit = get("overdraft_limit");
    row.command = OpenAccount{get("account"), get("owner"), currency.empty() ? "USD" : currency,
                              limit.empty() ? "0" : limit, at, ref};
  } else if (op == "deposit") {
    if (!require("amount")) return false;
    row.command = Deposit{get("account"), get("amount"), get("memo"), at, ref};
  } else if (op == "withdraw") {
    if (!require("amount")) return false;
    row.command = Withdraw{get("account"), get("amount"), get("memo"), at, ref};
  } else if (op == "transfer") {
    if (!require("amount") || !require("to")) return false;
    row.command = Transfer{get("account"), get("to"), get("amount"), get("memo"), at, ref};
  } else if (op == "close") {
    row.command = CloseAccount{get("account"), at, ref};
  } else {
    issue(line, "op",
          fmt::format("invalid op \"{}\" (expected open, deposit, withdraw, transfer or close)", op));
    return false;
  }
  return true;
}

std::string ImportReader::derived_ref(const Fields& f) {
  std::string content;
  for (const char* key : kImportColumns) {
    auto it = std::find_if(f.begin(), f.end(), [key](const auto& kv) { return kv.first == key; });
    if (it != f.end()) content += it->second;
    content += '\x1f';
  }
  const uint64_t digest = XXH3_64bits(content.data(), content.size());
  const uint32_t occurrence = occurrences_[digest]++;
  return fmt::format("row:{:016x}", XXH3_64bits_withSeed(&digest, sizeof digest, occurrence));
}

}  // namespace ledger::app
