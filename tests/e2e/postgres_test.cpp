// What only the PostgreSQL store has: locations that are refused (a wrong server, a missing
// database, a refused password, no ledger-postgres), passwords never printed, verify of its
// tables, and writers in several processes at once. The rest of the suite runs on it as well
// (tests/CMakeLists.txt, ledger_add_postgres_run). Run with LEDGER_TEST_PG set.

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>
#include <string>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

// The server's location with `key=value` parameters replaced or added.
std::string with_param(std::string location, const std::string& key, const std::string& value) {
  const std::string needle = key + "=";
  size_t at = location.find("?" + needle);
  if (at == std::string::npos) at = location.find("&" + needle);
  if (at != std::string::npos) {
    const size_t start = at + 1 + needle.size();
    const size_t end = location.find('&', start);
    return location.replace(start, (end == std::string::npos ? location.size() : end) - start,
                            value);
  }
  return location + (location.find('?') == std::string::npos ? "?" : "&") + needle + value;
}

// A ledger whose events can be changed behind its back, as a forger or a broken disk would.
struct Tampered {
  TestLedger ledger;
  Tampered() {
    ledger.ok("open ACC-1 --date 2026-01-01");
    ledger.ok("open ACC-2 --date 2026-01-01");
    ledger.ok("deposit ACC-1 100 --date 2026-01-02");
    ledger.ok("transfer ACC-1 ACC-2 30 --date 2026-01-03");
    ledger.ok("withdraw ACC-2 5 --date 2026-01-04");
  }
  void sql(const std::string& statement) const { psql(ledger.location(), statement); }
};

}  // namespace

