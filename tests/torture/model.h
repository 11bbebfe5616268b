#pragma once
// The driver's own idea of what the ledger holds, kept without any of ledger's code: accounts
// (open or closed, and when), every posting with the day it is effective, the number of events,
// and whether history may have been purged. Commands are generated from it, so each one is
// valid or, when it is meant to be refused (a close of an account whose balance is not zero, money
// into a closed account), known to be refused; each says what it does to the model when it
// commits.

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace ledger::torture {

using Rng = std::mt19937_64;

// Days since 2026-01-01; kToday for an event written without --date (effective when recorded).
using Day = int;
inline constexpr Day kToday = 1 << 20;
// Every posting, today's included. The model gives each write without --date its own instant
// after kToday, in the order they were applied, as the ledger does (its recorded time): a day's
// granularity would let a backdated entry overdraw the books between two of today's writes.
inline constexpr Day kEverything = std::numeric_limits<Day>::max();
inline constexpr Day kLastDatedDay = 300;  // 2026-10-28: always in the past.

std::string day_text(Day day);  // "2026-03-04"
// 1234 with 2 decimals: "12.34"; as ledger prints amounts.
std::string format_minor(int64_t minor, int decimals);

struct Account {
  std::string id;
  std::string currency;
  int decimals = 2;
};

struct Posting {
  std::string account;
  int64_t amount_minor = 0;
  Day day = kToday;
};

enum class OpKind {
  kOpen,
  kDeposit,
  kWithdraw,
  kTransfer,
  kClose,
  kImport,
  kSnapshot,
  kCompact,
  kPurge  // compact --purge --yes
};
const char* op_kind_name(OpKind kind);

// One command and what it does to the ledger once committed.
struct Op {
  OpKind kind = OpKind::kSnapshot;
  std::vector<std::string> args;  // After `ledger --dir D [global options]`.
  std::string import_csv;         // The file an import reads.
  std::vector<Account> opens;
  std::vector<Posting> postings;
  uint64_t events = 0;
  std::string closes;        // The account a close closes (an accepted close only).
  Day close_day = kToday;    // Its --date, or kToday (closed when recorded).
  // Refused by a rule: exit 1 with `refusal` in the message, and nothing written. apply() does
  // nothing for it.
  bool refused = false;
  std::string refusal;

  std::string describe() const;
};

// account -> "balance,currency", as `ledger balance --format csv` prints it.
using Balances = std::map<std::string, std::string>;

// account -> "open" or "closed", as `ledger accounts --format csv` prints the status.
using Statuses = std::map<std::string, std::string>;

class Model {
 public:
  void apply(const Op& op);

  const std::vector<Account>& accounts() const { return accounts_; }
  std::vector<const Account*> open_accounts() const;
  bool closed(const std::string& account) const { return closed_.count(account) != 0; }
  bool any_closed() const { return !closed_.empty(); }
  // Every account's status at the end of `at` (a close dated D counts from the end of D, one
  // without --date from when it was recorded).
  Statuses statuses(Day at = kEverything) const;
  // The day (or instant, for a write without --date) of the latest posting of `account`; -1
  // (its opening day) when it has none.
  Day latest_day(const std::string& account) const;

  // A purge ran (it may have deleted history: acknowledged, or settled by a retry).
  bool purged() const { return purged_; }
  // The latest effective day (or instant) of every event so far (openings and closes too): no
  // snapshot's history reaches later. And the latest of the postings up to the last commit that
  // ends at or before event `seq` (-2 when none does): a snapshot that covers event `seq`
  // reaches at least that late.
  Day effective_max() const { return effective_max_; }
  Day posting_max_through(uint64_t seq) const;
  // A commit (one command) ends at event `seq`.
  bool commit_ends_at(uint64_t seq) const;

  uint64_t events() const { return events_; }
  int64_t balance_minor(const std::string& account, Day at = kEverything) const;
  // What may leave `account` on day `from` without taking it below zero then or on any later
  // day: the ledger checks the whole effective timeline, not only the head.
  int64_t available_minor(const std::string& account, Day from) const;
  // Every account's balance at the end of `at`.
  Balances balances(Day at = kEverything) const;

 private:
  std::vector<Account> accounts_;
  std::map<std::string, std::vector<Posting>> postings_;
  std::map<std::string, Day> closed_;  // account -> the day (or instant) of its close.
  uint64_t events_ = 0;
  Day instants_ = 0;  // Writes without --date applied so far.
  bool purged_ = false;
  Day effective_max_ = -2;
  Day posting_max_ = -2;
  // (events after a commit, the latest effective day of the postings up to it), per commit.
  std::vector<std::pair<uint64_t, Day>> commits_;
};

// Makes valid commands from the model: amounts the accounts can pay, transfers within one
// currency, refs that are new to the ledger.
class OpGenerator {
 public:
  explicit OpGenerator(std::string ref_prefix) : ref_prefix_(std::move(ref_prefix)) {}

  // A kind drawn with the mix's weights; open first while there are few open accounts.
  OpKind random_kind(Rng& rng, const Model& model) const;
  // A command of `kind`: valid, or now and then one that the ledger must refuse (a close of an
  // account whose balance is not zero or that is closed already, money into a closed account).
  // With `accepted_only` never a refused one; a close with no account to close opens one
  // instead (a fresh account has nothing to close with), so the next close has one.
  Op make(OpKind kind, Rng& rng, const Model& model, bool accepted_only = false);

 private:
  std::string next_ref(const char* what);
  std::optional<Day> random_day(Rng& rng) const;
  Op open(Rng& rng, const Model& model);
  Op money(OpKind kind, Rng& rng, const Model& model, bool accepted_only);
  Op close(Rng& rng, const Model& model, bool accepted_only);
  Op import(Rng& rng, const Model& model);

  std::string ref_prefix_;
  uint64_t ref_counter_ = 0;
};

// Parses `ledger balance --format csv`; nullopt when it is not that shape.
std::optional<Balances> parse_balances_csv(const std::string& text);
// The statuses of `ledger accounts --format csv`; nullopt when it is not that shape.
std::optional<Statuses> parse_statuses_csv(const std::string& text);
// Balances or statuses (both account -> text).
std::string describe_difference(const Balances& expected, const Balances& actual);

}  // namespace ledger::torture
