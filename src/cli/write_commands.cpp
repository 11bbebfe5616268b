// open, deposit, withdraw, transfer, close: each builds a Command and hands it to the service.
#include <fmt/format.h>

#include "cli/context.h"
#include "util/time.h"

namespace ledger::cli {

namespace {

struct WriteOptions {
  std::string account;
  std::string to;
  std::string amount;
  std::string memo;
  std::string ref;
  std::optional<std::string> date;
  std::string owner;
  std::string currency = "USD";
  std::string overdraft_limit = "0";
};

Result<std::optional<EffectiveTime>> effective(const WriteOptions& o, const Context& context) {
  if (!o.date) return std::optional<EffectiveTime>();
  auto at = util::parse_effective(*o.date, context.now_ns());
  if (!at) return Status(at.status().code(), fmt::format("--date: {}", at.status().message()));
  return std::optional<EffectiveTime>(*at);
}

// `describe` words the confirmation from the amount as the ledger read it ("5.00 USD").
int run(Context& context, const Command& command,
        const std::function<std::string(const std::string&)>& describe) {
  auto result = context.ledger().execute(command);
  if (!result) return context.fail(result.status());
  context.note(result->recovery);
  const std::string what = describe(result->amount);
  if (result->recorded) {
    context.say(fmt::format("recorded event {}: {}", result->seq, what));
  } else {
    context.say(fmt::format("already recorded as event {}: {} (nothing written)", result->seq,
                            what));
  }
  return 0;
}

// Declares the options shared by the money commands.
void money_options(CLI::App* sub, WriteOptions& o) {
  sub->add_option("--memo", o.memo, "A note kept with the movement");
  sub->add_option("--ref", o.ref, "External reference; repeating it with the same content is a no-op");
  sub->add_option("--date", o.date, "When it happened (YYYY-MM-DD, RFC 3339, today, yesterday)");
}

template <class MakeCommand>
void on_run(CLI::App* sub, Context& context, int& exit_code, WriteOptions& o, MakeCommand make,
            std::function<std::string(const std::string&)> describe) {
  sub->callback([&context, &exit_code, &o, make, describe] {
    if (Status s = context.prepare(); !s) {
      exit_code = context.fail(s);
      return;
    }
    auto at = effective(o, context);
    if (!at) {
      exit_code = context.fail(at.status());
      return;
    }
    exit_code = run(context, make(*at), describe);
  });
}

}  // namespace

void setup_write_commands(CLI::App& app, Context& context, int& exit_code) {
  static WriteOptions o;  // One subcommand runs per process.

  auto* open = app.add_subcommand("open", "Open an account");
  open->add_option("ACC", o.account, "Account id (1-64 of A-Z a-z 0-9 . _ : -)")->required();
  open->add_option("--owner", o.owner, "Who owns the account");
  open->add_option("--currency", o.currency, "ISO 4217 currency code")->capture_default_str();
  open->add_option("--overdraft-limit", o.overdraft_limit, "How far below zero it may go")
      ->capture_default_str();
  open->add_option("--date", o.date, "When it was opened (YYYY-MM-DD, RFC 3339, today, yesterday)");
  open->add_option("--ref", o.ref, "External reference; repeating it with the same content is a no-op");
  open->footer("Example:\n  ledger open ACC-001 --owner 'Ada Lovelace' --currency EUR");
  on_run(open, context, exit_code, o, [](std::optional<EffectiveTime> at) -> Command {
    return OpenAccount{o.account, o.owner, o.currency, o.overdraft_limit, at, o.ref};
  }, [](const std::string&) { return fmt::format("opened {} ({})", o.account, o.currency); });

  auto* deposit = app.add_subcommand("deposit", "Put money into an account");
  deposit->add_option("ACC", o.account, "Account id")->required();
  deposit->add_option("AMOUNT", o.amount, "A positive decimal like 500 or 12.34")->required();
  money_options(deposit, o);
  deposit->footer("Example:\n  ledger deposit ACC-001 500 --memo salary --ref bank-2026-06-30-1");
  on_run(deposit, context, exit_code, o, [](std::optional<EffectiveTime> at) -> Command {
    return Deposit{o.account, o.amount, o.memo, at, o.ref};
  }, [](const std::string& amount) { return fmt::format("deposit {} to {}", amount, o.account); });

  auto* withdraw = app.add_subcommand("withdraw", "Take money out of an account");
  withdraw->add_option("ACC", o.account, "Account id")->required();
  withdraw->add_option("AMOUNT", o.amount, "A positive decimal like 500 or 12.34")->required();
  money_options(withdraw, o);
  withdraw->footer("Example:\n  ledger withdraw ACC-001 42.50 --memo groceries");
  on_run(withdraw, context, exit_code, o, [](std::optional<EffectiveTime> at) -> Command {
    return Withdraw{o.account, o.amount, o.memo, at, o.ref};
  }, [](const std::string& amount) {
    return fmt::format("withdrawal {} from {}", amount, o.account);
  });

  auto* transfer = app.add_subcommand("transfer", "Move money between two accounts");
  transfer->add_option("FROM", o.account, "Account the money leaves")->required();
  transfer->add_option("TO", o.to, "Account the money enters")->required();
  transfer->add_option("AMOUNT", o.amount, "A positive decimal like 500 or 12.34")->required();
  money_options(transfer, o);
  transfer->footer("Example:\n  ledger transfer ACC-001 ACC-002 100 --memo rent");
  on_run(transfer, context, exit_code, o, [](std::optional<EffectiveTime> at) -> Command {
    return Transfer{o.account, o.to, o.amount, o.memo, at, o.ref};
  }, [](const std::string& amount) {
    return fmt::format("transfer {} from {} to {}", amount, o.account, o.to);
  });

  auto* close = app.add_subcommand("close", "Close an account whose balance is zero");
  close->add_option("ACC", o.account, "Account id")->required();
  close->add_option("--date", o.date, "When it was closed (YYYY-MM-DD, RFC 3339, today, yesterday)");
  close->add_option("--ref", o.ref, "External reference; repeating it is a no-op");
  close->footer("Example:\n  ledger close ACC-002");
  on_run(close, context, exit_code, o, [](std::optional<EffectiveTime> at) -> Command {
    return CloseAccount{o.account, at, o.ref};
  }, [](const std::string&) { return fmt::format("closed {}", o.account); });
}

}  // namespace ledger::cli
