#pragma once
// What the CSV and JSON-lines import targets check alike: the rows and issues ImportReader
// gives for the bytes of an import file, and what the ledger's rules make of those rows.

#include <algorithm>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/ledger_state.h"
#include "fuzz_support.h"
#include "ledger/import_reader.h"
#include "state_round_trip.h"

namespace ledger::fuzz {

inline constexpr int64_t kImportNowNs = 1'782'777'600LL * 1'000'000'000;  // 2026-06-30
inline constexpr size_t kImportIssuesMax = 5;

// The fields every command built from a row must carry (ImportReader requires them).
inline bool has_accounts(const Command& command) {
  if (const auto* t = std::get_if<Transfer>(&command)) return !t->from.empty() && !t->to.empty();
  return std::visit(
      [](const auto& c) {
        if constexpr (std::is_same_v<std::decay_t<decltype(c)>, Transfer>) {
          return true;
        } else {
          return !c.account.empty();
        }
      },
      command);
}

// The line a CSV reader's first record starts on: after the blank lines (LF or CRLF) and the
// byte order mark before it.
inline size_t first_record_line(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  size_t line = 1;
  for (;;) {
    if (bytes.starts_with("\n")) {
      bytes.remove_prefix(1);
    } else if (bytes.starts_with("\r\n")) {
      bytes.remove_prefix(2);
    } else {
      return line;
    }
    ++line;
  }
}

// Whether ImportReader must refuse this CSV header: an unknown column, or no op column.
inline bool header_refused(const std::vector<std::string>& header) {
  if (header.empty()) return false;  // No header was read: an empty file, or a broken one.
  auto listed = [](const std::string& name, std::span<const char* const> names) {
    return std::any_of(names.begin(), names.end(), [&name](const char* n) { return name == n; });
  };
  for (const std::string& name : header) {
    if (!listed(name, app::kImportColumns) && !listed(name, app::kIgnoredColumns)) return true;
  }
  return std::find(header.begin(), header.end(), "op") == header.end();
}

// Runs the rows through decide() and apply() on an empty ledger: whatever decide() accepts,
// LedgerState::check() (what `ledger verify` replays with) must accept too.
inline void decide_rows(const std::vector<ImportRow>& rows) {
  domain::LedgerState state;
  uint64_t seq = 0;
  for (const ImportRow& row : rows) {
    auto decision = domain::decide(state, row.command, kImportNowNs);
    if (!decision) {
      check(!decision.status().message().empty());
      continue;
    }
    if (!decision->event) {
      check(decision->recorded_seq >= 1 && decision->recorded_seq <= seq);
      continue;
    }
    check(decision->event->effective_ns <= kImportNowNs);
    const domain::StoredEvent stored{++seq, kImportNowNs, decision->event->effective_ns,
                                     decision->event->event};
    check(state.check(stored).is_ok());
    state.apply(stored);
    check(state.last_seq() == seq);
  }
  check_state_round_trip(state);
}

// Reads `bytes` as an import file: every row and issue sits on a line of the input, in order,
// the reader stops, and issues are kept up to the limit and counted beyond it.
inline void check_import(std::string_view bytes, app::ImportFormat format) {
  const size_t lines = 1 + static_cast<size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  std::istringstream in{std::string(bytes)};
  app::ImportReader reader(in, format, kImportNowNs, kImportIssuesMax);
  std::vector<ImportRow> rows;
  ImportRow row;
  size_t last_line = 0;
  while (reader.next(row)) {
    check(rows.size() < lines);  // More rows than lines: the reader is looping.
    check(row.line > last_line && row.line <= lines);
    last_line = row.line;
    check(has_accounts(row.command));
    rows.push_back(row);
  }
  check(!reader.next(row));  // The end stays the end.
  check(reader.issues_total() >= reader.issues().size());
  check(reader.issues().size() <= kImportIssuesMax);
  check(reader.failed() == (reader.issues_total() > 0));
  // At most one per column of the header (a comma each) and one for its missing op, or one
  // per key of a line (3 bytes each), or one per line.
  check(reader.issues_total() <= bytes.size() + 2);
  const bool bad_header = format == app::ImportFormat::kCsv && header_refused(reader.header());
  const size_t header_line = bad_header ? first_record_line(bytes) : 0;
  size_t issue_line = 0;
  for (const ImportIssue& issue : reader.issues()) {
    check(issue.line >= 1 && issue.line <= lines);
    check(issue.line >= issue_line);
    issue_line = issue.line;
    check(!issue.message.empty());
    // A refused header stops the reading: every issue is about it, and points at its line.
    if (bad_header) check(issue.line == header_line);
  }
  if (bad_header) check(rows.empty());
  if (format == app::ImportFormat::kCsv && !rows.empty()) {
    const std::vector<std::string>& header = reader.header();
    check(std::find(header.begin(), header.end(), "op") != header.end());
  }
  decide_rows(rows);
}

}  // namespace ledger::fuzz
