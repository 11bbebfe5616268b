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
    ledger.ok("withdraw ACC-2 5 --date 2026-01-04 --ref w-1");
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

  TEST_CASE("a database that does not exist is exit 74 naming it, an empty one holds no ledger") {
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
    {
      Tampered t;
      const RunResult r = t.ledger.ok("verify");
      CHECK(r.out == "verified 5 events; chain intact; 2 accounts replayed; the balance and "
                     "posting tables agree with the replay\n");
    }
    // Each row or column changed alone, as a forger or a broken disk would: verify exits 1
    // naming it.
    struct Tamper {
      const char* what;
      const char* sql;
      const char* says;
    };
    const std::vector<Tamper> tampers = {
        // The payload's 20th byte is part of the amount's encoding; any change to event 3's
        // bytes is what matters.
        {"an amount changed in place: the chain breaks at that event",
         "UPDATE events SET payload = overlay(payload placing '\\x07'::bytea from 20 for 1) "
         "WHERE seq = 3",
         "event 3 does not match its checksum"},
        {"an event deleted: the sequence has a hole",
         "DELETE FROM postings WHERE seq = 4; DELETE FROM events WHERE seq = 4",
         "event 5 follows event 3"},
        {"a balance edited in the projection",
         "UPDATE accounts SET balance = balance + 100 WHERE id = 'ACC-2'",
         "the accounts table disagrees with the log on ACC-2 (balance 2600 against 2500 "
         "replayed)"},
        {"an account's opening time, as --known-at reads it",
         "UPDATE accounts SET opened_recorded_ns = opened_recorded_ns + 1 WHERE id = 'ACC-1'",
         "the accounts table disagrees with the log on ACC-1 (balance 7000 against 7000 "
         "replayed, or another column)"},
        {"an account's last posting time", "UPDATE accounts SET last_posting_ns = 0 WHERE id = 'ACC-2'",
         "the accounts table disagrees with the log on ACC-2"},
        {"a posting moved in time, its amount and count unchanged",
         "UPDATE postings SET effective_ns = effective_ns - 1 WHERE seq = 4 AND account = 'ACC-1'",
         "the postings table disagrees with the log on ACC-1: a posting's time, sequence or "
         "amount differs"},
        {"a posting's recorded time", "UPDATE postings SET recorded_ns = recorded_ns + 1 WHERE seq = 5",
         "the postings table disagrees with the log on ACC-2"},
        {"a posting of an account the log never moved",
         "INSERT INTO postings SELECT 'ACC-9', effective_ns, seq, amount, recorded_ns FROM postings "
         "WHERE seq = 3",
         "the postings table holds 1 postings of ACC-9, which the log does not"},
        {"a ref column that says otherwise than the payload",
         "UPDATE events SET ref = 'w-2' WHERE seq = 5", "event 5's ref columns disagree with its payload"},
    };
    for (const Tamper& tamper : tampers) {
      INFO(tamper.what);
      Tampered t;
      t.sql(tamper.sql);
      const RunResult r = t.ledger.run("verify");
      CHECK(r.exit_code == 1);
      CHECK(contains(r.err, tamper.says));
    }
  }

  TEST_CASE("verify checks a backdated entry at every later date, as a directory's does") {
    TestLedger ledger;
    ledger.ok("open A --date 2026-01-01");
    ledger.ok("deposit A 100 --date 2026-01-02");
    ledger.ok("withdraw A 80 --date 2026-01-20");
    ledger.ok("withdraw A 10 --date 2026-01-05");  // Backdated: 10.00 left on 2026-01-20.
    CHECK(ledger.ok("verify").err.empty());
    // Event 4's amount (bytes 11-12 of its payload, little-endian cents) made 30.00: allowed on
    // 2026-01-05, it overdraws A on 2026-01-20, which only the postings after it show.
    psql(ledger.location(),
         "UPDATE events SET payload = overlay(payload placing '\\xb80b'::bytea from 11 for 2) "
         "WHERE seq = 4");
    const RunResult r = ledger.run("verify");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "event 4 does not match its checksum"));
    CHECK(contains(r.err, "event 4 breaks a rule: insufficient funds in \"A\": on 2026-01-20 "
                          "it would be at -10.00 USD"));
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
    // The same Merkle tree: a digest kept of one holds for the others.
    const std::string digest = dir.ok("digest").out;
    CHECK(digest.rfind("ledger-digest-v1:7:", 0) == 0);
    CHECK(db.ok("digest").out == digest);
    CHECK(back.ok("digest").out == digest);
    CHECK(db.ok("verify --digest " + digest.substr(0, digest.size() - 1)).exit_code == 0);
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

  TEST_CASE("copy takes no lock: books written to during it copy as they were when read") {
    const TestLedger dir(false), db(true);
    std::string rows = "op,account,amount,date\nopen,ACC-1,,2026-01-01\n";
    for (int i = 0; i < 30'000; ++i) rows += "deposit,ACC-1,1,2026-01-02\n";
    dir.ok("import " + shell_quote(dir.file("rows.csv", rows).string()));
    // A writer deposits into the books for as long as the copy runs.
    const fs::path stop = dir.scratch() / "stop", wrote = dir.scratch() / "wrote";
    const std::string writer =
        "while [ ! -e " + shell_quote(stop.string()) + " ]; do " + shell_quote(LEDGER_BINARY) +
        " --dir " + shell_quote(dir.dir().string()) + " deposit ACC-1 1 >/dev/null && echo >>" +
        shell_quote(wrote.string()) + "; done";
    REQUIRE(std::system(("TZ=UTC bash -c " + shell_quote(writer) + " &").c_str()) == 0);
    while (!fs::exists(wrote)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const RunResult r = dir.run("copy --to " + shell_quote(db.location()));
    const size_t during = lines_of(read_file(wrote)).size();
    write_file(stop, "");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // The last deposit ends.
    INFO(r.err);
    CHECK(r.exit_code == 0);
    const auto copied = csv_fields(lines_of(db.ok("stats --format csv").out)[1])[0];
    const auto now = csv_fields(lines_of(dir.ok("stats --format csv").out)[1])[0];
    CHECK(std::stoul(copied) >= 30'002);  // The import, and a deposit before the copy began.
    CHECK(std::stoul(now) > std::stoul(copied));  // Writes went on during the copy.
    CHECK(during >= 2);
    CHECK(db.ok("verify").exit_code == 0);
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

  TEST_CASE("backdated withdrawals racing on one account: only those the timeline allows") {
    TestLedger ledger;
    ledger.ok("open A --date 2026-01-01");
    ledger.ok("deposit A 100 --date 2026-01-02");
    ledger.ok("deposit A 1 --date 2026-01-20");  // A later entry: every withdrawal is backdated.
    // Eight processes at once each take 30.00 on 2026-01-05, when A held 100.00: three fit.
    std::string script;
    for (int w = 0; w < 8; ++w) {
      script += "(" + shell_quote(LEDGER_BINARY) + " --dir " + shell_quote(ledger.location()) +
                " withdraw A 30 --date 2026-01-05 >/dev/null 2>&1; echo $? >" +
                shell_quote((ledger.scratch() / ("rc" + std::to_string(w))).string()) + ") & ";
    }
    script += "wait";
    REQUIRE(std::system(("TZ=UTC bash -c " + shell_quote(script)).c_str()) == 0);
    int done = 0, refused = 0;
    for (int w = 0; w < 8; ++w) {
      const std::string rc = read_file(ledger.scratch() / ("rc" + std::to_string(w)));
      done += rc == "0\n";
      refused += rc == "1\n";
    }
    CHECK(done == 3);
    CHECK(refused == 5);
    CHECK(ledger.ok("balance A --at 2026-01-05 --format csv").out ==
          "account,balance,currency\nA,10.00,USD\n");
    CHECK(ledger.ok("verify").err.empty());
  }

  TEST_CASE("an import is one transaction: a refused row or a lost connection writes nothing") {
    TestLedger ledger;
    ledger.ok("open ACC-1 --date 2026-01-01");
    const auto before = ledger.files();
    SUBCASE("a refused row: exit 65, no row of the file in any table") {
      const auto file = ledger.file("bad.csv", "op,account,amount,date,ref\n"
                                               "deposit,ACC-1,10,2026-01-02,r1\n"
                                               "withdraw,ACC-1,50,2026-01-03,r2\n");
      const RunResult r = ledger.run("import " + shell_quote(file.string()));
      CHECK(r.exit_code == 65);
      CHECK(contains(r.err, ":3:3: error: insufficient funds in \"ACC-1\""));
      CHECK(contains(r.err, "1 bad row in "));
      check_unchanged(before, ledger.files());
    }
    SUBCASE("the server ends the connection while rows are being sent: exit 74, nothing written") {
      std::string rows = "op,account,amount,date,ref\n";
      for (int i = 0; i < 100'000; ++i) rows += fmt::format("deposit,ACC-1,1,2026-01-02,d{}\n", i);
      const auto file = ledger.file("big.csv", rows);
      const fs::path rc = ledger.scratch() / "rc", err = ledger.scratch() / "err";
      const std::string import = std::string(kUtc) + " " + shell_quote(LEDGER_BINARY) +
                                 " --dir " + shell_quote(ledger.location()) + " import " +
                                 shell_quote(file.string()) + " >/dev/null 2>" +
                                 shell_quote(err.string()) + "; echo $? >" +
                                 shell_quote(rc.string());
      REQUIRE(std::system(("bash -c " + shell_quote(import) + " &").c_str()) == 0);
      // As a server shutting down or an administrator would: the import's backend is ended
      // once it is sending rows (COPY). Failing to see one in 60 s fails the test.
      psql(ledger.location(),
           "DO $$ DECLARE n int := 0; BEGIN "
           "FOR i IN 1..6000 LOOP "
           "PERFORM pg_stat_clear_snapshot(); "
           "SELECT count(pg_terminate_backend(pid)) INTO n FROM pg_stat_activity "
           "WHERE datname = current_database() AND pid <> pg_backend_pid() "
           "AND query LIKE 'COPY%'; "
           "EXIT WHEN n > 0; PERFORM pg_sleep(0.01); END LOOP; "
           "IF n = 0 THEN RAISE EXCEPTION 'the import never sent rows'; END IF; END $$");
      for (int i = 0; i < 600 && !fs::exists(rc); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      REQUIRE(fs::exists(rc));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // rc's line written.
      CHECK(read_file(rc) == "74\n");
      const std::string message = read_file(err);
      CHECK(lines_of(message).size() == 1);
      CHECK(message.rfind("ledger: error: ", 0) == 0);
      check_unchanged(before, ledger.files());
      // Run again, the whole file goes in, once.
      CHECK(ledger.ok("import " + shell_quote(file.string())).out == "100000 new, 0 already recorded\n");
      CHECK(ledger.ok("balance ACC-1 --format csv").out ==
            "account,balance,currency\nACC-1,100000.00,USD\n");
    }
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

  TEST_CASE("every write keeps the tree's nodes, verify checks them, and older books catch up") {
    TestLedger ledger;
    std::string csv = "op,account,amount,to,date,memo,ref\nopen,A,,,2026-01-01,,\n";
    for (int i = 0; i < 40; ++i) csv += "deposit,A,1." + std::to_string(10 + i) + ",,2026-01-02,,\n";
    ledger.ok("import " + shell_quote(ledger.file("rows.csv", csv).string()));
    ledger.ok("deposit A 2 --date 2026-01-03");
    ledger.ok("deposit A 3 --date 2026-01-03");
    const std::string at_43 = chomp_line(ledger.ok("digest").out);
    // 43 events: two subtrees of 16 leaves and one of 32, and the head's peaks of 43 (32+8+2+1).
    CHECK(psql(ledger.location(), "SELECT height, idx FROM tree_nodes ORDER BY height, idx") ==
          "4|0\n4|1\n5|0\n");
    CHECK(psql(ledger.location(), "SELECT tree_size, length(tree_peaks) FROM ledger_head") ==
          "43|128\n");
    const RunResult verified = ledger.ok("verify");
    CHECK(verified.exit_code == 0);
    // The same tree a data directory hashes from the events alone.
    const TestLedger copy(false);
    ledger.ok("copy --to " + shell_quote(copy.dir().string()));
    CHECK(chomp_line(copy.ok("digest").out) == at_43);
    const std::string proof = ledger.ok("prove 20 --digest " + at_43).out;
    CHECK(copy.ok("prove 20 --digest " + at_43).out == proof);

    // A node changed behind the ledger's back: verify names it (derived data, exit 1).
    psql(ledger.location(),
         "UPDATE tree_nodes SET hash = sha256(hash) WHERE height = 4 AND idx = 1");
    RunResult r = ledger.run("verify");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "tree_nodes lacks or differs at the subtree of events 17 to 32"));
    // Without any node, digests and proofs are hashed from the events: the same.
    psql(ledger.location(), "DELETE FROM tree_nodes");
    CHECK(chomp_line(ledger.ok("digest").out) == at_43);
    CHECK(ledger.ok("prove 20 --digest " + at_43).out == proof);
    r = ledger.run("verify");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "tree_nodes lacks or differs at the subtree of events 1 to 16"));

    // Books written before the schema kept nodes (version 1): read as they are, and given their
    // nodes by the next write, in its transaction.
    psql(ledger.location(),
         "DROP TABLE tree_nodes; ALTER TABLE ledger_head DROP COLUMN tree_size, "
         "DROP COLUMN tree_peaks; UPDATE ledger_schema SET version = 1");
    CHECK(chomp_line(ledger.ok("digest").out) == at_43);
    CHECK(ledger.ok("verify").exit_code == 0);
    ledger.ok("deposit A 4 --date 2026-01-04");
    CHECK(psql(ledger.location(), "SELECT version FROM ledger_schema") == "2\n");
    CHECK(psql(ledger.location(), "SELECT count(*) FROM tree_nodes") == "3\n");
    CHECK(psql(ledger.location(), "SELECT tree_size FROM ledger_head") == "44\n");
    CHECK(ledger.ok("verify --digest " + at_43).exit_code == 0);
    CHECK(ledger.ok("verify").exit_code == 0);
  }
}
