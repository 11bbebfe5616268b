// The effective timeline through the real binary (issue 11): one test per defect. The rules hold
// at every effective date, not only at the head; a ledger's one time zone, fixed at creation,
// governs every date typed or shown whatever the reader's TZ; an account is open for whole days;
// an import is applied in timeline order whatever the order of its file; an export copy restores
// the same books; journal totals do not overflow; dates print as dates; verify checks the
// timeline rules of the stored log.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "domain/event_codec.h"
#include "e2e/e2e_support.h"
#include "store/log_writer.h"

using namespace ledger::e2e;

namespace {

constexpr int64_t kSecond = 1'000'000'000;

// Runs a command that must be refused: exit `code`, nothing on stdout, `message` on stderr, and
// every file of the data directory as it was.
void check_refused(const TestLedger& ledger, const std::string& args, int code,
                   const std::string& message, const std::string& env = kUtc) {
  const auto before = ledger.files();
  const RunResult r = ledger.run(args, env);
  INFO("ledger " << args << " (" << env << ")\nstdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == code);
  CHECK(r.out.empty());
  CHECK(contains(r.err, message));
  check_unchanged(before, ledger.files());
}

std::string balance_at(const TestLedger& ledger, const std::string& at,
                       const std::string& env = kUtc) {
  return ledger.ok("balance --format csv --at " + at, env).out;
}

// A CSV file of `header` and `rows`, one line each.
std::string csv_text(const std::string& header, const std::vector<std::string>& rows) {
  std::string text = header + "\n";
  for (const std::string& row : rows) text += row + "\n";
  return text;
}

std::vector<std::string> reversed(std::vector<std::string> rows) {
  return {rows.rbegin(), rows.rend()};
}

// The "FILE:LINE:COL: error: MESSAGE" lines of an import's stderr, each with its line replaced by
// the row it names (rows are one line each, after the header), so that two files holding the
// same rows in other orders can be compared.
std::set<std::tuple<std::string, std::string, std::string>> row_errors(
    const std::string& err, const std::string& file, const std::vector<std::string>& rows) {
  std::set<std::tuple<std::string, std::string, std::string>> errors;
  for (const std::string& line : lines_of(err)) {
    if (!line.starts_with(file + ":")) continue;
    const size_t line_end = line.find(':', file.size() + 1);
    const size_t col_end = line.find(':', line_end + 1);
    REQUIRE(line_end != std::string::npos);
    REQUIRE(col_end != std::string::npos);
    const size_t number = std::stoul(line.substr(file.size() + 1, line_end - file.size() - 1));
    REQUIRE(number >= 2);
    REQUIRE(number - 2 < rows.size());
    errors.emplace(rows[number - 2], line.substr(line_end + 1, col_end - line_end - 1),
                   line.substr(col_end + 1));
  }
  return errors;
}

// Appends one event to the log as raw bytes at the effective instant `effective_ns`, past the
// rules of decide(): what a buggy writer or an edited log would leave.
void append_event_at(const TestLedger& ledger, const ledger::domain::Event& event,
                     int64_t effective_ns) {
  const auto encoded = ledger::domain::encode_event(event);
  ledger::store::LogOptions options;
  ledger::store::RecoveryReport report;
  auto writer = ledger::store::LogWriter::open(ledger.dir(), options, report);
  REQUIRE(writer);
  const ledger::store::Record record{
      encoded.type,
      encoded.version,
      effective_ns,
      {reinterpret_cast<const unsigned char*>(encoded.payload.data()), encoded.payload.size()}};
  REQUIRE((*writer)->append(std::span(&record, 1)));
}

// The global option that creates a ledger in `zone`; none for UTC, the zone of every test's TZ.
std::string zone_option(const std::string& zone) {
  return zone == "UTC" ? "" : "--timezone " + zone + " ";
}

// A history with backdated entries, a close, an overdraft limit, a JPY and a BHD account, refs,
// entries with a time of day, and an account opened at an instant, in a ledger created in
// `zone`: 21 events.
void build_history(const TestLedger& ledger, const std::string& zone) {
  ledger.ok(zone_option(zone) + "open A-1 --owner 'Ada Lovelace' --date 2025-01-01");
  ledger.ok("open B-2 --owner Bob --overdraft-limit 25 --date 2025-01-01");
  ledger.ok("open JPY-1 --currency JPY --date 2025-01-10");
  ledger.ok("open BHD-1 --currency BHD --overdraft-limit 1.5 --date 2025-01-10");
  ledger.ok("open OLD-1 --date 2025-01-02");
  ledger.ok("deposit A-1 500 --date 2025-03-01 --ref pay-1 --memo 'salary, march'");
  ledger.ok("withdraw A-1 400 --date 2025-03-10");
  ledger.ok("deposit A-1 100 --date 2025-02-10 --memo 'late cheque'");  // Backdated.
  ledger.ok("withdraw A-1 50 --date 2025-02-15");                       // Backdated.
  ledger.ok("transfer A-1 B-2 30 --date 2025-03-05 --ref rent-1");
  ledger.ok("withdraw B-2 50 --date 2025-03-06");  // Into the overdraft.
  ledger.ok("deposit JPY-1 1500 --date 2025-02-01");
  ledger.ok("deposit BHD-1 2.125 --date 2025-02-01");
  ledger.ok("withdraw BHD-1 3.5 --date 2025-02-02");  // Into the overdraft.
  ledger.ok("deposit OLD-1 5 --date 2025-01-03");
  ledger.ok("withdraw OLD-1 5 --date 2025-01-04");
  ledger.ok("close OLD-1 --date 2025-01-05");
  ledger.ok("deposit A-1 7.25 --date 2025-03-01T15:30:00Z");  // Backdated, with a time of day.
  // Opened at an instant, so from the start of its day: an entry earlier that day is accepted.
  ledger.ok("open C-3 --date 2025-02-01T15:00:00Z");
  ledger.ok("deposit C-3 5 --date 2025-02-01T06:00:00Z");
  ledger.ok("deposit C-3 1 --date 2025-02-01");
}

}  // namespace

TEST_SUITE("e2e timeline") {
  TEST_CASE("a backdated withdrawal or transfer may not overdraw the past or any later date") {
    TestLedger ledger;
    ledger.ok("open A-1 --date 2025-01-01");
    ledger.ok("open B-2 --date 2025-01-01");
    ledger.ok("deposit A-1 500 --date 2025-03-01");
    ledger.ok("withdraw A-1 400 --date 2025-03-10");
    // The head balance (100.00) would cover it, but on Feb 15 there was nothing yet.
    check_refused(ledger, "withdraw A-1 50 --date 2025-02-15", 1,
                  "insufficient funds in \"A-1\": on 2025-02-15 it would be at -50.00 USD "
                  "(overdraft limit 0.00 USD)");
    check_refused(ledger, "transfer A-1 B-2 50 --date 2025-02-15", 1,
                  "insufficient funds in \"A-1\": on 2025-02-15 it would be at -50.00 USD "
                  "(overdraft limit 0.00 USD)");
    CHECK(balance_at(ledger, "2025-02-20 A-1") == "account,balance,currency\nA-1,0.00,USD\n");
    // On Mar 5 there is 500.00, but the withdrawal of Mar 10 would then overdraw.
    check_refused(ledger, "withdraw A-1 150 --date 2025-03-05", 1,
                  "insufficient funds in \"A-1\": on 2025-03-10 it would be at -50.00 USD "
                  "(overdraft limit 0.00 USD)");
    // What every later date can carry is accepted.
    ledger.ok("withdraw A-1 100 --date 2025-03-05");
    CHECK(balance_at(ledger, "2025-03-05 A-1") == "account,balance,currency\nA-1,400.00,USD\n");
    CHECK(balance_at(ledger, "2025-03-10 A-1") == "account,balance,currency\nA-1,0.00,USD\n");
    CHECK(ledger.ok("balance A-1 --format csv").out == "account,balance,currency\nA-1,0.00,USD\n");
  }

  TEST_CASE("a backdated close needs no entries after it, and a closed account takes no money") {
    TestLedger ledger;
    ledger.ok("open A-1 --date 2025-01-01");
    ledger.ok("deposit A-1 500 --date 2025-03-01");
    ledger.ok("withdraw A-1 500 --date 2025-03-02");
    // The head balance is zero, but the account had money on Mar 1 and moved it on Mar 2.
    check_refused(ledger, "close A-1 --date 2025-03-01", 1,
                  "cannot close \"A-1\" on 2025-03-01: it has entries after that (the first on "
                  "2025-03-02)");
    check_refused(ledger, "close A-1 --date 2025-02-01", 1,
                  "cannot close \"A-1\" on 2025-02-01: it has entries after that (the first on "
                  "2025-03-01)");
    ledger.ok("close A-1 --date 2025-03-02");
    const auto accounts = lines_of(ledger.ok("accounts --format csv").out);
    REQUIRE(accounts.size() == 2);
    CHECK(accounts[1] == "A-1,0.00,USD,closed,,0.00,2025-01-01");
    // Closed since Mar 2: no money at any date, before the close as after it.
    check_refused(ledger, "deposit A-1 1 --date 2025-01-05", 1,
                  "account \"A-1\" is closed (since 2025-03-02)");
    check_refused(ledger, "deposit A-1 1", 1, "account \"A-1\" is closed (since 2025-03-02)");
    CHECK(balance_at(ledger, "2025-01-05 A-1") == "account,balance,currency\nA-1,0.00,USD\n");
  }

  TEST_CASE("the reader's TZ changes no answer: dates are days of the ledger's own zone") {
    // Created with --timezone, or by a process whose TZ names the zone: the zone is recorded.
    for (const auto& [creation, env] :
         {std::pair<std::string, std::string>{"", "TZ=America/New_York"},
          std::pair<std::string, std::string>{"--timezone America/New_York ", kUtc}}) {
      INFO("created with '" << creation << "' under " << env);
      TestLedger ledger;
      ledger.ok(creation + "open A-1 --date 2025-06-01", env);
      ledger.ok("deposit A-1 10 --date 2025-06-30", "TZ=Asia/Tokyo");
      const std::vector<std::string> readers = {"TZ=America/Los_Angeles", "TZ=Asia/Tokyo", kUtc,
                                                "env -u TZ"};
      for (const std::string& reader : readers) {
        INFO("reader " << reader);
        CHECK(balance_at(ledger, "2025-06-30", reader) ==
              "account,balance,currency\nA-1,10.00,USD\n");
        CHECK(balance_at(ledger, "2025-06-29", reader) ==
              "account,balance,currency\nA-1,0.00,USD\n");
        // June 30th starts at 04:00Z in New York (EDT).
        CHECK(balance_at(ledger, "2025-06-30T03:59:59Z", reader) ==
              "account,balance,currency\nA-1,0.00,USD\n");
        CHECK(balance_at(ledger, "2025-06-30T04:00:00Z", reader) ==
              "account,balance,currency\nA-1,10.00,USD\n");
        const auto statement = lines_of(ledger.ok("statement A-1 --format csv", reader).out);
        REQUIRE(statement.size() == 2);
        CHECK(csv_fields(statement[1])[0] == "2025-06-30");
        const auto stats = lines_of(ledger.ok("stats --format csv", reader).out);
        REQUIRE(stats.size() == 2);
        const auto header = csv_fields(stats[0]);
        const auto values = csv_fields(stats[1]);
        REQUIRE(header.size() == values.size());
        REQUIRE(header.back() == "time_zone");
        CHECK(values.back() == "America/New_York");
      }
      // The zone is fixed when the ledger is created.
      check_refused(ledger, "--timezone UTC deposit A-1 1", 64,
                    "--timezone UTC: this ledger's time zone is America/New_York");
      check_refused(ledger, "deposit A-1 1 --timezone UTC", 64,
                    "--timezone UTC: this ledger's time zone is America/New_York");
    }
  }

  TEST_CASE("an account takes entries from the first instant of its opening day") {
    TestLedger ledger;
    ledger.ok("open A-1 --date 2025-02-01");
    ledger.ok("deposit A-1 5 --date 2025-02-01T12:00:00Z");
    CHECK(balance_at(ledger, "2025-02-01 A-1") == "account,balance,currency\nA-1,5.00,USD\n");
    check_refused(ledger, "deposit A-1 5 --date 2025-01-31T23:00:00Z", 1,
                  "date 2025-01-31T23:00:00Z is before account \"A-1\" was opened (2025-02-01)");
    check_refused(ledger, "deposit A-1 5 --date 2025-01-31", 1,
                  "is before account \"A-1\" was opened (2025-02-01)");

    // An open given an instant counts from the start of that instant's day.
    TestLedger timed;
    timed.ok("open A-1 --date 2025-02-01T15:00:00Z");
    timed.ok("deposit A-1 5 --date 2025-02-01T03:00:00Z");
    timed.ok("deposit A-1 1 --date 2025-02-01");
    CHECK(timed.ok("accounts --format csv").out ==
          "account,balance,currency,status,owner,overdraft_limit,opened\n"
          "A-1,6.00,USD,open,,0.00,2025-02-01\n");
  }

  TEST_CASE("a newest-first bank export imports, and the order of the rows changes no outcome") {
    const std::string header = "date,op,account,amount,to,memo,owner,currency,overdraft_limit";
    // Newest first, on distinct days: every withdrawal is listed above the deposit it draws on.
    const std::vector<std::string> newest_first = {
        "2025-03-20,withdraw,A-1,30,,rent,,,", "2025-03-15,transfer,A-1,50,B-2,share,,,",
        "2025-03-12,withdraw,A-1,20,,cash,,,", "2025-03-10,deposit,A-1,100,,salary,,,",
        "2025-03-05,withdraw,B-2,5,,fee,,,",   "2025-03-01,open,B-2,,,,Bob,,10",
        "2025-03-01,open,A-1,,,,Ada,,"};
    TestLedger newest, oldest;
    const auto newest_file = newest.file("newest.csv", csv_text(header, newest_first));
    const auto oldest_file = oldest.file("oldest.csv", csv_text(header, reversed(newest_first)));
    for (const auto& [ledger, file] :
         {std::pair{&newest, newest_file}, std::pair{&oldest, oldest_file}}) {
      const RunResult r = ledger->run("import " + shell_quote(file.string()));
      INFO("import " << file << "\nstderr: " << r.err);
      CHECK(r.exit_code == 0);
      CHECK(r.out == "7 new, 0 already recorded\n");
      CHECK(r.err.empty());
    }
    CHECK(newest.ok("balance --format csv").out ==
          "account,balance,currency\nA-1,0.00,USD\nB-2,45.00,USD\n");
    for (const std::string query :
         {"balance --format csv", "accounts --format csv", "statement A-1 --format csv",
          "statement B-2 --format csv", "balance --format csv --at 2025-03-12"}) {
      INFO(query);
      CHECK(newest.ok(query).out == oldest.ok(query).out);
    }

    // Newest first within a day: a day's withdrawal listed above that day's deposit. The balance
    // at a position is the one after all its entries, so the file imports in either order.
    const std::vector<std::string> same_day = {"2025-03-10,withdraw,A-1,20,,cash,,,",
                                               "2025-03-10,deposit,A-1,100,,salary,,,",
                                               "2025-03-01,open,A-1,,,,Ada,,"};
    TestLedger day_newest, day_oldest;
    const auto day_newest_file = day_newest.file("newest.csv", csv_text(header, same_day));
    const auto day_oldest_file =
        day_oldest.file("oldest.csv", csv_text(header, reversed(same_day)));
    for (const auto& [ledger, file] :
         {std::pair{&day_newest, day_newest_file}, std::pair{&day_oldest, day_oldest_file}}) {
      const RunResult r = ledger->run("import " + shell_quote(file.string()));
      INFO("import " << file << "\nstderr: " << r.err);
      CHECK(r.exit_code == 0);
      CHECK(r.out == "3 new, 0 already recorded\n");
      CHECK(r.err.empty());
      CHECK(ledger->ok("balance --format csv").out == "account,balance,currency\nA-1,80.00,USD\n");
    }

    // Bad rows: the same errors, each at its row, in either order; nothing written.
    const std::vector<std::string> bad = {
        "2025-03-20,withdraw,A-1,300,,too much,,,", "2025-03-15,deposit,A-1,1x0,,typo,,,",
        "2025-03-12,withdraw,A-1,20,,cash,,,",      "2025-03-10,deposit,A-1,100,,salary,,,",
        "2025-03-04,deposit,NOPE,5,,who,,,",        "2025-03-01,open,A-1,,,,Ada,,"};
    std::vector<std::set<std::tuple<std::string, std::string, std::string>>> errors;
    for (const auto& rows : {bad, reversed(bad)}) {
      TestLedger ledger;
      ledger.ok("open X-0 --date 2025-01-01");
      const auto file = ledger.file("bad.csv", csv_text(header, rows));
      const auto before = ledger.files();
      const RunResult r = ledger.run("import " + shell_quote(file.string()));
      INFO("stderr: " << r.err);
      CHECK(r.exit_code == 65);
      CHECK(r.out.empty());
      CHECK(contains(r.err,
                     "ledger: error: 3 bad rows in " + file.string() + "; nothing was imported"));
      check_unchanged(before, ledger.files());
      errors.push_back(row_errors(r.err, file.string(), rows));
    }
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].size() == 3);
    CHECK(errors[0] == errors[1]);
    CHECK(errors[0].count({"2025-03-20,withdraw,A-1,300,,too much,,,", "4",
                           " error: insufficient funds in \"A-1\": on 2025-03-20 it would be at "
                           "-220.00 USD (overdraft limit 0.00 USD)"}) == 1);
  }

  TEST_CASE("an export copy restores the same books after backdating, closes and limits") {
    for (const std::string zone : {"UTC", "America/New_York"}) {
      INFO("zone " << zone);
      TestLedger original;
      build_history(original, zone);
      for (const std::string format : {"csv", "jsonl"}) {
        INFO("export --format " << format);
        const auto exported =
            original.file("export." + format, original.ok("export --format " + format).out);
        TestLedger copy;
        const RunResult r = copy.run(zone_option(zone) + "import --format " + format + " " +
                                     shell_quote(exported.string()));
        INFO("stderr: " << r.err);
        REQUIRE(r.exit_code == 0);
        CHECK(r.out == "21 new, 0 already recorded\n");
        CHECK(copy.ok("balance --format csv").out == original.ok("balance --format csv").out);
        CHECK(copy.ok("accounts --format csv").out == original.ok("accounts --format csv").out);
        for (const std::string at :
             {"2025-01-01", "2025-01-03", "2025-01-05", "2025-02-01", "2025-02-01T05:59:59Z",
              "2025-02-01T06:00:00Z", "2025-02-02", "2025-02-12", "2025-02-15", "2025-03-01",
              "2025-03-01T15:29:59Z", "2025-03-01T15:30:00Z", "2025-03-05", "2025-03-06",
              "2025-03-10"}) {
          INFO("--at " << at);
          CHECK(balance_at(copy, at) == balance_at(original, at));
        }
        for (const std::string account : {"A-1", "B-2", "JPY-1", "BHD-1", "OLD-1", "C-3"}) {
          INFO("statement " << account);
          CHECK(without_seq_and_ref(copy.ok("statement " + account + " --format csv").out) ==
                without_seq_and_ref(original.ok("statement " + account + " --format csv").out));
        }
      }
    }
  }

  TEST_CASE("no total overflows on export: journal totals reach beyond 64 bits") {
    TestLedger ledger;
    ledger.ok("open A-1");
    ledger.ok("open B-2");
    ledger.ok("deposit A-1 90000000000000000");
    ledger.ok("deposit B-2 90000000000000000");
    for (const std::string format : {"csv", "jsonl", "ledger"}) {
      INFO("export --format " << format);
      const RunResult r = ledger.run("export --format " + format);
      INFO("stderr: " << r.err);
      CHECK(r.exit_code == 0);
      CHECK(r.err.empty());
      CHECK(contains(r.out, "90000000000000000.00"));
      if (format == "ledger") {
        CHECK(contains(r.out, "= -180000000000000000.00 USD"));
      } else {
        // The rows read back into a fresh ledger.
        TestLedger copy;
        const auto file = copy.file("export." + format, r.out);
        copy.ok("import --format " + format + " " + shell_quote(file.string()));
        CHECK(copy.ok("balance --format csv").out == ledger.ok("balance --format csv").out);
      }
    }
  }

  TEST_CASE("a dated entry prints as its date in every format, a timed one as ISO with offset") {
    struct Case {
      std::string zone, timed_input, timed_printed;
    };
    for (const Case& c :
         {Case{"UTC", "2025-07-01T12:00:00Z", "2025-07-01T12:00:00Z"},
          Case{"Asia/Tokyo", "2025-07-01T03:00:00Z", "2025-07-01T12:00:00+09:00"}}) {
      INFO("zone " << c.zone);
      TestLedger ledger;
      ledger.ok(zone_option(c.zone) + "open A-1 --date 2025-06-01");
      ledger.ok("open B-1 --date 2025-06-01");
      ledger.ok("deposit A-1 5 --date 2025-07-01");
      ledger.ok("deposit A-1 7 --date " + c.timed_input);
      ledger.ok("close B-1 --date 2025-07-02");
      for (const std::string& reader : {std::string(kUtc), std::string("TZ=America/Los_Angeles")}) {
        INFO("reader " << reader);
        const auto statement = lines_of(ledger.ok("statement A-1 --format csv", reader).out);
        REQUIRE(statement.size() == 3);
        CHECK(csv_fields(statement[1])[0] == "2025-07-01");
        CHECK(csv_fields(statement[2])[0] == c.timed_printed);

        const auto history = lines_of(ledger.ok("history --format csv", reader).out);
        REQUIRE(history.size() == 6);
        CHECK(csv_fields(history[1])[2] == "2025-06-01");
        CHECK(csv_fields(history[3])[2] == "2025-07-01");
        CHECK(csv_fields(history[4])[2] == c.timed_printed);
        CHECK(csv_fields(history[5])[2] == "2025-07-02");  // A dated close: its day.

        const auto exported = lines_of(ledger.ok("export --format csv", reader).out);
        REQUIRE(exported.size() == 6);
        std::vector<std::string> dates;
        for (size_t i = 1; i < exported.size(); ++i) dates.push_back(csv_fields(exported[i])[4]);
        CHECK(dates == std::vector<std::string>{"2025-06-01", "2025-06-01", "2025-07-01",
                                                c.timed_printed, "2025-07-02"});

        const std::string json = ledger.ok("statement A-1 --format json", reader).out;
        CHECK(contains(json, R"({"date":"2025-07-01","seq":3,)"));
        CHECK(contains(json, R"({"date":")" + c.timed_printed + R"(","seq":4,)"));
        const std::string jsonl = ledger.ok("history --format jsonl", reader).out;
        CHECK(contains(jsonl, R"("date":"2025-07-01","type":"MoneyDeposited")"));
        CHECK(contains(jsonl, R"("date":")" + c.timed_printed + R"(","type":"MoneyDeposited")"));
        const auto table = lines_of(ledger.ok("statement A-1 --format table", reader).out);
        REQUIRE(table.size() == 7);  // Heading, opening, header, two rows, closing, digest.
        CHECK(table[3].starts_with("2025-07-01 "));
        CHECK(table[4].starts_with(c.timed_printed + " "));
        CHECK(contains(ledger.ok("accounts --format csv", reader).out, ",2025-06-01\n"));
      }
    }
  }

  TEST_CASE("verify reports an event that overdraws an earlier date of the timeline" * doctest::test_suite("files")) {
    TestLedger ledger;
    ledger.ok("open A-1 --date 2025-01-01");
    ledger.ok("deposit A-1 500 --date 2025-03-01");
    ledger.ok("verify");
    // A withdrawal of 50.00 dated Feb 15, before the only deposit: the head balance (450.00)
    // is fine, the balance on Feb 15 is not.
    constexpr int64_t kFeb15 = 1739577600LL * kSecond;  // 2025-02-15T00:00:00Z
    append_event_at(ledger, ledger::domain::MoneyWithdrawn{"A-1", 5000, "backdated", {}}, kFeb15);
    CHECK(ledger.ok("balance A-1 --format csv").out ==
          "account,balance,currency\nA-1,450.00,USD\n");
    CHECK(balance_at(ledger, "2025-02-20 A-1") == "account,balance,currency\nA-1,-50.00,USD\n");
    CHECK(contains(ledger.ok("statement A-1 --format csv").out,
                   "\n2025-02-15,3,withdrawal,,-50.00,-50.00,USD,backdated,\n"));
    const auto before = ledger.files();
    const RunResult r = ledger.run("verify");
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(contains(r.err, "ledger: verify: FAILED: "));
    CHECK(contains(r.err,
                   "(sequence 3): event 3 breaks a rule: insufficient funds in \"A-1\": on "
                   "2025-02-15 it would be at -50.00 USD (overdraft limit 0.00 USD)"));
    CHECK(contains(r.err, "; accounts A-1; effective 2025-02-15"));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("verify reports, in log order, a backdated withdrawal that overdraws a later date "
            "and a closing dated before a later entry" * doctest::test_suite("files")) {
    TestLedger ledger;
    ledger.ok("open A-1 --date 2025-01-01");
    ledger.ok("open B-1 --date 2025-01-01");
    ledger.ok("deposit A-1 100 --date 2025-03-01");
    ledger.ok("withdraw A-1 80 --date 2025-03-10");
    ledger.ok("deposit B-1 5 --date 2025-03-01");
    ledger.ok("verify");
    constexpr int64_t kFeb15 = 1739577600LL * kSecond;  // 2025-02-15T00:00:00Z
    constexpr int64_t kMar5 = 1741132800LL * kSecond;   // 2025-03-05T00:00:00Z
    constexpr int64_t kApr1 = 1743465600LL * kSecond;   // 2025-04-01T00:00:00Z
    // 50.00 out of A-1 on Mar 5 leaves 50.00 that day, and -30.00 from Mar 10 on.
    append_event_at(ledger, ledger::domain::MoneyWithdrawn{"A-1", 5000, "backdated", {}}, kMar5);
    append_event_at(ledger, ledger::domain::AccountClosed{"B-1", {}}, kFeb15);
    // In effective order: found as the replay reaches it, yet listed after the two before it.
    append_event_at(ledger, ledger::domain::MoneyWithdrawn{"B-1", 1000, "too much", {}}, kApr1);
    const auto before = ledger.files();
    const RunResult r = ledger.run("verify");
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 1);
    const std::vector<std::string> problems = {
        "(sequence 6): event 6 breaks a rule: insufficient funds in \"A-1\": on 2025-03-10 it "
        "would be at -30.00 USD (overdraft limit 0.00 USD); accounts A-1; effective 2025-03-05",
        "(sequence 7): event 7 breaks a rule: cannot close \"B-1\" on 2025-02-15: it has entries "
        "after that (the first on 2025-03-01); accounts B-1; effective 2025-02-15",
        "(sequence 8): event 8 breaks a rule: insufficient funds in \"B-1\": on 2025-04-01 it "
        "would be at -5.00 USD (overdraft limit 0.00 USD); accounts B-1; effective 2025-04-01"};
    size_t at = 0;
    for (const std::string& problem : problems) {
      CAPTURE(problem);
      const size_t found = r.err.find(problem);
      REQUIRE(found != std::string::npos);
      CHECK(found >= at);
      at = found;
    }
    check_unchanged(before, ledger.files());
  }
}