TEST_SUITE("e2e postgres") {
  TEST_CASE("a server that cannot be reached is exit 74 in one line, and nothing is created") {
    REQUIRE(on_postgres());
    const std::string nowhere = with_param(postgres_server(), "host", "/nonexistent-socket-dir");
    for (const char* args : {"open ACC-1", "balance", "import /dev/null", "verify"}) {
      INFO(args);
      const RunResult r = ledger::testing::run_ledger(
          "--dir " + shell_quote(nowhere) + " " + args, kUtc);
      CHECK(r.exit_code == 74);
      CHECK(lines_of(r.err).size() == 1);
      CHECK(contains(r.err, "ledger: error: cannot connect to postgresql:///postgres?host="
                            "/nonexistent-socket-dir"));
      CHECK(r.out.empty());
    }
  }

  TEST_CASE("a database that does not exist is exit 74 naming it; an empty one holds no ledger") {
    const std::string missing = with_database(postgres_server(), "no_such_database");
    RunResult r = ledger::testing::run_ledger("--dir " + shell_quote(missing) + " open ACC-1", kUtc);
    CHECK(r.exit_code == 74);
    CHECK(contains(r.err, "database \"no_such_database\" does not exist"));
    TestLedger empty;
    r = empty.run("balance");
    CHECK(r.exit_code == 66);
    CHECK(r.err == "ledger: error: no ledger at " + empty.location() +
                       "; `ledger open` creates one\n");
    CHECK(empty.files().empty());  // A query made no table.
    // Nor does a refused first write: the tables are made in its transaction.
    CHECK(empty.run("deposit CHK-001 5").exit_code == 1);
    CHECK(empty.files().empty());
    CHECK(empty.run("balance").exit_code == 66);
  }

  TEST_CASE("a password anywhere in a location stays out of every message") {
    const std::string server = postgres_server();
    const std::string query = server.substr(server.find('?'));
    // In the authority, with a '/' in it; as a parameter libpq cannot decode; as sslpassword.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"postgresql://ledger_pw:se/cr:et@/postgres" + query, "se/cr:et"},
        {server + "&password=%zzsecret", "zzsecret"},
        {with_param(with_param(server, "user", "ledger_pw"), "password", "hunter2") +
             "&sslpassword=other-secret",
         "hunter2"},
    };
    for (const auto& [location, secret] : cases) {
      INFO(location);
      const RunResult r = ledger::testing::run_ledger("--dir " + shell_quote(location) + " balance",
                                                      kUtc);
      CHECK(r.exit_code == 74);
      CHECK(lines_of(r.err).size() == 1);
      CHECK_FALSE(contains(r.err, secret));
      CHECK_FALSE(contains(r.err, "other-secret"));
      CHECK(contains(r.err, "***"));
    }
  }

  TEST_CASE("a writer waits for another's lock, then gives up with exit 75, nothing written") {
    TestLedger ledger;
    ledger.ok("open ACC-1");
    const auto before = ledger.files();
    // Another writer holds the head row for ten seconds; ours waits five (as for a directory).
    const std::string hold = "psql -X -q " + shell_quote(ledger.location()) + " -c " +
                             shell_quote("BEGIN; SELECT * FROM ledger_head FOR UPDATE; "
                                         "SELECT pg_sleep(10); COMMIT") +
                             " >/dev/null 2>&1 &";
    REQUIRE(std::system(hold.c_str()) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const RunResult r = ledger.run("deposit ACC-1 5");
    CHECK(r.exit_code == 75);
    CHECK(contains(r.err, "is locked by another writer"));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("accounts list in the same order on both stores, whatever the database's locale") {
    // A database whose text sorts as English does (ICU): ACC1 before ACC-2, a before B.
    const std::string name = "ledger_test_icu_" + std::to_string(::getpid());
    psql(postgres_server(), "CREATE DATABASE " + name + " TEMPLATE template0 LOCALE_PROVIDER icu "
                            "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
    const std::string db = with_database(postgres_server(), name);
    const TestLedger dir(false), copy(true);
    for (const char* id : {"b", "ACC1", "ACC-2", "a", "B", "acc_3", "ACC.4"}) {
      dir.ok(std::string("open ") + id);
      const RunResult r = ledger::testing::run_ledger(
          "--dir " + shell_quote(db) + " open " + id, kUtc);
      CHECK(r.exit_code == 0);
    }
    const std::string expected = dir.ok("accounts --format csv").out;
    CHECK(lines_of(expected)[1].rfind("ACC-2,", 0) == 0);  // Byte order.
    for (const char* question : {"accounts --format csv", "balance --format csv"}) {
      const RunResult r = ledger::testing::run_ledger(
          "--dir " + shell_quote(db) + " " + question, kUtc);
      CHECK(r.out == dir.ok(question).out);
    }
    const RunResult copied = ledger::testing::run_ledger(
        "--dir " + shell_quote(db) + " copy --to " + shell_quote(copy.location()), kUtc);
    CHECK(copied.exit_code == 0);
    CHECK(contains(copied.out, "copied 7 events"));
    (void)std::system(("psql -X -q " + shell_quote(postgres_server()) + " -c " +
                       shell_quote("DROP DATABASE " + name + " WITH (FORCE)") + " >/dev/null 2>&1")
                          .c_str());
  }

  TEST_CASE("without ledger-postgres beside it, ledger says what is missing, exit 64") {
    TestLedger ledger;
    const fs::path alone = ledger.scratch() / "bin" / "ledger";
    fs::create_directories(alone.parent_path());
    fs::copy_file(LEDGER_BINARY, alone);
    const std::string command = std::string(kUtc) + " " + shell_quote(alone.string()) +
                                " --dir " + shell_quote(ledger.location()) + " balance 2>" +
                                shell_quote((ledger.scratch() / "err").string());
    const int status = std::system(command.c_str());
    CHECK(WEXITSTATUS(status) == 64);
    const std::string err = read_file(ledger.scratch() / "err");
    CHECK(contains(err, "a PostgreSQL location needs ledger-postgres, which is not installed"));
    CHECK(contains(err, (ledger.scratch() / "bin" / "ledger-postgres").string()));
  }

  TEST_CASE("verify passes the true books and names an edited, a missing or a moved event") {
    SUBCASE("the true books") {
      Tampered t;
      const RunResult r = t.ledger.ok("verify");
      CHECK(r.out == "verified 5 events; chain intact; 2 accounts replayed; the balance and "
                     "posting tables agree with the replay\n");
    }
    SUBCASE("an amount changed in place: the chain breaks at that event") {
      Tampered t;
      // The payload's last byte before the ref is part of the amount's encoding; any change to
      // the bytes of event 3 is what matters.
      t.sql("UPDATE events SET payload = overlay(payload placing '\\x07'::bytea from 20 for 1) "
            "WHERE seq = 3");
      const RunResult r = t.ledger.run("verify");
      CHECK(r.exit_code == 1);
      CHECK(contains(r.err, "event 3 does not match its checksum"));
    }
    SUBCASE("an event deleted: the sequence has a hole") {
      Tampered t;
      t.sql("DELETE FROM postings WHERE seq = 4; DELETE FROM events WHERE seq = 4");
      const RunResult r = t.ledger.run("verify");
      CHECK(r.exit_code == 1);
      CHECK(contains(r.err, "event 5 follows event 3"));
    }
    SUBCASE("a balance edited in the projection") {
      Tampered t;
      t.sql("UPDATE accounts SET balance = balance + 100 WHERE id = 'ACC-2'");
      const RunResult r = t.ledger.run("verify");
      CHECK(r.exit_code == 1);
      CHECK(contains(r.err, "the accounts table disagrees with the log on ACC-2"));
    }
  }

  TEST_CASE("copy moves the books from a directory to PostgreSQL and back, times and all") {
    const TestLedger dir(false), db(true), back(false);
    dir.ok("open ACC-1 --date 2026-01-01 --owner 'Ada L'");
    dir.ok("open ACC-2 --date 2026-01-01 --currency USD");
    dir.ok("deposit ACC-1 100 --date 2026-01-05 --ref pay-1 --memo 'tab\there'");
    dir.ok("transfer ACC-1 ACC-2 30 --date 2026-01-06");
    dir.ok("deposit ACC-1 5 --date 2026-01-02");  // Backdated.
    dir.ok("withdraw ACC-2 30 --date 2026-01-07");
    dir.ok("close ACC-2");
    RunResult r = dir.ok("copy --to " + shell_quote(db.location()));
    CHECK(r.out == "copied 7 events to " + db.location() + "; both answer the same (2 accounts "
                   "checked)\n");
    r = db.ok("copy --to " + shell_quote(back.dir().string()));
    CHECK(contains(r.out, "copied 7 events to "));
    // The same log on all three: sequence numbers, both times, every field.
    for (const char* question : {"history --format csv", "export", "balance --format csv",
                                 "statement ACC-1 --format csv",
                                 "balance ACC-1 --at 2026-01-05 --format csv"}) {
      INFO(question);
      const std::string expected = dir.ok(question).out;
      CHECK(db.ok(question).out == expected);
      CHECK(back.ok(question).out == expected);
    }
    CHECK(db.ok("verify").exit_code == 0);
    CHECK(back.ok("verify").exit_code == 0);
    // And the copies take writes as the original does, numbered on from there.
    CHECK(contains(db.ok("deposit ACC-1 1").out, "recorded event 8"));
    CHECK(contains(back.ok("deposit ACC-1 1").out, "recorded event 8"));
  }

  TEST_CASE("copy writes only where there is no ledger: exit 1, nothing changed there") {
    const TestLedger dir(false), db(true);
    dir.ok("open ACC-1");
    db.ok("open ACC-9");
    const auto before = db.files();
    RunResult r = dir.run("copy --to " + shell_quote(db.location()));
    CHECK(r.exit_code == 1);
    CHECK(r.err == "ledger: error: " + db.location() +
                       " holds a ledger already; copy writes only where there is none\n");
    check_unchanged(before, db.files());
    const auto dir_before = dir.files();
    r = db.run("copy --to " + shell_quote(dir.dir().string()));
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "holds a ledger already"));
    check_unchanged(dir_before, dir.files());
    // Nothing to copy from: the same refusal as any question's.
    const TestLedger empty(false), target(true);
    r = empty.run("copy --to " + shell_quote(target.location()));
    CHECK(r.exit_code == 66);
    CHECK(target.files().empty());
  }

  TEST_CASE("writers in eight processes at once: every deposit once, the sequence without gaps") {
    TestLedger ledger;
    ledger.ok("open ACC-1 --date 2026-01-01");
    // Each writer deposits 1.00 twenty times with its own refs, and repeats its first ref once
    // (already recorded, nothing written).
    std::string script;
    for (int w = 0; w < 8; ++w) {
      script += "(for i in $(seq 1 20); do " + shell_quote(LEDGER_BINARY) + " --dir " +
                shell_quote(ledger.location()) + " deposit ACC-1 1 --ref w" + std::to_string(w) +
                "-$i >/dev/null || exit 1; done; " + shell_quote(LEDGER_BINARY) + " --dir " +
                shell_quote(ledger.location()) + " deposit ACC-1 1 --ref w" + std::to_string(w) +
                "-1 >/dev/null) & ";
    }
    script += "fail=0; for job in $(jobs -p); do wait $job || fail=1; done; exit $fail";
    const int status = std::system(("TZ=UTC bash -c " + shell_quote(script)).c_str());
    REQUIRE(WEXITSTATUS(status) == 0);
    CHECK(ledger.ok("balance ACC-1 --format csv").out ==
          "account,balance,currency\nACC-1,160.00,USD\n");
    const auto stats = lines_of(ledger.ok("stats --format csv").out);
    REQUIRE(stats.size() == 2);
    const auto names = csv_fields(stats[0]), values = csv_fields(stats[1]);
    REQUIRE(names[0] == "events");
    CHECK(values[0] == "161");  // The opening and 160 deposits.
    CHECK(ledger.ok("verify").exit_code == 0);
    const std::string seqs = psql(ledger.location(), "SELECT count(*), min(seq), max(seq) FROM events");
    CHECK(seqs == "161|1|161\n");
  }
}
