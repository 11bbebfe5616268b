// balance, accounts, statement, history: ask the service, turn the answer into a table.
#include <fmt/format.h>
#include <malloc.h>

#include <functional>

#include "cli/context.h"
#include "cli/history_table.h"
#include "cli/series_command.h"
#include "ledger/money.h"
#include "util/time.h"

namespace ledger::cli {

namespace {

struct QueryOptions {
  std::vector<std::string> accounts;
  std::string account;
  std::optional<std::string> at;
  std::optional<std::string> known_at;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> every;  // balance --every: a time series.
};

Status usage(std::string message) { return Status(ErrorCode::kUsage, std::move(message)); }

// balance --every PERIOD [--from D] [--to D]: a series ends at --to, so --at has no place in it;
// without --every, --at is the one date.
int run_series(Context& context, const QueryOptions& o) {
  context.allow_chart();
  if (Status s = context.prepare(); !s) return context.fail(s);
  if (o.at) {
    return context.fail(usage("--at names one date; with --every, the series ends at --to"));
  }
  return run_balance_series(context, {o.accounts, *o.every, o.from, o.to, o.known_at});
}

std::string amount_text(const AccountView& a, int64_t minor) {
  return format_amount(minor, a.decimals);
}

// A period whose start is after its end is a mistake (swapped dates), not an empty answer.
Status check_period(const QueryOptions& o, const std::optional<int64_t>& from,
                    const std::optional<int64_t>& to) {
  if (!from || !to || *from <= *to) return Status::ok();
  return Status(ErrorCode::kInvalidArgument,
                fmt::format("--from \"{}\" is after --to \"{}\" (the period is empty)", *o.from,
                            *o.to));
}

// "as of 2026-06-30 23:59:59 UTC, as known at ...": every report says the cutoff it used.
// With `from`, the period's start comes first: "from 2026-06-01, as of 2026-06-30".
std::string cutoff_line(const std::optional<int64_t>& at, const std::optional<int64_t>& known_at,
                        int64_t now_ns, const std::optional<int64_t>& from = std::nullopt) {
  std::string line;
  if (from) line = fmt::format("from {}, ", util::format_effective(*from, true, false));
  line += fmt::format("as of {}", util::format_effective(at.value_or(now_ns), true, true));
  if (known_at) line += fmt::format(", as known at {}", util::format_effective(*known_at, true, true));
  return line;
}

Table balances_table(const Context& context, std::vector<AccountView>&& views,
                     bool with_details) {
  Table t;
  t.columns = {{"account", CellKind::kText}, {"balance", CellKind::kAmount},
               {"currency", CellKind::kText}};
  if (with_details) {
    t.columns.push_back({"status", CellKind::kText});
    t.columns.push_back({"owner", CellKind::kFreeText});
    t.columns.push_back({"overdraft_limit", CellKind::kAmount});
    t.columns.push_back({"opened", CellKind::kTime});
  }
  t.rows.reserve(views.size());
  for (AccountView& a : views) {
    std::vector<std::string> row;
    row.reserve(t.columns.size());
    row.push_back(std::move(a.id));
    row.push_back(amount_text(a, a.balance));
    row.push_back(a.currency);
    if (with_details) {
      row.push_back(a.closed ? "closed" : "open");
      row.push_back(std::move(a.owner));
      row.push_back(amount_text(a, a.overdraft_limit));
      row.push_back(context.effective_cell(a.opened_ns));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

// A report's digest (ledger(1), "Proving history"): the tree head of the events it read,
// those recorded up to its --known-at, or all. A table ends with it and each JSON object holds
// it, so that a printed report can be held to the books later; CSV and TSV stay plain, and
// pay nothing. `query` reads what the report shows. Without --known-at, a write committed
// between the query and the digest would be counted in one and not the other: the events
// counted before the query must be those the digest covers, or both are read again. A log
// that cannot give a digest (purged) gives none; one that fails to (a damaged segment that
// the query did not need) gives none and says why on stderr: the report itself stands.
Result<std::optional<std::string>> read_with_digest(Context& context,
                                                    std::optional<int64_t> known_at,
                                                    const std::function<Status()>& query) {
  const OutputFormat f = context.format();
  const bool wanted = !(f == OutputFormat::kCsv || f == OutputFormat::kTsv ||
                        f == OutputFormat::kChart || (f == OutputFormat::kTable && context.quiet()));
  if (!wanted) {
    LEDGER_RETURN_IF_ERROR(query());
    return std::optional<std::string>();
  }
  constexpr int kReads = 3;
  for (int read = 1;; ++read) {
    std::optional<uint64_t> before;
    if (!known_at) {
      auto count = context.ledger().tree_size();
      if (count) before = *count;
    }
    LEDGER_RETURN_IF_ERROR(query());
    auto head = context.ledger().digest_known_at(known_at);
    if (!head) {
      if (head.status().code() != ErrorCode::kRefused) {
        context.note(fmt::format("no digest: {}", head.status().message()));
      }
      return std::optional<std::string>();
    }
    if (!before || head->size == *before) return std::optional<std::string>(digest_text(*head));
    if (read == kReads) {
      context.note(fmt::format("note: the books were written to while this report was "
                               "read ({} times); its digest covers {} events, which it may not "
                               "all show",
                               kReads, head->size));
      return std::optional<std::string>(digest_text(*head));
    }
  }
}

// Emits `t`, with the digest as a last column in JSON, or as a line after a table.
void emit_with_digest(Context& context, Table t, const std::optional<std::string>& digest) {
  const bool json = context.format() == OutputFormat::kJson || context.format() == OutputFormat::kJsonl;
  if (digest && json) {
    t.columns.push_back({"digest", CellKind::kText});
    for (auto& row : t.rows) row.push_back(*digest);
  }
  context.emit(t);
  if (digest && !json) context.heading("digest " + *digest);
}

// A listing of every account builds its accounts, their views, the table's rows and the output
// in turn, each of a few MiB. glibc maps each block of 128 KiB or more apart and unmaps it when
// freed, so every one of them faults in fresh pages, which on a virtual machine cost
// microseconds each; kept in the heap, a block freed is reused by the next. (For the process's
// rest, which is only this command: an import's sort buffers, allocated and freed over and
// over, are better off with glibc's own adaptive threshold, and it stays theirs.)
void keep_freed_memory() { mallopt(M_MMAP_THRESHOLD, 64 << 20); }

int run_balances(Context& context, const QueryOptions& o, bool accounts_listing) {
  if (!accounts_listing && o.every) return run_series(context, o);
  if (Status s = context.prepare(); !s) return context.fail(s);
  if (o.from || o.to) {
    return context.fail(usage("--from and --to bound a series (--every PERIOD); for one date, use "
                              "--at"));
  }
  auto at = context.cutoff(o.at, "--at");
  if (!at) return context.fail(at.status());
  auto known_at = context.cutoff(o.known_at, "--known-at");
  if (!known_at) return context.fail(known_at.status());
  Result<std::vector<AccountView>> views = Status(ErrorCode::kInternal, "not read");
  if (accounts_listing || o.accounts.empty()) keep_freed_memory();
  auto digest = read_with_digest(context, *known_at, [&] {
    views = context.ledger().balances(accounts_listing ? std::vector<std::string>{} : o.accounts,
                                      Cutoffs{*at, *known_at});
    return views.status();
  });
  if (!digest) return context.fail(digest.status());
  context.heading(cutoff_line(*at, *known_at, context.now_ns()));
  emit_with_digest(context, balances_table(context, std::move(*views), accounts_listing), *digest);
  return 0;
}

// The running balance as bars: the opening balance, then the balance after each movement.
Chart running_balance_chart(const Context& context, const Statement& statement) {
  const AccountView& a = statement.account;
  Chart chart{a.currency, a.decimals, {{"opening", statement.opening_balance}}};
  for (const StatementLine& l : statement.lines) {
    chart.bars.push_back({context.effective_cell(l.effective_ns), l.balance});
  }
  return chart;
}

int run_statement(Context& context, const QueryOptions& o) {
  context.allow_chart();
  if (Status s = context.prepare(); !s) return context.fail(s);
  auto from = context.range_start(o.from, "--from");
  if (!from) return context.fail(from.status());
  auto to = context.cutoff(o.to, "--to");
  if (!to) return context.fail(to.status());
  if (Status s = check_period(o, *from, *to); !s) return context.fail(s);
  auto known_at = context.cutoff(o.known_at, "--known-at");
  if (!known_at) return context.fail(known_at.status());
  Result<Statement> statement = Status(ErrorCode::kInternal, "not read");
  auto digest = read_with_digest(context, *known_at, [&] {
    statement = context.ledger().statement(o.account, *from, *to, *known_at);
    return statement.status();
  });
  if (!digest) return context.fail(digest.status());
  const AccountView& a = statement->account;
  Table t;
  t.columns = {{"date", CellKind::kTime},      {"seq", CellKind::kInteger},
               {"type", CellKind::kText},      {"counterparty", CellKind::kText},
               {"amount", CellKind::kAmount},  {"balance", CellKind::kAmount},
               {"currency", CellKind::kText},  {"memo", CellKind::kFreeText},
               {"ref", CellKind::kText}};
  for (const StatementLine& l : statement->lines) {
    t.rows.push_back({context.effective_cell(l.effective_ns), std::to_string(l.seq), l.type,
                      l.counterparty, amount_text(a, l.amount), amount_text(a, l.balance),
                      a.currency, l.memo, l.ref});
  }
  if (context.format() == OutputFormat::kChart) {
    context.heading(fmt::format("running balance of {} ({}), {}", a.id, a.currency,
                                cutoff_line(*to, *known_at, context.now_ns(), *from)));
    context.emit(running_balance_chart(context, *statement));
  } else if (context.format() == OutputFormat::kTable) {
    context.heading(fmt::format("statement of {} ({}), {}", a.id, a.currency,
                                cutoff_line(*to, *known_at, context.now_ns(), *from)));
    context.heading(fmt::format("opening balance {} {}", amount_text(a, statement->opening_balance),
                                a.currency));
    context.emit(t);
    context.heading(fmt::format("closing balance {} {}", amount_text(a, statement->closing_balance),
                                a.currency));
    if (*digest) context.heading("digest " + **digest);
  } else {
    emit_with_digest(context, std::move(t), *digest);
  }
  return 0;
}

int run_history(Context& context, const QueryOptions& o) {
  if (Status s = context.prepare(); !s) return context.fail(s);
  auto from = context.range_start(o.from, "--from");
  if (!from) return context.fail(from.status());
  auto to = context.cutoff(o.to, "--to");
  if (!to) return context.fail(to.status());
  if (Status s = check_period(o, *from, *to); !s) return context.fail(s);
  auto entries = context.ledger().history(
      o.account.empty() ? std::nullopt : std::optional<std::string>(o.account), *from, *to);
  if (!entries) return context.fail(entries.status());
  context.heading(cutoff_line(*to, std::nullopt, context.now_ns(), *from));
  const Table full = history_table(context, *entries);
  // On a terminal too narrow for thirteen columns, the compact form (whose events wrap).
  const size_t width = context.terminal_width();
  const bool narrow = context.format() == OutputFormat::kTable && width > 0 &&
                      natural_width(full) > width;
  context.emit(narrow ? history_table_compact(context, *entries) : full);
  return 0;
}

}  // namespace

void setup_query_commands(CLI::App& app, Context& context, int& exit_code) {
  static QueryOptions o;  // One subcommand runs per process.
  const char* at_help = "Books as of T: events effective at or before T (YYYY-MM-DD = end of day)";
  const char* known_help = "Books as they stood at T: only what was recorded by then";

  auto* balance = app.add_subcommand("balance", "Balances of accounts (all when none is named)");
  balance->add_option("ACC", o.accounts, "Account ids");
  balance->add_option("--at", o.at, at_help);
  balance->add_option("--known-at", o.known_at, known_help);
  balance->add_option("--every", o.every,
                      "A time series: the balance at the end of each day, week, month, quarter "
                      "or year")
      ->type_name("PERIOD");
  balance->add_option("--from", o.from, "With --every: the series starts in the period of T");
  balance->add_option("--to", o.to, "With --every: the series ends at T (default: today)");
  balance->footer(
      "Examples:\n  ledger balance ACC-001 --at 2026-06-30\n"
      "  ledger balance ACC-001 --every month --from 2026-01-01 --format chart");
  balance->callback([&] { exit_code = run_balances(context, o, false); });

  auto* accounts = app.add_subcommand("accounts", "Every account: status, currency, balance");
  accounts->add_option("--at", o.at, at_help);
  accounts->add_option("--known-at", o.known_at, known_help);
  accounts->footer("Example:\n  ledger accounts --format csv");
  accounts->callback([&] { exit_code = run_balances(context, o, true); });

  auto* statement = app.add_subcommand(
      "statement", "Opening balance, each movement in effective order, closing balance");
  statement->add_option("ACC", o.account, "Account id")->required();
  statement->add_option("--from", o.from, "First effective time shown");
  statement->add_option("--to", o.to, "Last effective time shown (YYYY-MM-DD = end of day)");
  statement->add_option("--known-at", o.known_at, known_help);
  statement->footer(
      "Examples:\n  ledger statement ACC-001 --from 2026-01-01 --to 2026-06-30 --format csv\n"
      "  ledger statement ACC-001 --format chart     # the running balance, on a terminal");
  statement->callback([&] { exit_code = run_statement(context, o); });

  auto* history = app.add_subcommand("history", "The raw events in log order (the audit trail)");
  history->add_option("ACC", o.account, "Only events touching this account");
  history->add_option("--from", o.from, "Recorded at or after T");
  history->add_option("--to", o.to, "Recorded at or before T");
  history->footer("Example:\n  ledger history ACC-001 --format jsonl");
  history->callback([&] { exit_code = run_history(context, o); });
}

}  // namespace ledger::cli
