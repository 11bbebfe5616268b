#pragma once
// The driver's own idea of what the ledger holds, kept without any of ledger's code: accounts,
// every posting with the day it is effective, and the number of events. Commands are generated
// from it, so each one is valid, and each says what it does to the model when it commits.

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

enum class OpKind { kOpen, kDeposit, kWithdraw, kTransfer, kImport, kSnapshot, kCompact };
const char* op_kind_name(OpKind kind);

// One command and what it does to the ledger once committed.
struct Op {
  OpKind kind = OpKind::kSnapshot;
  std::vector<std::string> args;  // After `ledger --dir D [global options]`.
  std::string import_csv;         // The file an import reads.
  std::vector<Account> opens;
  std::vector<Posting> postings;
  uint64_t events = 0;

  std::string describe() const;
};

// account -> "balance,currency", as `ledger balance --format csv` prints it.
using Balances = std::map<std::string, std::string>;

class Model {
 public:
  void apply(const Op& op);

  const std::vector<Account>& accounts() const { return accounts_; }
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
  uint64_t events_ = 0;
  Day instants_ = 0;  // Writes without --date applied so far.
};

// Makes valid commands from the model: amounts the accounts can pay, transfers within one
// currency, refs that are new to the ledger.
class OpGenerator {
 public:
  explicit OpGenerator(std::string ref_prefix) : ref_prefix_(std::move(ref_prefix)) {}

  // A kind drawn with the mix's weights; open first while there are few accounts.
  OpKind random_kind(Rng& rng, const Model& model) const;
  Op make(OpKind kind, Rng& rng, const Model& model);

 private:
  std::string next_ref(const char* what);
  std::optional<Day> random_day(Rng& rng) const;
  Op open(Rng& rng, const Model& model);
  Op money(OpKind kind, Rng& rng, const Model& model);
  Op import(Rng& rng, const Model& model);

  std::string ref_prefix_;
  uint64_t ref_counter_ = 0;
};

// Parses `ledger balance --format csv`; nullopt when it is not that shape.
std::optional<Balances> parse_balances_csv(const std::string& text);
std::string describe_difference(const Balances& expected, const Balances& actual);

}  // namespace ledger::torture
