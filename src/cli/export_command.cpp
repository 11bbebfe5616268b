// export [--format ledger|csv|jsonl] [--at T] [--known-at T] [FILE|-]: every event the cutoffs
// let through, as a plain-text journal that ledger-cli and hledger read (and re-verify through
// balance assertions), or as rows that `import` reads back. The events, their order and their
// running balances come from the service (Ledger::export_events), one at a time; this file only
// formats them and writes each as it comes.
//
// Journal decisions (README "Export"):
//   - Our accounts are Assets:<ID>, with each ':' of the id written '~' (journal_account): both
//     tools read ':' as a sub-account, so `B:2` would be counted inside `B` in every tree view
//     (B showing B's balance plus B:2's). Ids never hold '~', so the name maps back to the id;
//     '/' would not do, since ledger-cli reads it as the end of a regex in a query.
//   - Deposits and withdrawals have the counter-account Equity:External:<CURRENCY>, so every
//     account holds one commodity and every posting can carry a single-commodity balance
//     assertion that both tools check the same way.
//   - Opening and closing an account move no money: they are comment lines at their place in
//     the journal, and each account has an `account` declaration at the top.
//   - The payee is the memo (else the operation), cleaned of what the tools read as syntax;
//     seq, recorded and ref are tags, one per comment line, because ledger-cli reads a tag's
//     value to the end of the line and hledger to the next comma.
//   - `commodity` declarations give each currency's decimals (`format 1000.00 EUR`); a
//     currency without decimals (JPY) is declared by name only, since hledger wants a decimal
//     mark in a format and ledger-cli refuses `1000.` there.
// Rows (csv, jsonl) have import's columns; a row whose event has no ref gets `seq:<n>`, so that
// importing the export again into the same copy adds nothing.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/reader_gone.h"
#include "cli/terminal.h"
#include "cli/usage_error.h"
#include "ledger/money.h"
#include "util/csv.h"
#include "util/jsonl.h"
#include "util/time.h"
#include "util/utf8.h"

namespace ledger::cli {

namespace {

constexpr size_t kFlushBytes = 1 << 16;
constexpr uint64_t kProgressEveryEvents = 4096;
constexpr const char* kAccountPrefix = "Assets:";
constexpr const char* kExternalPrefix = "Equity:External:";

struct ExportOptions {
  std::string format = "ledger";
  std::optional<std::string> at;
  std::optional<std::string> known_at;
  std::string file = "-";
};

// Text for a payee, comment or tag value: valid UTF-8 on one line, without the characters
// either tool reads as syntax there (';' comments, '|' hledger's payee|note, '(' ')' a code,
// '*' '!' a status, '#' '%' comment starts, ',' the end of an hledger tag value), and with runs
// of spaces made one (two spaces end a payee in ledger-cli). Returns `fallback` if nothing is left.
std::string journal_text(std::string_view text, std::string_view fallback) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = util::decode_utf8(text.substr(i)).length;
    const char c = text[i];
    const bool syntax = n == 1 && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F ||
                                   std::strchr(";|()*!#%,", c) != nullptr);
    const char* piece = n == 0 ? "?" : syntax ? " " : nullptr;
    const std::string_view add = piece ? std::string_view(piece) : text.substr(i, n);
    if (!(add == " " && (out.empty() || out.back() == ' '))) out += add;
    i += n == 0 ? 1 : n;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? std::string(fallback) : out;
}

// The journal's name of account `id`: Assets:<id> with each ':' made '~' (see the top).
std::string journal_account(std::string_view id) {
  std::string name = kAccountPrefix;
  for (const char c : id) name += c == ':' ? '~' : c;
  return name;
}

// 128 bits: a counter-account's total sums over accounts (each within 64 bits).
std::string money(const ExportEvent& x, __int128 minor) {
  const bool negative = minor < 0;
  unsigned __int128 magnitude = negative ? -static_cast<unsigned __int128>(minor) : minor;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  const auto decimals = static_cast<size_t>(x.decimals);
  if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  if (decimals > 0) digits.insert(digits.size() - decimals, ".");
  return fmt::format("{}{} {}", negative ? "-" : "", digits, x.currency);
}

void posting(std::string& out, std::string_view account, const ExportEvent& x, int64_t amount,
             __int128 balance) {
  fmt::format_to(std::back_inserter(out), "    {}  {} = {}\n", account, money(x, amount),
                 money(x, balance));
}

