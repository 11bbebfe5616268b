#include "ledger/import_reader.h"

#include <xxhash.h>

#include <algorithm>
#include <fmt/format.h>

#include "util/csv.h"
#include "util/jsonl.h"
#include "util/time.h"

namespace ledger::app {

namespace {

bool listed(std::string_view key, std::span<const char* const> names) {
  return std::any_of(names.begin(), names.end(), [key](const char* c) { return key == c; });
}
bool is_known(std::string_view key) { return listed(key, kImportColumns); }
bool is_ignored(std::string_view key) { return listed(key, kIgnoredColumns); }

std::string unknown_column_message(std::string_view key) {
  return fmt::format("unknown column \"{}\" (expected op, account, amount, to, date, memo, ref, "
                     "currency, owner, overdraft_limit)",
                     key);
}

}  // namespace

ImportReader::ImportReader(std::istream& in, ImportFormat format, int64_t now_ns,
                           size_t issues_max)
    : in_(in), format_(format), now_ns_(now_ns), issues_max_(issues_max) {
  if (format_ == ImportFormat::kCsv) csv_ = std::make_unique<util::CsvReader>(in_);
}

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
  fields.clear();
  if (format_ == ImportFormat::kCsv) {
    std::vector<std::string> values;
    for (;;) {
      if (!csv_->next_record(values)) {
        if (!csv_->status()) csv_issue();
        return false;
      }
      line = csv_->line();
      if (values.size() == header_.size()) break;
      issue(line, "", fmt::format("{} fields, but the header has {}", values.size(), header_.size()));
    }
    for (size_t i = 0; i < values.size(); ++i) fields.emplace_back(header_[i], std::move(values[i]));
    return true;
  }
  std::string text;
  while (std::getline(in_, text)) {
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
    for (auto& [key, value] : *object) {
      if (is_ignored(key)) continue;
      if (!is_known(key)) {
        issue(line, key, unknown_column_message(key));
        ok = false;
      }
      fields.emplace_back(key, std::move(value));
    }
    if (ok) return true;
    fields.clear();
  }
  return false;
}

bool ImportReader::next(ImportRow& row) {
  if (!started_) {
    started_ = true;
    usable_ = format_ != ImportFormat::kCsv || read_header();
  }
  if (!usable_) return false;
  size_t line = 0;
  Fields fields;
  while (next_fields(line, fields)) {
    if (build(line, fields, row)) return true;
  }
  return false;
}

bool ImportReader::build(size_t line, const Fields& f, ImportRow& row) {
  auto get = [&f](std::string_view key) {
    auto it = std::find_if(f.begin(), f.end(), [key](const auto& kv) { return kv.first == key; });
    return it == f.end() ? std::string() : it->second;
  };
  const std::string op = get("op");
  std::optional<EffectiveTime> at;
  if (const std::string date = get("date"); !date.empty()) {
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
    const std::string currency = get("currency");
    const std::string limit = get("overdraft_limit");
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
