#include "app/import_reader.h"

#include <xxhash.h>

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <unordered_map>

#include "util/csv.h"
#include "util/jsonl.h"
#include "util/time.h"

namespace ledger::app {

namespace {

using Fields = std::map<std::string, std::string, std::less<>>;

bool is_known(std::string_view key) {
  return std::any_of(std::begin(kImportColumns), std::end(kImportColumns),
                     [key](const char* c) { return key == c; });
}

bool is_ignored(std::string_view key) {
  return std::any_of(std::begin(kIgnoredColumns), std::end(kIgnoredColumns),
                     [key](const char* c) { return key == c; });
}

std::string unknown_column_message(std::string_view key) {
  return fmt::format("unknown column \"{}\" (expected op, account, amount, to, date, memo, ref, "
                     "currency, owner, overdraft_limit)",
                     key);
}

class RowBuilder {
 public:
  RowBuilder(ImportFile& file, int64_t now_ns, size_t issues_max)
      : file_(file), now_ns_(now_ns), issues_max_(issues_max) {}

  void issue(size_t line, std::string column, std::string message) {
    ++file_.issues_total;
    if (file_.issues.size() < issues_max_) file_.issues.push_back({line, std::move(column), std::move(message)});
  }

  void add(size_t line, const Fields& f) {
    auto get = [&f](std::string_view key) {
      auto it = f.find(key);
      return it == f.end() ? std::string() : it->second;
    };
    const std::string op = get("op");
    std::optional<int64_t> at;
    if (const std::string date = get("date"); !date.empty()) {
      auto parsed = util::parse_effective(date, now_ns_);
      if (!parsed) return issue(line, "date", parsed.status().message());
      at = *parsed;
    }
    auto require = [&](std::string_view key) {
      if (!get(key).empty()) return true;
      issue(line, std::string(key), fmt::format("{} needs a value in column \"{}\"", op, key));
      return false;
    };
    if (!require("account")) return;
    std::string ref = get("ref");
    if (ref.empty()) ref = derived_ref(f);
    Command command;
    if (op == "open") {
      const std::string currency = get("currency");
      const std::string limit = get("overdraft_limit");
      command = OpenAccount{get("account"), get("owner"), currency.empty() ? "USD" : currency,
                            limit.empty() ? "0" : limit, at, ref};
    } else if (op == "deposit" || op == "withdraw") {
      if (!require("amount")) return;
      if (op == "deposit") {
        command = Deposit{get("account"), get("amount"), get("memo"), at, ref};
      } else {
        command = Withdraw{get("account"), get("amount"), get("memo"), at, ref};
      }
    } else if (op == "transfer") {
      if (!require("amount") || !require("to")) return;
      command = Transfer{get("account"), get("to"), get("amount"), get("memo"), at, ref};
    } else if (op == "close") {
      command = CloseAccount{get("account"), at, ref};
    } else {
      return issue(line, "op",
                   fmt::format("invalid op \"{}\" (expected open, deposit, withdraw, transfer or "
                               "close)",
                               op));
    }
    file_.rows.push_back({line, std::move(command)});
  }

 private:
  std::string derived_ref(const Fields& f) {
    std::string content;
    for (const char* key : kImportColumns) {
      auto it = f.find(key);
      content += it == f.end() ? "" : it->second;
      content += '\x1f';
    }
    const size_t occurrence = occurrences_[content]++;
    content += std::to_string(occurrence);
    return fmt::format("row:{:016x}", XXH3_64bits(content.data(), content.size()));
  }

  ImportFile& file_;
  int64_t now_ns_;
  size_t issues_max_;
  std::unordered_map<std::string, size_t> occurrences_;
};

void read_csv(std::istream& in, ImportFile& file, RowBuilder& rows) {
  util::CsvReader reader(in);
  std::vector<std::string> fields;
  if (!reader.next_record(fields)) {
    if (!reader.status()) rows.issue(reader.error_line(), "", reader.status().message());
    return;
  }
  file.header = fields;
  bool header_ok = true;
  for (const std::string& name : file.header) {
    if (!is_known(name) && !is_ignored(name)) {
      rows.issue(1, name, unknown_column_message(name));
      header_ok = false;
    }
  }
  if (std::find(file.header.begin(), file.header.end(), "op") == file.header.end()) {
    rows.issue(1, "", "the header row has no \"op\" column");
    header_ok = false;
  }
  if (!header_ok) return;
  while (reader.next_record(fields)) {
    if (fields.size() != file.header.size()) {
      rows.issue(reader.line(), "",
                 fmt::format("{} fields, but the header has {}", fields.size(), file.header.size()));
      continue;
    }
    Fields row;
    for (size_t i = 0; i < fields.size(); ++i) row[file.header[i]] = fields[i];
    rows.add(reader.line(), row);
  }
  if (!reader.status()) rows.issue(reader.error_line(), "", reader.status().message());
}

void read_jsonl(std::istream& in, RowBuilder& rows) {
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto object = util::parse_jsonl_object(line);
    if (!object) {
      rows.issue(number, "", object.status().message());
      continue;
    }
    Fields row;
    bool ok = true;
    for (auto& [key, value] : *object) {
      if (is_ignored(key)) continue;
      if (!is_known(key)) {
        rows.issue(number, key, unknown_column_message(key));
        ok = false;
      }
      row[key] = std::move(value);
    }
    if (ok) rows.add(number, row);
  }
}

}  // namespace

ImportFile read_import(std::istream& in, ImportFormat format, int64_t now_ns, size_t issues_max) {
  ImportFile file;
  RowBuilder rows(file, now_ns, issues_max);
  if (format == ImportFormat::kCsv) {
    read_csv(in, file, rows);
  } else {
    read_jsonl(in, rows);
  }
  return file;
}

}  // namespace ledger::app