void journal_header(std::string& out, const ExportSummary& summary, const Cutoffs& cutoffs) {
  out += "; Exported by `ledger export --format ledger`";
  if (cutoffs.effective_at_ns) out += ", as of " + util::format_time_iso(*cutoffs.effective_at_ns);
  if (cutoffs.known_at_ns) out += ", as known at " + util::format_time_iso(*cutoffs.known_at_ns);
  fmt::format_to(std::back_inserter(out),
                 ": {} event{}.\n"
                 "; Accounts are Assets:<id>, each ':' of an id written '~' (not a sub-account);\n"
                 "; deposits and withdrawals have the counter-account Equity:External:<currency>.\n"
                 "; Tags: seq (event number), recorded (when it was written to the log), ref (its\n"
                 "; external reference). Opening and closing an account are comments.\n\n",
                 summary.events, summary.events == 1 ? "" : "s");
  // Every event's account is one the export opens, so these are the currencies of its events.
  std::set<std::pair<std::string, int>> currencies;
  for (const ExportAccount& a : summary.accounts) currencies.insert({a.currency, a.decimals});
  for (const auto& [code, decimals] : currencies) {
    fmt::format_to(std::back_inserter(out), "commodity {}\n", code);
    if (decimals > 0) {
      fmt::format_to(std::back_inserter(out), "    format 1000.{} {}\n",
                     std::string(static_cast<size_t>(decimals), '0'), code);
    }
  }
  out += '\n';
  for (const ExportAccount& a : summary.accounts) {
    out += "account " + journal_account(a.id) + '\n';
  }
  for (const auto& [code, decimals] : currencies)
    out += "account " + (kExternalPrefix + code) + '\n';
  out += "\ntag seq\ntag recorded\ntag ref\n";
}

void journal_event(std::string& out, const ExportEvent& x) {
  const std::string date = util::format_date(x.effective_ns);
  const std::string account = journal_account(x.account);
  const std::string recorded = util::format_time_iso(x.recorded_ns);
  if (x.op == EntryOp::kOpen || x.op == EntryOp::kClose) {
    out += fmt::format("\n; {} {} {}", date, op_name(x.op), account);
    if (x.op == EntryOp::kOpen) {
      out += fmt::format(" ({}, owner {}, overdraft limit {})", x.currency,
                         journal_text(x.owner, "none"), money(x, x.overdraft_limit));
    }
    out += fmt::format(" seq {} recorded {}\n", x.seq, recorded);
    return;
  }
  const char* what = x.op == EntryOp::kDeposit    ? "deposit"
                     : x.op == EntryOp::kWithdraw ? "withdrawal"
                                                  : "transfer";
  out += fmt::format("\n{} * {}\n    ; seq: {}\n    ; recorded: {}\n", date,
                     journal_text(x.memo, what), x.seq, recorded);
  if (!x.ref.empty()) out += fmt::format("    ; ref: {}\n", journal_text(x.ref, "?"));
  const std::string external = kExternalPrefix + x.currency;
  if (x.op == EntryOp::kDeposit) {
    posting(out, account, x, x.amount, x.balance);
    posting(out, external, x, -x.amount, -x.external_balance);
  } else if (x.op == EntryOp::kWithdraw) {
    posting(out, account, x, -x.amount, x.balance);
    posting(out, external, x, x.amount, -x.external_balance);
  } else {
    posting(out, account, x, -x.amount, x.balance);
    posting(out, journal_account(x.to), x, x.amount, x.to_balance);
  }
}

std::vector<std::string> row_of(const ExportEvent& x) {
  const bool open = x.op == EntryOp::kOpen;
  const bool moves = !open && x.op != EntryOp::kClose;
  return {op_name(x.op),
          x.account,
          moves ? format_amount(x.amount, x.decimals) : "",
          x.to,
          util::format_effective(x.effective_ns, false, x.op == EntryOp::kClose),
          x.memo,
          x.ref.empty() ? fmt::format("seq:{}", x.seq) : x.ref,
          x.currency,
          open ? x.owner : "",
          open ? format_amount(x.overdraft_limit, x.decimals) : ""};
}

constexpr const char* kRowColumns[] = {"op",   "account", "amount",   "to",    "date",
                                       "memo", "ref",     "currency", "owner", "overdraft_limit"};

void jsonl_row(std::string& out, const ExportEvent& x) {
  const std::vector<std::string> row = row_of(x);
  std::vector<util::JsonMember> members;
  for (size_t i = 0; i < row.size(); ++i) {
    // Empty values are left out: import reads a missing key as an empty one.
    if (!row[i].empty()) members.push_back({kRowColumns[i], row[i]});
  }
  util::write_json_object(out, members);
  out += '\n';
}

// Writes each event as the service hands it over, in large writes, to standard output or to a
// file that is created only when the first byte is due: an export refused before then (a purged
// log, balances that disagree) leaves no file behind. A failed write stops the export.
class ExportWriter final : public ExportSink {
 public:
  ExportWriter(const ExportOptions& o, const Cutoffs& cutoffs, Progress& reading, bool show)
      : o_(o), cutoffs_(cutoffs), reading_(reading), show_progress_(show) {}
  ExportWriter(const ExportWriter&) = delete;
  ExportWriter& operator=(const ExportWriter&) = delete;
  ~ExportWriter() override {
    if (file_ != nullptr && file_ != stdout) std::fclose(file_);
  }

