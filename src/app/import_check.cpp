#include "app/import_check.h"

#include <deque>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace ledger::app {

namespace {

bool is_row_problem(ErrorCode code) {
  return code == ErrorCode::kRefused || code == ErrorCode::kInvalidArgument ||
         code == ErrorCode::kConflict;
}

// Which import column a refusal is about, so that the CLI can point at it.
std::string column_of(const Status& status) {
  switch (status.field()) {
    case ErrorField::kOp: return "op";
    case ErrorField::kTo: return "to";
    case ErrorField::kAmount: return "amount";
    case ErrorField::kDate: return "date";
    case ErrorField::kCurrency: return "currency";
    case ErrorField::kOverdraftLimit: return "overdraft_limit";
    case ErrorField::kRef: return "ref";
    case ErrorField::kOwner: return "owner";
    case ErrorField::kMemo: return "memo";
    case ErrorField::kAccount:
    case ErrorField::kNone: return "account";
  }
  return "account";
}

}  // namespace

Status check_import_rows(ImportOrder& ordered, ImportCheck& check, ImportResult& result) {
  auto bad_row = [&](size_t line, const Status& status) {
    ++result.issues_total;
    if (result.issues.size() < check.issues_max) {
      result.issues.push_back({line, column_of(status), status.message()});
    }
  };
  // Rows that share a position are checked together (the balance at a point is what all its
  // entries leave), so their order in the file changes nothing. Each row is decided first as if
  // alone; one that only the balance rules refuse is let in for now, and the accounts it moves
  // are checked once the position's last row is in. (A row that passes alone passes together
  // too: an account's last row that passed saw all of the account's rows there before it.) A
  // failure is named on the account's first recorded row at the position.
  std::unordered_set<std::string_view> deferred;  // Views into position_rows.
  bool overdrawn = false;
  // The rows of the current position. Slots are reused, so that their strings keep their
  // capacity; a deque, so that views into them stay valid while it grows.
  std::deque<ImportRow> position_rows;
  size_t position_size = 0;
  std::vector<bool> position_recorded;
  while (!ordered.done()) {
    const domain::TimelineKey key = ordered.next_key();
    if (position_size == position_rows.size()) position_rows.emplace_back();
    ImportRow& row = position_rows[position_size++];
    if (Status s = ordered.take(row); !s) return s;
    const bool position_ends = ordered.done() || ordered.next_key() != key;
    ++result.rows;
    if (check.progress && result.rows % 4096 == 0) check.progress(result.rows);
    // Once a position's check has failed, its rows stay applied (so that later rows are
    // checked against what the file means) and the books are overdrawn somewhere: every
    // account a row moves is then checked at its position's end, as a deposit that leaves an
    // account overdrawn is bad too. Until then, a row that passes alone passes.
    auto decision = domain::decide(check.state, row.command, check.now_ns, /*defer_funds=*/overdrawn);
    bool defer = overdrawn;
    if (!decision && !overdrawn && decision.status().code() == ErrorCode::kRefused) {
      auto deferred_decision = domain::decide(check.state, row.command, check.now_ns, /*defer_funds=*/true);
      defer = static_cast<bool>(deferred_decision);
      if (defer) decision = std::move(deferred_decision);
    }
    // A row is bad when a rule or its data refuses it; anything else (the log unreadable, an
    // index that cannot be read) ends the import.
    if (!decision && !is_row_problem(decision.status().code())) {
      return decision.status();
    }
    position_recorded.push_back(decision && decision->event.has_value());
    if (!decision) {
      bad_row(row.line, decision.status());
    } else if (!decision->event) {
      ++result.already_recorded;
    } else {
      if (defer) {
        for (std::string_view account : domain::accounts_moved(row.command)) deferred.insert(account);
      }
      LEDGER_RETURN_IF_ERROR(check.record(*decision->event));
    }
    if (!position_ends) continue;
    // Once per account, named on its first recorded row there, in line order (rows are in line
    // order within a position).
    if (!deferred.empty()) {
      std::vector<std::pair<std::string_view, size_t>> blamed;
      for (size_t i = 0; i < position_size; ++i) {
        if (!position_recorded[i]) continue;
        for (std::string_view account : domain::accounts_moved(position_rows[i].command)) {
          // Erased once blamed: each account is named on its first recorded row.
          if (deferred.erase(account) > 0) blamed.emplace_back(account, position_rows[i].line);
        }
      }
      for (const auto& [account, line] : blamed) {
        if (Status s = domain::check_funds(check.state, account, key.position); !s) {
          if (!is_row_problem(s.code())) return s;
          bad_row(line, s);
          overdrawn = true;
        }
      }
      deferred.clear();
    }
    position_size = 0;
    position_recorded.clear();
  }
  return Status::ok();
}

}  // namespace ledger::app
