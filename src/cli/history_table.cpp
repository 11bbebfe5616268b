#include "cli/history_table.h"

#include <fmt/format.h>

#include <map>
#include <string>

namespace ledger::cli {

namespace {

const std::string& op_of(const HistoryEntry& h) {
  static const std::map<std::string, std::string> kOps = {
      {"AccountOpened", "open"},      {"MoneyDeposited", "deposit"},
      {"MoneyWithdrawn", "withdraw"}, {"MoneyTransferred", "transfer"},
      {"AccountClosed", "close"}};
  return kOps.at(h.type);
}

std::string date_of(const Context& context, const HistoryEntry& h) {
  return context.effective_cell(h.effective_ns, h.type == "AccountClosed");
}

// "transfer CHK-001 to SAV-001: savings; ref X-1", "open CHK-001 (USD, owner Ada, overdraft
// limit 0.00)". The ref goes last, a word of its own: a derived one (row:<16 hex>) alone would
// take a quarter of an 80-column terminal as a column.
std::string event_words(const HistoryEntry& h) {
  const std::string& op = op_of(h);
  std::string words = op + " " + h.account;
  if (op == "open") {
    words += " (" + h.currency;
    if (!h.owner.empty()) words += ", owner " + h.owner;
    words += fmt::format(", overdraft limit {})", h.overdraft_limit);
  }
  if (!h.to.empty()) words += " to " + h.to;
  if (!h.memo.empty()) words += ": " + h.memo;
  if (!h.ref.empty()) words += "; ref " + h.ref;
  return words;
}

}  // namespace

Table history_table(const Context& context, const std::vector<HistoryEntry>& entries) {
  Table t;
  t.columns = {{"seq", CellKind::kInteger},     {"recorded", CellKind::kTime},
               {"date", CellKind::kTime},       {"type", CellKind::kText},
               {"op", CellKind::kText},         {"account", CellKind::kText},
               {"to", CellKind::kText},         {"amount", CellKind::kAmount},
               {"currency", CellKind::kText},   {"owner", CellKind::kFreeText},
               {"overdraft_limit", CellKind::kAmount}, {"memo", CellKind::kFreeText},
               {"ref", CellKind::kText}};
  for (const HistoryEntry& h : entries) {
    t.rows.push_back({std::to_string(h.seq), context.time_cell(h.recorded_ns), date_of(context, h),
                      h.type, op_of(h), h.account, h.to, h.amount, h.currency, h.owner,
                      h.overdraft_limit, h.memo, h.ref});
  }
  return t;
}

Table history_table_compact(const Context& context, const std::vector<HistoryEntry>& entries) {
  Table t;
  t.columns = {{"seq", CellKind::kInteger},   {"recorded", CellKind::kTime},
               {"date", CellKind::kTime},     {"amount", CellKind::kAmount},
               {"event", CellKind::kFreeText}};
  for (const HistoryEntry& h : entries) {
    t.rows.push_back({std::to_string(h.seq), context.time_cell(h.recorded_ns), date_of(context, h),
                      h.amount, event_words(h)});
  }
  return t;
}

}  // namespace ledger::cli