  Status begin(const ExportSummary& summary) override {
    reading_.finish();
    if (o_.file == "-") {
      file_ = stdout;
    } else if ((file_ = std::fopen(o_.file.c_str(), "wb")) == nullptr) {
      return failed("create");
    }
    if (o_.format == "ledger") {
      journal_header(out_, summary, cutoffs_);
    } else if (o_.format == "csv") {
      util::write_csv_record(
          out_, std::vector<std::string>(std::begin(kRowColumns), std::end(kRowColumns)));
    }
    progress_.emplace("export", summary.events, show_progress_);
    return Status::ok();
  }

  Status event(const ExportEvent& x) override {
    if (o_.format == "ledger") {
      journal_event(out_, x);
    } else if (o_.format == "csv") {
      util::write_csv_record(out_, row_of(x));
    } else {
      jsonl_row(out_, x);
    }
    if (out_.size() >= kFlushBytes) LEDGER_RETURN_IF_ERROR(flush());
    if (++done_ % kProgressEveryEvents == 0) progress_->update(done_);
    return Status::ok();
  }

  // After the last event: everything reaches the file, closed.
  Status end() {
    if (progress_) progress_->finish();
    LEDGER_RETURN_IF_ERROR(flush());
    if (file_ == nullptr || file_ == stdout) return Status::ok();
    const bool closed = std::fclose(std::exchange(file_, nullptr)) == 0;
    return closed ? Status::ok() : failed("write");
  }

 private:
  Status flush() {
    if (!out_.empty() && std::fwrite(out_.data(), 1, out_.size(), file_) != out_.size()) {
      stop_if_reader_gone(file_, errno);
      return failed("write");
    }
    out_.clear();
    return Status::ok();
  }
  Status failed(const char* what) const {
    const int error = errno;
    const std::string name = o_.file == "-" ? "standard output" : o_.file;
    return {ErrorCode::kIoError, fmt::format("cannot {} {}: {}", what, name, std::strerror(error))};
  }

  const ExportOptions& o_;
  const Cutoffs& cutoffs_;
  Progress& reading_;
  bool show_progress_;
  std::FILE* file_ = nullptr;
  std::string out_;
  std::optional<Progress> progress_;
  uint64_t done_ = 0;
};

// The export's own --format wins; else a global `ledger --format csv|jsonl export` is taken
// at its word, and a global format that export cannot write is a usage error.
Result<std::string> format_of(Context& context, const ExportOptions& o, bool own_format) {
  if (own_format || !context.format_given()) return o.format;
  switch (context.format()) {
    case OutputFormat::kCsv:
      return std::string("csv");
    case OutputFormat::kJsonl:
      return std::string("jsonl");
    default:
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("export writes ledger, csv or jsonl, not {}",
                                output_format_name(context.format())));
  }
}

int run_export(Context& context, ExportOptions o, bool own_format) {
  if (Status s = context.prepare(); !s) return context.fail(s);
  auto format = format_of(context, o, own_format);
  if (!format) {
    context.error(fmt::format("{} (see `ledger export --help`)", format.status().message()));
    return kExitUsage;
  }
  o.format = *format;
  auto at = context.cutoff(o.at, "--at");
  if (!at) return context.fail(at.status());
  auto known_at = context.cutoff(o.known_at, "--known-at");
  if (!known_at) return context.fail(known_at.status());
  const Cutoffs cutoffs{*at, *known_at};
  const bool show_progress = stderr_is_terminal() && !context.quiet();
  Progress reading("export: reading", 0, show_progress);
  ExportWriter writer(o, cutoffs, reading, show_progress);
  // What was written before a failure stays written (standard output cannot take it back);
  // the exit status says the export is not whole.
  Status s = context.ledger().export_events(cutoffs, writer,
                                            [&reading](uint64_t read) { reading.update(read); });
  reading.finish();
  if (s) s = writer.end();
  return s ? 0 : context.fail(s);
}

}  // namespace

void setup_export(CLI::App& app, Context& context, int& exit_code) {
  static ExportOptions o;
  auto* exp = app.add_subcommand(
      "export", "Write the ledger as a journal for ledger-cli and hledger, or as import rows");
  auto* format = exp->add_option(
      "--format", o.format,
      "ledger (a journal, the default), csv or jsonl (rows that import reads back)");
  format->check(one_of({"ledger", "csv", "jsonl"}));
  exp->add_option("--at", o.at, "Only events effective at or before T (YYYY-MM-DD = end of day)");
  exp->add_option("--known-at", o.known_at, "Only what was recorded by T");
  exp->add_option("FILE", o.file, "Where to write (default: - for standard output)");
  exp->footer(
      "Example:\n  ledger export > books.journal && hledger -s -f books.journal balance\n"
      "  ledger export --format csv --at 2026-06-30 | ledger --dir copy import -");
  exp->callback(
      [&context, &exit_code, format] { exit_code = run_export(context, o, format->count() > 0); });
}

}  // namespace ledger::cli
