// A sweep of bad input through the real binary: malformed command lines and import files, each
// with the exit status and the message that man/ledger.1 documents, nothing on standard output,
// and a data directory that is byte-for-byte what it was. One populated ledger (two currencies,
// a closed account, a used ref, a sealed segment and a snapshot) serves every case.
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;
using namespace std::string_literals;

namespace {

// An import file. Its name picks the format (*.jsonl is JSON lines) unless --format says;
// the name "-" feeds it on standard input instead.
struct Input {
  std::string name;
  std::string text;
};

struct BadInput {
  const char* what;
  // Shell words after `ledger --dir DIR`. {file} is the input's path; {scratch} a folder outside
  // the data directory. With {dir-free} at the front, no --dir is added (the case brings its own).
  std::string args;
  std::optional<Input> input;
  int exit_code;
  // Parts of stderr, each the exact text of a line or a distinctive piece of one; {file} is the
  // input's name as the error prints it.
  std::vector<std::string> says;
};

constexpr const char* kNoDir = "{dir-free}";

std::string replaced(std::string text, const std::string& key, const std::string& value) {
  for (size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

std::string input_csv(const char* rows) {
  return std::string("op,account,amount,to,date\n") + rows;
}

// ACC-001 (USD, 186.00, opened 2026-01-01), ACC-002 (USD, 0.00), EUR-001 (EUR, 110.00),
// EUR-002 (EUR, 10.00, overdraft limit 50), OLD-001 (closed); ref "used-ref" taken by event 128;
// segment 1 sealed (--segment-size 4096) with its indexes, and a snapshot at event 128.
void set_up(const TestLedger& ledger) {
  const std::string small = "--segment-size 4096 ";
  ledger.ok(small + "open ACC-001 --owner 'Ada Lovelace' --date 2026-01-01");
  ledger.ok(small + "open ACC-002 --date 2026-01-01");
  ledger.ok(small + "open EUR-001 --currency EUR --date 2026-01-01");
  ledger.ok(small + "open EUR-002 --currency EUR --overdraft-limit 50 --date 2026-01-01");
  ledger.ok(small + "open OLD-001 --date 2026-01-01");
  ledger.ok(small + "close OLD-001");
  std::string rows = "op,account,amount,to,date,memo\n";
  for (int i = 1; i <= 60; ++i) {
    rows += fmt::format("deposit,ACC-001,1.{}0,,2026-02-{:02},row {}\n", i % 10, i % 28 + 1, i);
    rows += fmt::format("deposit,EUR-001,2,,2026-02-{:02},\n", i % 28 + 1);
  }
  rows += "transfer,EUR-001,10,EUR-002,2026-03-01,rent\n";
  ledger.ok(small + "import " + shell_quote(ledger.file("history.csv", rows).string()));
  ledger.ok(small + "deposit ACC-001 100 --date 2026-03-02 --ref used-ref");
  // PostgreSQL keeps no snapshots (or segments): its tables are all there is.
  if (!on_postgres()) ledger.ok(small + "snapshot");
  ledger.ok(small + "withdraw ACC-001 1 --memo after");
  if (on_postgres()) return;
  const auto files = ledger.files();
  REQUIRE(files.count("00000000000000000001.seg") == 1);  // Sealed: a newer segment follows.
  REQUIRE(files.count("00000000000000000128.seg") == 1);
  REQUIRE(files.count("snapshots/00000000000000000128.snap") == 1);
}

constexpr const char* kBalances =
    "account,balance,currency\nACC-001,186.00,USD\nACC-002,0.00,USD\nEUR-001,110.00,EUR\n"
    "EUR-002,10.00,EUR\nOLD-001,0.00,USD\n";

const std::string kLongId(65, 'A');
const std::string kMaxId(64, 'A');

// Malformed command lines: unknown commands and options, missing and extra arguments, bad
// option values (64); bad account ids, amounts, currencies and times (65); the rules' refusals
// (1); a data directory that cannot be one (74).
std::vector<BadInput> command_line_cases() {
  return {
      // Usage: exit 64, one line in the ledger's words (cli/usage_error.h) behind
      // "ledger: error:", naming the word at fault.
      {"no command", "", {}, 64, {"ledger: error: no command given (see `ledger --help`)\n"}},
      {"unknown command", "frobnicate", {}, 64,
       {"ledger: error: unknown command \"frobnicate\" (see `ledger --help`)\n"}},
      {"commands are case-sensitive", "Deposit ACC-001 5", {}, 64,
       {"ledger: error: unknown command \"Deposit\"; did you mean \"deposit\"?\n"}},
      {"a command that does not exist", "undo", {}, 64, {"unknown command \"undo\""}},
      {"unknown global option", "--no-such-option balance", {}, 64,
       {"unknown option \"--no-such-option\""}},
      {"unknown command option", "deposit ACC-001 5 --bogus", {}, 64,
       {"unknown option \"--bogus\" for deposit (see `ledger deposit --help`)"}},
      {"an option of another command", "balance --memo x", {}, 64,
       {"unknown option \"--memo\" for balance"}},
      {"stats takes no options", "stats --bogus", {}, 64, {"unknown option \"--bogus\" for stats"}},
      {"deposit without arguments", "deposit", {}, 64,
       {"ledger: error: missing ACC (usage: ledger deposit ACC AMOUNT [options])\n"}},
      {"deposit without amount", "deposit ACC-001", {}, 64, {"ledger: error: missing AMOUNT"}},
      {"withdraw without amount", "withdraw ACC-001", {}, 64, {"missing AMOUNT"}},
      {"transfer without amount", "transfer ACC-001 ACC-002", {}, 64,
       {"missing AMOUNT (usage: ledger transfer FROM TO AMOUNT [options])"}},
      {"open without account", "open", {}, 64, {"missing ACC"}},
      {"close without account", "close", {}, 64, {"missing ACC"}},
      {"statement without account", "statement", {}, 64, {"missing ACC"}},
      {"import without file", "import", {}, 64, {"missing FILE"}},
      {"deposit with an extra argument", "deposit ACC-001 5 6", {}, 64,
       {"unexpected argument \"6\""}},
      {"close with an extra argument", "close OLD-001 ACC-002", {}, 64,
       {"unexpected argument \"ACC-002\""}},
      {"statement of two accounts", "statement ACC-001 ACC-002", {}, 64,
       {"unexpected argument \"ACC-002\""}},
      {"history of two accounts", "history ACC-001 ACC-002", {}, 64,
       {"unexpected argument \"ACC-002\" (usage: ledger history [ACC] [options])"}},
      {"accounts takes no account", "accounts ACC-001", {}, 64,
       {"unexpected argument \"ACC-001\""}},
      {"snapshot takes no argument", "snapshot now", {}, 64, {"unexpected argument \"now\""}},
      {"verify takes no argument", "verify everything", {}, 64,
       {"unexpected argument \"everything\""}},
      {"an option without its value", "balance --at", {}, 64, {"--at needs a value"}},
      {"--memo without its value", "deposit ACC-001 5 --memo", {}, 64, {"--memo needs a value"}},
      {"an option given twice", "balance --at 2026-01-01 --at 2026-02-01", {}, 64,
       {"ledger: error: --at given twice (it takes one value)\n"}},
      {"--color not a choice", "--color rainbow balance", {}, 64,
       {"--color: \"rainbow\" is not one of auto, always, never"}},
      {"--format not a choice", "balance --format xml", {}, 64,
       {"ledger: error: --format: unknown format \"xml\" (expected table, csv, tsv, json, jsonl or "
        "chart) (see `ledger --help`)\n"}},
      {"--format is case-sensitive", "statement ACC-001 --format CSV", {}, 64,
       {"unknown format \"CSV\""}},
      {"--format empty", "--format '' accounts", {}, 64, {"unknown format \"\""}},
      {"--format on a write", "deposit ACC-001 5 --format yaml", {}, 64,
       {"unknown format \"yaml\""}},
      {"import --format not a choice", "import x.csv --format xml", {}, 64,
       {"--format: \"xml\" is not one of csv, jsonl"}},
      {"import --format table", "import x.csv --format table", {}, 64,
       {"\"table\" is not one of csv, jsonl"}},
      {"--segment-size too small", "--segment-size 100 deposit ACC-001 5", {}, 64,
       {"--segment-size: expected a whole number from 4096 to 2147483648, not 100"}},
      {"--segment-size not a number", "--segment-size 8M balance", {}, 64,
       {"--segment-size: expected a whole number from 4096 to 2147483648, not 8M"}},
      {"--snapshot-every negative", "--snapshot-every -1 deposit ACC-001 5", {}, 64,
       {"--snapshot-every: expected a count of events, 0 or more, not -1"}},
      {"--snapshot-every not a number", "--snapshot-every x balance", {}, 64,
       {"--snapshot-every: expected a count of events"}},
      {"compact --purge without --yes", "compact --purge", {}, 64,
       {"ledger: error: --purge deletes history for good: add --yes to confirm\n"}},

      // Account ids: 1 to 64 of A-Z a-z 0-9 . _ : -
      {"empty account id", "deposit '' 5", {}, 65,
       {"ledger: error: invalid account id \"\" (expected 1 to 64 characters of A-Z a-z 0-9 . _ : "
        "-)\n"}},
      {"account id of 65 characters", "open " + kLongId, {}, 65,
       {"invalid account id \"" + kLongId + "\""}},
      {"account id with a space", "deposit 'BAD ID' 5", {}, 65, {"invalid account id \"BAD ID\""}},
      {"account id with a slash", "open 'x/y'", {}, 65, {"invalid account id \"x/y\""}},
      {"account id with a hash", "open 'ACC#1'", {}, 65, {"invalid account id \"ACC#1\""}},
      {"account id with a letter beyond ASCII", "open 'ÄCC'", {}, 65,
       {"invalid account id \"ÄCC\""}},
      {"account id with a tab", "open 'A\tB'", {}, 65, {"invalid account id \"A\tB\""}},
      {"transfer to a bad account id", "transfer ACC-001 'ACC 2' 5", {}, 65,
       {"invalid account id \"ACC 2\""}},
      {"balance of a bad account id", "balance 'a b'", {}, 65, {"invalid account id \"a b\""}},

      // Amounts: a positive decimal with at most the currency's decimals.
      {"negative amount", "deposit ACC-001 -5", {}, 65,
       {"ledger: error: invalid amount \"-5\": it must be positive (a withdrawal or transfer says "
        "the direction)\n"}},
      {"zero amount", "deposit ACC-001 0", {}, 65,
       {"ledger: error: invalid amount \"0\": it must be greater than zero\n"}},
      {"zero with decimals", "withdraw ACC-001 0.00", {}, 65, {"invalid amount \"0.00\"", "zero"}},
      {"too many decimals for USD", "withdraw ACC-001 12.345", {}, 65,
       {"ledger: error: invalid amount \"12.345\": USD has 2 decimal places\n"}},
      {"too many decimals for EUR", "withdraw EUR-001 1.001", {}, 65,
       {"invalid amount \"1.001\": EUR has 2 decimal places"}},
      {"exponent", "deposit ACC-001 1e3", {}, 65,
       {"ledger: error: invalid amount \"1e3\" (expected a decimal like 12.34)\n"}},
      {"empty amount", "deposit ACC-001 ''", {}, 65, {"invalid amount \"\" (expected a decimal"}},
      {"hex amount", "deposit ACC-001 0x10", {}, 65, {"invalid amount \"0x10\""}},
      {"leading space", "deposit ACC-001 ' 5'", {}, 65, {"invalid amount \" 5\""}},
      {"trailing space", "deposit ACC-001 '5 '", {}, 65, {"invalid amount \"5 \""}},
      {"space as a thousands separator", "deposit ACC-001 '1 000'", {}, 65,
       {"invalid amount \"1 000\""}},
      {"comma as a thousands separator", "deposit ACC-001 1,000.00", {}, 65,
       {"invalid amount \"1,000.00\""}},
      {"Arabic-Indic digits", "deposit ACC-001 '١٢'", {}, 65, {"invalid amount \"١٢\""}},
      {"fullwidth digit", "deposit ACC-001 '５'", {}, 65, {"invalid amount \"５\""}},
      {"trailing dot", "deposit ACC-001 1.", {}, 65, {"invalid amount \"1.\""}},
      {"leading dot", "deposit ACC-001 .5", {}, 65, {"invalid amount \".5\""}},
      {"plus sign", "deposit ACC-001 +5", {}, 65, {"invalid amount \"+5\""}},
      {"two dots", "deposit ACC-001 1.2.3", {}, 65, {"invalid amount \"1.2.3\""}},
      {"letters after digits", "deposit ACC-001 12abc", {}, 65, {"invalid amount \"12abc\""}},
      {"NaN", "deposit ACC-001 NaN", {}, 65, {"invalid amount \"NaN\""}},
      {"inf", "withdraw ACC-001 inf", {}, 65, {"invalid amount \"inf\""}},
      {"overflow of int64", "deposit ACC-001 99999999999999999999", {}, 65,
       {"ledger: error: invalid amount \"99999999999999999999\": too large\n"}},
      {"one minor unit past int64", "deposit ACC-001 92233720368547758.08", {}, 65,
       {"invalid amount \"92233720368547758.08\": too large"}},
      {"negative transfer", "transfer ACC-001 ACC-002 -1", {}, 65, {"invalid amount \"-1\""}},
      {"zero transfer", "transfer EUR-001 EUR-002 0", {}, 65, {"invalid amount \"0\""}},
      {"negative overdraft limit", "open NEW-001 --overdraft-limit -1", {}, 65,
       {"ledger: error: invalid overdraft limit \"-1\": it may not be negative\n"}},
      {"overdraft limit not a number", "open NEW-001 --overdraft-limit abc", {}, 65,
       {"invalid overdraft limit \"abc\" (expected a decimal like 12.34)"}},
      {"overdraft limit with decimals for JPY", "open NEW-001 --currency JPY --overdraft-limit 1.5",
       {}, 65, {"invalid overdraft limit \"1.5\": JPY has 0 decimal places"}},

      // Currencies: ISO 4217 codes in capitals.
      {"unknown currency", "open NEW-001 --currency XYZ", {}, 65,
       {"ledger: error: unknown currency \"XYZ\" (expected an ISO 4217 code like USD)\n"}},
      {"currency in lowercase", "open NEW-001 --currency usd", {}, 65,
       {"unknown currency \"usd\""}},
      {"empty currency", "open NEW-001 --currency ''", {}, 65, {"unknown currency \"\""}},
      {"two-letter currency", "open NEW-001 --currency US", {}, 65, {"unknown currency \"US\""}},
      {"four-letter currency", "open NEW-001 --currency USDX", {}, 65,
       {"unknown currency \"USDX\""}},

      // Times: --date (never in the future), --at, --known-at, --from, --to.
      {"--date month 13", "deposit ACC-001 5 --date 2026-13-01", {}, 65,
       {"ledger: error: --date: invalid date \"2026-13-01\" (expected YYYY-MM-DD, RFC 3339 like "
        "2026-06-30T12:00:00Z, today or yesterday)\n"}},
      {"--date February 30", "deposit ACC-001 5 --date 2026-02-30", {}, 65,
       {"--date: invalid date \"2026-02-30\""}},
      {"--date month 0", "withdraw ACC-001 5 --date 2026-00-10", {}, 65,
       {"--date: invalid date \"2026-00-10\""}},
      {"--date without zero padding", "deposit ACC-001 5 --date 2026-1-5", {}, 65,
       {"--date: invalid date \"2026-1-5\""}},
      {"--date day first", "deposit ACC-001 5 --date 30/06/2026", {}, 65,
       {"--date: invalid date \"30/06/2026\""}},
      {"--date hour 25", "deposit ACC-001 5 --date 2026-06-30T25:00:00Z", {}, 65,
       {"--date: invalid date \"2026-06-30T25:00:00Z\""}},
      {"--date without seconds", "deposit ACC-001 5 --date 2026-06-30T12:00Z", {}, 65,
       {"--date: invalid date \"2026-06-30T12:00Z\""}},
      {"--date without zone", "deposit ACC-001 5 --date 2026-06-30T12:00:00", {}, 65,
       {"--date: invalid date \"2026-06-30T12:00:00\""}},
      {"--date offset of 25 hours", "deposit ACC-001 5 --date 2026-06-30T12:00:00+25:00", {}, 65,
       {"--date: invalid date \"2026-06-30T12:00:00+25:00\""}},
      {"--date empty", "deposit ACC-001 5 --date ''", {}, 65, {"--date: invalid date \"\""}},
      {"--date tomorrow", "open NEW-001 --date tomorrow", {}, 65,
       {"--date: invalid date \"tomorrow\""}},
      {"--date in the future", "deposit ACC-001 5 --date 2099-01-01", {}, 65,
       {"ledger: error: --date: date \"2099-01-01\" is in the future\n"}},
      {"--date out of range", "transfer ACC-001 ACC-002 5 --date 1600-01-01", {}, 65,
       {"--date: date \"1600-01-01\" is out of range (the ledger keeps times from "
        "1677-09-21T00:12:44Z to 2262-04-11T23:47:16Z)"}},
      {"--at garbage", "balance --at garbage", {}, 65, {"--at: invalid date \"garbage\""}},
      {"--at out of range", "balance --at 3000-01-01", {}, 65,
       {"--at: date \"3000-01-01\" is out of range"}},
      {"--at February 29 of a common year", "accounts --at 2026-02-29", {}, 65,
       {"--at: invalid date \"2026-02-29\""}},
      {"--known-at February 30", "balance ACC-001 --known-at 2026-02-30", {}, 65,
       {"--known-at: invalid date \"2026-02-30\""}},
      {"--known-at out of range", "accounts --known-at 1677-01-01", {}, 65,
       {"--known-at: date \"1677-01-01\" is out of range"}},
      {"--from garbage", "statement ACC-001 --from nope", {}, 65,
       {"--from: invalid date \"nope\""}},
      {"--to month 13", "statement ACC-001 --to 2026-13-01", {}, 65,
       {"--to: invalid date \"2026-13-01\""}},
      {"history --from garbage", "history --from x", {}, 65, {"--from: invalid date \"x\""}},
      {"history --to June 31", "history ACC-001 --to 2026-06-31", {}, 65,
       {"--to: invalid date \"2026-06-31\""}},
      {"statement --from after --to", "statement ACC-001 --from 2026-03-01 --to 2026-02-01", {}, 65,
       {"ledger: error: --from \"2026-03-01\" is after --to \"2026-02-01\" (the period is "
        "empty)\n"}},
      {"history --from after --to", "history --from 2026-03-01T00:00:00Z --to 2026-02-28", {}, 65,
       {"--from \"2026-03-01T00:00:00Z\" is after --to \"2026-02-28\""}},

      // The rules: exit 1.
      {"insufficient funds", "withdraw ACC-002 5", {}, 1,
       {"ledger: error: insufficient funds in \"ACC-002\": on ",
        " it would be at -5.00 USD (overdraft limit 0.00 USD)\n"}},
      {"insufficient funds beyond the overdraft", "withdraw EUR-002 60.01", {}, 1,
       {"insufficient funds in \"EUR-002\": on ", "would be at -50.01 EUR (overdraft limit 50.00 EUR)"}},
      {"transfer beyond the balance", "transfer ACC-001 ACC-002 186.01", {}, 1,
       {"insufficient funds in \"ACC-001\""}},
      {"deposit to a closed account", "deposit OLD-001 5", {}, 1,
       {"ledger: error: account \"OLD-001\" is closed (since "}},
      {"transfer to a closed account", "transfer ACC-001 OLD-001 5", {}, 1,
       {"account \"OLD-001\" is closed"}},
      {"close a closed account", "close OLD-001", {}, 1, {"account \"OLD-001\" is closed"}},
      {"unknown account, with a suggestion", "deposit ACC-01 5", {}, 1,
       {"ledger: error: unknown account \"ACC-01\" (did you mean \"ACC-001\"?); open it first "
        "with: ledger open ACC-01\n"}},
      {"unknown account", "withdraw NOPE 5", {}, 1,
       {"unknown account \"NOPE\"; open it first with: ledger open NOPE"}},
      {"unknown account in lowercase", "deposit acc-001 5", {}, 1, {"unknown account \"acc-001\""}},
      {"the longest id, unknown", "deposit " + kMaxId + " 5", {}, 1,
       {"unknown account \"" + kMaxId + "\""}},
      {"balance of an unknown account", "balance ACC-001 NOPE", {}, 1,
       {"ledger: error: unknown account \"NOPE\"\n"}},
      {"statement of an unknown account", "statement ACC-01", {}, 1,
       {"unknown account \"ACC-01\" (did you mean \"ACC-001\"?)"}},
      {"balance before the opening", "balance ACC-001 --at 2025-12-31", {}, 1,
       {"unknown account \"ACC-001\" as of 2025-12-31"}},
      {"duplicate open", "open ACC-001", {}, 1,
       {"ledger: error: account \"ACC-001\" already exists\n"}},
      {"transfer to itself", "transfer ACC-001 ACC-001 5", {}, 1,
       {"ledger: error: cannot transfer from \"ACC-001\" to itself\n"}},
      {"transfer across currencies", "transfer ACC-001 EUR-001 5", {}, 1,
       {"ledger: error: cannot transfer between currencies: \"ACC-001\" is in USD, \"EUR-001\" in "
        "EUR\n"}},
      {"conflicting ref", "deposit ACC-001 2 --ref used-ref", {}, 1,
       {"ledger: error: ref \"used-ref\" was already used for different content (event 128)\n"}},
      {"conflicting ref on another command", "withdraw ACC-001 100 --ref used-ref", {}, 1,
       {"ref \"used-ref\" was already used for different content"}},
      {"close with money in it", "close ACC-001", {}, 1,
       {"ledger: error: cannot close \"ACC-001\": on ", " its balance is 186.00 USD (it must be zero)\n"}},
      {"backdated before the opening", "deposit ACC-001 5 --date 2025-12-31", {}, 1,
       {"is before account \"ACC-001\" was opened"}},
      {"balance overflow", "deposit ACC-001 92233720368547758.07", {}, 1,
       {"the balance of \"ACC-001\" would overflow\n"}},

      // Data directories that cannot be one: exit 74.
      {"--dir is a file, for a question", std::string(kNoDir) + "--dir {scratch}/a-file balance",
       {}, 74, {"ledger: error: list {scratch}/a-file: Not a directory\n"}},
      {"--dir is a file, for a write",
       std::string(kNoDir) + "--dir {scratch}/a-file deposit ACC-001 5", {}, 74,
       {"ledger: error: create directory {scratch}/a-file: Not a directory\n"}},
      {"--dir under a file", std::string(kNoDir) + "--dir {scratch}/a-file/data accounts", {}, 74,
       {"Not a directory"}},
      // A data directory that does not exist yet: a refusal creates nothing (checked at the end);
      // a question there finds no ledger (exit 66).
      {"--dir missing, for a statement",
       std::string(kNoDir) + "--dir {scratch}/missing statement ACC-001", {}, 66,
       {"ledger: error: no ledger at {scratch}/missing; `ledger open` creates one\n"}},
      {"--dir missing, for a deposit",
       std::string(kNoDir) + "--dir {scratch}/missing deposit ACC-001 5", {}, 1,
       {"ledger: error: unknown account \"ACC-001\"; open it first with: ledger open ACC-001\n"}},
      {"--dir missing, for a bad open",
       std::string(kNoDir) + "--dir {scratch}/missing/sub open 'BAD ID'", {}, 65,
       {"invalid account id \"BAD ID\""}},
      {"--dir missing, for a backdated open",
       std::string(kNoDir) + "--dir {scratch}/missing open NEW-001 --date 2099-01-01", {}, 65,
       {"--date: date \"2099-01-01\" is in the future"}},
  };
}

// Import files with bad rows of every kind: exit 65 (66 for a file that cannot be opened), each
// bad row as FILE:LINE:COL (CSV) or FILE:LINE: KEY (JSON lines), and nothing imported.
std::vector<BadInput> import_cases() {
  const std::string bad_rows = [] {
    std::string text = "op,account,amount\n";
    for (int i = 0; i < 25; ++i) text += "deposit,ACC-001,x\n";
    return text;
  }();
  return {
      // The header.
      {"unknown column", "import {file}", Input{"colour.csv", "op,account,amount,colour\n"}, 65,
       {"{file}:1:4: error: unknown column \"colour\" (expected op, account, amount, to, date, "
        "memo, ref, currency, owner, overdraft_limit)\n",
        "ledger: error: 1 bad row in {file}; nothing was imported\n"}},
      {"no op column", "import {file}", Input{"noop.csv", "account,amount\nACC-001,5\n"}, 65,
       {"{file}:1: error: the header row has no \"op\" column\n"}},
      {"duplicate column", "import {file}",
       Input{"dup.csv", "op,account,amount,amount\ndeposit,ACC-001,5,7\n"}, 65,
       {"{file}:1: error: duplicate column \"amount\" (columns 3 and 4)\n"}},
      {"empty file", "import {file}", Input{"empty.csv", ""}, 65,
       {"{file}:1: error: no header row (the file is empty"}},
      {"only blank lines", "import --dry-run {file}", Input{"blank.csv", "\n\n"}, 65,
       {"{file}:1: error: no header row"}},
      {"empty standard input", "import -", Input{"-", ""}, 65, {"<stdin>:1: error: no header row"}},
      {"binary garbage", "import {file}",
       Input{"garbage.csv", "\x89PNG\x1a\x00\x01\xff\n\x00\x02"s}, 65,
       {"{file}:1:1: error: unknown column", "{file}:1: error: the header row has no \"op\" column",
        "2 bad rows in {file}"}},

      // CSV syntax, with the column where it is known.
      {"unbalanced quote", "import {file}",
       Input{"quote.csv", "op,account,amount,memo\ndeposit,ACC-001,5,\"unterminated\n"}, 65,
       {"{file}:2:4: error: unterminated quoted field (the closing quote is missing)\n"}},
      {"quote inside an unquoted field", "import {file}",
       Input{"quote2.csv", "op,account,amount,memo\ndeposit,ACC-001,5,ab\"c\n"}, 65,
       {"{file}:2:4: error: quote inside an unquoted field"}},
      {"text after a closing quote", "import {file}",
       Input{"quote3.csv", "op,account,amount,memo\ndeposit,ACC-001,5,\"ab\"c\n"}, 65,
       {"{file}:2:4: error: unexpected character after a closing quote"}},
      {"too few fields", "import {file}", Input{"few.csv", "op,account,amount\ndeposit,ACC-001\n"},
       65, {"{file}:2: error: 2 fields, but the header has 3\n"}},
      {"too many fields", "import {file}",
       Input{"many.csv", "op,account,amount\ndeposit,ACC-001,5,6\n"}, 65,
       {"{file}:2: error: 4 fields, but the header has 3\n"}},
      {"truncated last line", "import {file}",
       Input{"trunc.csv", "op,account,amount\ndeposit,ACC-001,5\ndeposit,ACC-0"}, 65,
       {"{file}:3: error: 2 fields, but the header has 3\n"}},
      {"carriage return alone", "import {file}",
       Input{"cr.csv", "op,account,amount\rdeposit,ACC-001,5\n"}, 65,
       {"{file}:1: error: carriage return not followed by a line feed\n"}},

      // CSV rows: values and the rules, at their line and column.
      {"bad amount at line 3, column 3", "import {file}",
       Input{"bank.csv", "op,account,amount\ndeposit,ACC-001,10\ndeposit,ACC-001,1x0\n"}, 65,
       {"{file}:3:3: error: invalid amount \"1x0\" (expected a decimal like 12.34)\n"}},
      {"bad amount in the first column", "import {file}",
       Input{"first.csv", "amount,op,account\n-5,deposit,ACC-001\n"}, 65,
       {"{file}:2:1: error: invalid amount \"-5\": it must be positive"}},
      {"too many decimals for EUR", "import {file}",
       Input{"eur.csv", "op,account,amount\ndeposit,EUR-001,1.005\n"}, 65,
       {"{file}:2:3: error: invalid amount \"1.005\": EUR has 2 decimal places\n"}},
      {"exponent in a row", "import {file}",
       Input{"exp.csv", input_csv("withdraw,ACC-001,1e2,,\n")}, 65,
       {"{file}:2:3: error: invalid amount \"1e2\""}},
      {"missing amount", "import {file}", Input{"noamount.csv", input_csv("deposit,ACC-001,,,\n")},
       65, {"{file}:2:3: error: deposit needs a value in column \"amount\"\n"}},
      {"missing account column", "import {file}", Input{"noacc.csv", "op,amount\ndeposit,5\n"}, 65,
       {"{file}:2: error: deposit needs a value in column \"account\"\n"}},
      {"transfer without to", "import {file}",
       Input{"noto.csv", input_csv("transfer,ACC-001,5,,\n")}, 65,
       {"{file}:2:4: error: transfer needs a value in column \"to\"\n"}},
      {"bad date", "import {file}", Input{"date.csv", input_csv("deposit,ACC-001,5,,2026-02-30\n")},
       65, {"{file}:2:5: error: invalid date \"2026-02-30\""}},
      {"date in the future", "import {file}",
       Input{"future.csv", input_csv("deposit,ACC-001,5,,2099-01-01\n")}, 65,
       {"{file}:2:5: error: date \"2099-01-01\" is in the future\n"}},
      {"date before the opening", "import {file}",
       Input{"early.csv", input_csv("deposit,ACC-001,5,,2025-06-01\n")}, 65,
       {"{file}:2:5: error: date 2025-06-01 is before account \"ACC-001\" was "
        "opened"}},
      {"bad op", "import {file}", Input{"op.csv", input_csv("teleport,ACC-001,5,,\n")}, 65,
       {"{file}:2:1: error: invalid op \"teleport\" (expected open, deposit, withdraw, transfer or "
        "close)\n"}},
      {"op misspelt, in capitals (named as typed)", "import {file}",
       Input{"caps.csv", input_csv("DEPOSITE,ACC-001,5,,\n")}, 65,
       {"{file}:2:1: error: invalid op \"DEPOSITE\""}},
      {"bad account id", "import {file}", Input{"id.csv", input_csv("deposit,BAD ID,5,,\n")}, 65,
       {"{file}:2:2: error: invalid account id \"BAD ID\""}},
      {"unknown currency", "import {file}",
       Input{"cur.csv", "op,account,currency\nopen,NEW-001,XYZ\n"}, 65,
       {"{file}:2:3: error: unknown currency \"XYZ\" (expected an ISO 4217 code like USD)\n"}},
      {"negative overdraft limit", "import {file}",
       Input{"limit.csv", "op,account,overdraft_limit\nopen,NEW-001,-1\n"}, 65,
       {"{file}:2:3: error: invalid overdraft limit \"-1\": it may not be negative\n"}},
      {"insufficient funds", "import {file}",
       Input{"funds.csv", input_csv("withdraw,ACC-002,5,,\n")}, 65,
       {"{file}:2:3: error: insufficient funds in \"ACC-002\""}},
      {"closed account", "import {file}", Input{"closed.csv", input_csv("deposit,OLD-001,5,,\n")},
       65, {"{file}:2:2: error: account \"OLD-001\" is closed (since "}},
      {"unknown account", "import {file}", Input{"unknown.csv", input_csv("deposit,ACC-01,5,,\n")},
       65, {"{file}:2:2: error: unknown account \"ACC-01\" (did you mean \"ACC-001\"?)"}},
      {"duplicate open", "import {file}", Input{"open.csv", "op,account\nopen,ACC-001\n"}, 65,
       {"{file}:2:2: error: account \"ACC-001\" already exists\n"}},
      {"open twice in one file", "import {file}",
       Input{"open2.csv", "op,account\nopen,NEW-001\nopen,NEW-001\n"}, 65,
       {"{file}:3:2: error: account \"NEW-001\" already exists\n"}},
      {"transfer to itself", "import {file}",
       Input{"self.csv", input_csv("transfer,ACC-001,5,ACC-001,\n")}, 65,
       {"{file}:2:4: error: cannot transfer from \"ACC-001\" to itself\n"}},
      {"transfer across currencies", "import {file}",
       Input{"mixed.csv", input_csv("transfer,ACC-001,5,EUR-001,\n")}, 65,
       {"{file}:2:4: error: cannot transfer between currencies"}},
      {"close with money in it", "import {file}", Input{"close.csv", "op,account\nclose,ACC-001\n"},
       65, {"{file}:2:2: error: cannot close \"ACC-001\""}},
      {"ref already used in the ledger", "import {file}",
       Input{"ref.csv", "op,account,amount,ref\ndeposit,ACC-001,2,used-ref\n"}, 65,
       {"{file}:2:4: error: ref \"used-ref\" was already used for different content "
        "(event 128)\n"}},
      {"ref used twice in the file", "import {file}",
       Input{"ref2.csv", "op,account,amount,ref\ndeposit,ACC-001,2,r1\ndeposit,ACC-001,3,r1\n"}, 65,
       {"{file}:3:4: error: ref \"r1\" was already used for different content"}},
      {"a UTF-8 byte order mark does not shift lines or columns", "import {file}",
       Input{"bom.csv", "\xEF\xBB\xBFop,account,amount\ndeposit,ACC-001,1x0\n"}, 65,
       {"{file}:2:3: error: invalid amount \"1x0\""}},
      {"more than 20 bad rows", "import {file}", Input{"lots.csv", bad_rows}, 65,
       {"{file}:21:3: error: invalid amount \"x\"", "{file}: ... and 5 more errors\n",
        "ledger: error: 25 bad rows in {file}; nothing was imported\n"}},
      {"bad row on standard input", "import -",
       Input{"-", "op,account,amount\ndeposit,ACC-001,abc\n"}, 65,
       {"<stdin>:2:3: error: invalid amount \"abc\"",
        "ledger: error: 1 bad row in <stdin>; nothing was imported\n"}},
      {"a dry run reports bad rows too", "import --dry-run {file}",
       Input{"dry.csv", input_csv("deposit,ACC-001,5,,\nwithdraw,ACC-002,1,,\n")}, 65,
       {"{file}:3:3: error: insufficient funds in \"ACC-002\""}},
      {"JSON read as CSV", "import --format csv {file}",
       Input{"rows.jsonl", "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":\"5\"}\n"}, 65,
       {"{file}:1: error: this looks like JSON lines, not CSV: import it with --format jsonl; "
        "nothing was imported\n"}},

      // JSON lines.
      {"JSON array", "import {file}", Input{"a.jsonl", "[1,2]\n"}, 65,
       {"{file}:1: error: not a JSON object\n"}},
      {"JSON string", "import {file}", Input{"b.jsonl", "\"deposit\"\n"}, 65,
       {"{file}:1: error: not a JSON object\n"}},
      {"JSON number", "import {file}", Input{"c.jsonl", "42\n"}, 65,
       {"{file}:1: error: not a JSON object\n"}},
      {"JSON null", "import {file}", Input{"d.jsonl", "null\n"}, 65,
       {"{file}:1: error: not a JSON object\n"}},
      {"single quotes", "import {file}", Input{"e.jsonl", "{'op':'deposit'}\n"}, 65,
       {"{file}:1: error: invalid JSON: missing a name for object member\n"}},
      {"truncated last line", "import {file}",
       Input{"f.jsonl",
             "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":\"5\"}\n"
             "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":\"5\""},
       65, {"{file}:2: error: invalid JSON: missing a comma or '}' after an object member\n"}},
      {"nested object", "import {file}",
       Input{"g.jsonl", "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"memo\":{\"a\":1}}\n"}, 65,
       {"{file}:1: error: nested objects are not allowed (values must be scalars)\n"}},
      {"array value", "import {file}",
       Input{"h.jsonl", "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":[\"5\"]}\n"}, 65,
       {"{file}:1: error: arrays are not allowed (values must be scalars)\n"}},
      {"duplicate key", "import {file}",
       Input{"i.jsonl",
             "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":\"5\",\"amount\":\"6\"}\n"},
       65, {"{file}:1: error: duplicate key \"amount\"\n"}},
      {"amount of the wrong type", "import {file}",
       Input{"j.jsonl", "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":true}\n"}, 65,
       {"{file}:1: error: amount: invalid amount \"true\" (expected a decimal like 12.34)\n"}},
      {"amount with an exponent", "import {file}",
       Input{"k.jsonl", "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":1e3}\n"}, 65,
       {"{file}:1: error: amount: invalid amount \"1e3\""}},
      {"negative number", "import {file}",
       Input{"l.jsonl", "{\"op\":\"withdraw\",\"account\":\"ACC-001\",\"amount\":-5}\n"}, 65,
       {"{file}:1: error: amount: invalid amount \"-5\""}},
      {"null amount", "import {file}",
       Input{"m.jsonl", "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":null}\n"}, 65,
       {"{file}:1: error: amount: deposit needs a value in column \"amount\"\n"}},
      {"unknown key", "import {file}",
       Input{"n.jsonl", "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"colour\":\"red\"}\n"}, 65,
       {"{file}:1: error: colour: unknown column \"colour\""}},
      {"no op", "import {file}",
       Input{"o.jsonl", "{\"account\":\"ACC-001\",\"amount\":\"5\"}\n"}, 65,
       {"{file}:1: error: op: invalid op \"\""}},
      {"account of the wrong type", "import {file}",
       Input{"p.jsonl", "{\"op\":\"deposit\",\"account\":42,\"amount\":\"5\"}\n"}, 65,
       {"{file}:1: error: account: unknown account \"42\""}},
      {"NUL byte", "import {file}",
       Input{"q.jsonl", "{\"op\":\"deposit\",\"memo\":\"a\0b\"}\n"s}, 65,
       {"{file}:1: error: NUL byte in line\n"}},
      {"invalid UTF-8", "import {file}",
       Input{"r.jsonl", "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"memo\":\"\xff\xfe\"}\n"}, 65,
       {"{file}:1: error: invalid JSON: invalid encoding in string\n"}},
      {"two values on a line", "import {file}",
       Input{"s.jsonl", "{\"op\":\"close\",\"account\":\"ACC-002\"} {}\n"}, 65,
       {"{file}:1: error: invalid JSON: the document root must not be followed by other values\n"}},
      {"bad date", "import {file}",
       Input{"t.jsonl",
             "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":\"5\","
             "\"date\":\"2026-02-30\"}\n"},
       65, {"{file}:1: error: date: invalid date \"2026-02-30\""}},
      {"a byte order mark does not shift lines", "import {file}",
       Input{"u.jsonl",
             "\xEF\xBB\xBF{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":\"5\"}\n"
             "{\"op\":\"deposit\",\"account\":\"ACC-001\",\"amount\":\"5x\"}\n"},
       65, {"{file}:2: error: amount: invalid amount \"5x\"", "1 bad row in {file}"}},
      {"a rule's refusal on standard input", "import - --format jsonl",
       Input{"-", "{\"op\":\"withdraw\",\"account\":\"ACC-002\",\"amount\":\"5\"}\n"}, 65,
       {"<stdin>:1: error: amount: insufficient funds in \"ACC-002\""}},
      {"CSV read as JSON lines", "import --format jsonl {file}",
       Input{"bank.csv", "op,account,amount\ndeposit,ACC-001,5\n"}, 65,
       {"{file}:1: error: invalid JSON", "{file}:2: error: invalid JSON", "2 bad rows in {file}"}},

      // Files that cannot be read: exit 66.
      {"missing file", "import {scratch}/no-such.csv", {}, 66,
       {"ledger: error: cannot open {scratch}/no-such.csv: No such file or directory\n"}},
      {"missing file, dry run", "import --dry-run /nonexistent/rows.jsonl", {}, 66,
       {"cannot open /nonexistent/rows.jsonl"}},
      {"a directory", "import {scratch}", {}, 66,
       {"ledger: error: cannot open {scratch}: Is a directory\n"}},
  };
}

void check_sweep(const std::vector<BadInput>& cases) {
  TestLedger ledger;
  set_up(ledger);
  const std::string scratch = ledger.scratch().string();
  ledger.file("a-file", "not a data directory\n");
  const auto before = ledger.files();
  for (const BadInput& c : cases) {
    std::string args = replaced(c.args, "{scratch}", scratch);
    std::string name;
    fs::path input_path = "/dev/null";
    if (c.input) {
      input_path = ledger.file(c.input->name == "-" ? "stdin" : c.input->name, c.input->text);
      name = c.input->name == "-" ? "<stdin>" : input_path.string();
      args = replaced(args, "{file}", shell_quote(input_path.string()));
    }
    INFO(c.what << ": ledger " << args);
    RunResult r;
    if (args.starts_with(kNoDir)) {
      r = ledger::testing::run_ledger(args.substr(std::string(kNoDir).size()), kUtc);
    } else {
      r = ledger.run_with_stdin(args, input_path);
    }
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == c.exit_code);
    for (const std::string& text : c.says) {
      CHECK(contains(r.err, replaced(replaced(text, "{file}", name), "{scratch}", scratch)));
    }
    CHECK(r.out.empty());
    check_unchanged(before, ledger.files());
  }
  CHECK_FALSE(fs::exists(ledger.scratch() / "missing"));
  // And the books say what they said, and still verify.
  CHECK(ledger.ok("balance --format csv").out == kBalances);
  CHECK(ledger.ok("verify").exit_code == 0);
}

}  // namespace

TEST_SUITE("e2e bad input sweep") {
  TEST_CASE("at least 100 malformed command lines and import files each get their documented "
            "exit status and message, print no data and change no file") {
    std::vector<BadInput> cases = command_line_cases();
    const std::vector<BadInput> imports = import_cases();
    cases.insert(cases.end(), imports.begin(), imports.end());
    CHECK(cases.size() >= 100);
    check_sweep(cases);
  }
}
