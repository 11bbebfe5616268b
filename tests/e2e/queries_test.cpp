// The questions through the real binary: balance, accounts, statement and history in every
// output format, and time travel (--at, --known-at) on a history with a late, backdated row.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

// Recorded in this order (seq 1..6); the last row is a late cheque, backdated to February:
//   1 open ACC-001 (Ada Lovelace)  effective 2026-01-01 (end of day)
//   2 open ACC-002 (Bob)           effective 2026-01-01
//   3 deposit ACC-001 400          effective 2026-03-01T23:30:00Z   ref pay-1
//   4 withdraw ACC-001 20.50       effective 2026-03-05             "groceries, weekly"
//   5 transfer ACC-001 ACC-002 100 effective 2026-03-10             rent
//   6 deposit ACC-001 100          effective 2026-02-10             late cheque
// Now: ACC-001 379.50, ACC-002 100.00.
void set_up(const TestLedger& ledger) {
  ledger.ok("open ACC-001 --owner 'Ada Lovelace' --date 2026-01-01");
  ledger.ok("open ACC-002 --owner Bob --date 2026-01-01");
  ledger.ok("deposit ACC-001 400 --date 2026-03-01T23:30:00Z --memo salary --ref pay-1");
  ledger.ok("withdraw ACC-001 20.50 --date 2026-03-05 --memo 'groceries, weekly'");
  ledger.ok("transfer ACC-001 ACC-002 100 --date 2026-03-10 --memo rent");
  ledger.ok("deposit ACC-001 100 --date 2026-02-10 --memo 'late cheque'");
}

// The `recorded` column of `history --format csv`, by sequence number (1-based).
std::vector<std::string> recorded_times(const TestLedger& ledger) {
  const auto lines = lines_of(ledger.ok("history --format csv").out);
  std::vector<std::string> times(1);
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto fields = csv_fields(lines[i]);
    REQUIRE(fields.size() >= 2);
    REQUIRE(fields[0] == std::to_string(i));
    times.push_back(fields[1]);
  }
  return times;
}

std::string balance_of(const TestLedger& ledger, const std::string& args) {
  return ledger.ok("balance ACC-001 --format csv " + args).out;
}

std::string acc1(const std::string& amount) {
  return "account,balance,currency\nACC-001," + amount + ",USD\n";
}

// No amount or balance in JSON is ever a bare number.
bool has_numeric_amount(const std::string& json) {
  for (const std::string key : {"\"amount\":", "\"balance\":", "\"overdraft_limit\":"}) {
    for (size_t at = json.find(key); at != std::string::npos; at = json.find(key, at + 1)) {
      size_t value = at + key.size();
      while (value < json.size() && json[value] == ' ') ++value;
      if (value < json.size() && json[value] == '-') ++value;
      if (value < json.size() && json[value] >= '0' && json[value] <= '9') return true;
    }
  }
  return false;
}

}  // namespace

TEST_SUITE("e2e queries") {
  TEST_CASE("balance of one, several and all accounts as CSV") {
    TestLedger ledger;
    set_up(ledger);
    ledger.ok("open ACC-003 --currency JPY");
    CHECK(ledger.ok("balance ACC-001").out == acc1("379.50"));  // Not a terminal: CSV.
    CHECK(ledger.ok("balance ACC-002 ACC-001 --format csv").out ==
          "account,balance,currency\nACC-002,100.00,USD\nACC-001,379.50,USD\n");
    CHECK(ledger.ok("balance --format csv").out ==
          "account,balance,currency\nACC-001,379.50,USD\nACC-002,100.00,USD\nACC-003,0,JPY\n");
  }

  // One account's balance decodes only the frames after the snapshot that hold its id; frames
  // of other accounts, and ids that hold another account's id, must change nothing.
  TEST_CASE("one account's balance after a snapshot counts exactly the entries that name it" * doctest::test_suite("files")) {
    TestLedger ledger;
    ledger.ok("open A-1");
    ledger.ok("open A-10");
    ledger.ok("open B-2");
    ledger.ok("--snapshot-every 3 deposit A-1 1.00");
    for (int i = 0; i < 5; ++i) {
      ledger.ok("deposit A-10 10.00");  // "A-1" is inside "A-10": decoded, not counted.
      ledger.ok("deposit B-2 100.00");  // Names neither.
      ledger.ok("transfer B-2 A-1 0.01 --memo \"for A-1\"");
    }
    ledger.ok("withdraw A-1 0.02");
    // The snapshot (at event 4) leaves 16 events after it to read.
    REQUIRE(fs::exists(ledger.dir() / "snapshots" / "00000000000000000004.snap"));
    CHECK(ledger.ok("balance A-1").out == "account,balance,currency\nA-1,1.03,USD\n");
    CHECK(ledger.ok("balance A-10").out == "account,balance,currency\nA-10,50.00,USD\n");
    CHECK(ledger.ok("balance B-2 A-1").out ==
          "account,balance,currency\nB-2,499.95,USD\nA-1,1.03,USD\n");
    CHECK(ledger.ok("balance --format csv").out ==
          "account,balance,currency\nA-1,1.03,USD\nA-10,50.00,USD\nB-2,499.95,USD\n");
  }

  // A listing sorts by id what the snapshot holds and what was opened after it, owners and all.
  TEST_CASE("every account is listed by id, from the snapshot and after it" * doctest::test_suite("files")) {
    TestLedger ledger;
    ledger.ok("open Z-9 --owner \"Zoe, an owner past fifteen bytes\" --date 2026-01-02");
    ledger.ok("open M-5 --owner Mo --date 2026-01-03");
    ledger.ok("deposit Z-9 7.00");
    ledger.ok("snapshot");
    ledger.ok("open A-1 --owner \"Ann, opened after the snapshot\" --date 2026-01-04");
    ledger.ok("transfer Z-9 A-1 2.50");
    CHECK(ledger.ok("balance --format csv").out ==
          "account,balance,currency\nA-1,2.50,USD\nM-5,0.00,USD\nZ-9,4.50,USD\n");
    CHECK(ledger.ok("accounts --format csv").out ==
          "account,balance,currency,status,owner,overdraft_limit,opened\n"
          "A-1,2.50,USD,open,\"Ann, opened after the snapshot\",0.00,2026-01-04\n"
          "M-5,0.00,USD,open,Mo,0.00,2026-01-03\n"
          "Z-9,4.50,USD,open,\"Zoe, an owner past fifteen bytes\",0.00,2026-01-02\n");
  }

  TEST_CASE("balance as a forced table states its cutoff and aligns the amounts") {
    TestLedger ledger;
    set_up(ledger);
    const auto lines = lines_of(ledger.ok("balance --format table").out);
    REQUIRE(lines.size() == 5);
    CHECK(lines[0].starts_with("as of 20"));
    CHECK(lines[0].ends_with("Z"));  // Now, an instant in the ledger's zone (UTC).
    CHECK(lines[1] == "account  balance  currency");
    CHECK(lines[2] == "ACC-001   379.50  USD");
    CHECK(lines[3] == "ACC-002   100.00  USD");
    // The digest of the books it was read from, to hold the printed table to them later.
    CHECK(lines[4] == "digest " + digest_now(ledger));
    CHECK(lines_of(ledger.ok("--quiet balance --format table").out).size() == 3);
  }

  TEST_CASE("balance as TSV, JSON and JSON lines, amounts always strings") {
    TestLedger ledger;
    set_up(ledger);
    CHECK(ledger.ok("balance --format tsv").out ==
          "account\tbalance\tcurrency\nACC-001\t379.50\tUSD\nACC-002\t100.00\tUSD\n");

    const std::string digest = digest_now(ledger);
    const std::string json = ledger.ok("balance --format json").out;
    CHECK(contains(json, R"("currency":"USD","digest":")" + digest + "\"}"));
    CHECK(without_digest(json, digest) ==
          "[\n"
          R"(  {"account":"ACC-001","balance":"379.50","currency":"USD"},)" "\n"
          R"(  {"account":"ACC-002","balance":"100.00","currency":"USD"})" "\n"
          "]\n");
    CHECK_FALSE(has_numeric_amount(json));

    const auto lines = lines_of(without_digest(ledger.ok("balance --format jsonl").out, digest));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == R"({"account":"ACC-001","balance":"379.50","currency":"USD"})");
    CHECK(lines[1] == R"({"account":"ACC-002","balance":"100.00","currency":"USD"})");
  }

  TEST_CASE("amounts print with exactly their currency's decimals in every format") {
    TestLedger ledger;
    ledger.ok("open JPY-001 --currency JPY --overdraft-limit 500");
    ledger.ok("open BHD-001 --currency BHD");
    ledger.ok("open USD-001");
    ledger.ok("deposit JPY-001 1500");
    ledger.ok("deposit BHD-001 1.5");
    ledger.ok("deposit USD-001 7");
    CHECK(ledger.ok("balance --format csv").out ==
          "account,balance,currency\nBHD-001,1.500,BHD\nJPY-001,1500,JPY\nUSD-001,7.00,USD\n");
    const std::string json = ledger.ok("accounts --format json").out;
    CHECK(contains(json, R"("balance":"1.500")"));
    CHECK(contains(json, R"("balance":"1500")"));
    CHECK(contains(json, R"("overdraft_limit":"500")"));
    CHECK(contains(json, R"("overdraft_limit":"0.000")"));
    CHECK_FALSE(has_numeric_amount(json));
    const std::string history = ledger.ok("history --format jsonl").out;
    CHECK(contains(history, R"("amount":"1500")"));
    CHECK(contains(history, R"("amount":"1.500")"));
    CHECK(contains(history, R"("amount":"7.00")"));
    CHECK_FALSE(has_numeric_amount(history));
    const std::string statement = ledger.ok("statement BHD-001 --format tsv").out;
    CHECK(contains(statement, "\t1.500\t1.500\tBHD\t"));
  }

  TEST_CASE("accounts lists status, currency, balance, owner and limit in every format") {
    TestLedger ledger;
    set_up(ledger);
    ledger.ok("open OLD-001 --date 2026-01-01");
    ledger.ok("close OLD-001");
    CHECK(ledger.ok("accounts --format csv").out ==
          "account,balance,currency,status,owner,overdraft_limit,opened\n"
          "ACC-001,379.50,USD,open,Ada Lovelace,0.00,2026-01-01\n"
          "ACC-002,100.00,USD,open,Bob,0.00,2026-01-01\n"
          "OLD-001,0.00,USD,closed,,0.00,2026-01-01\n");
    const auto tsv = lines_of(ledger.ok("accounts --format tsv").out);
    REQUIRE(tsv.size() == 4);
    CHECK(tsv[3] == "OLD-001\t0.00\tUSD\tclosed\t\t0.00\t2026-01-01");
    const std::string json = without_digest(ledger.ok("accounts --format json").out, digest_now(ledger));
    CHECK(json ==
          "[\n"
          R"(  {"account":"ACC-001","balance":"379.50","currency":"USD","status":"open","owner":"Ada Lovelace","overdraft_limit":"0.00","opened":"2026-01-01"},)" "\n"
          R"(  {"account":"ACC-002","balance":"100.00","currency":"USD","status":"open","owner":"Bob","overdraft_limit":"0.00","opened":"2026-01-01"},)" "\n"
          R"(  {"account":"OLD-001","balance":"0.00","currency":"USD","status":"closed","owner":"","overdraft_limit":"0.00","opened":"2026-01-01"})" "\n"
          "]\n");
    CHECK_FALSE(has_numeric_amount(json));
    const auto jsonl = lines_of(ledger.ok("accounts --format jsonl").out);
    CHECK(jsonl.size() == 3);
    // The cutoff is now (the close was recorded without --date); the rest is fixed.
    const std::string table = ledger.ok("accounts --format table").out;
    CHECK(table.starts_with("as of 20"));
    CHECK(table.substr(table.find('\n') + 1) ==
          "account  balance  currency  status  owner         overdraft_limit  opened\n"
          "ACC-001   379.50  USD       open    Ada Lovelace             0.00  2026-01-01\n"
          "ACC-002   100.00  USD       open    Bob                      0.00  2026-01-01\n"
          "OLD-001     0.00  USD       closed                           0.00  2026-01-01\n"
          "digest " + digest_now(ledger) + "\n");
  }

  TEST_CASE("statement as CSV: movements in effective order with the running balance") {
    TestLedger ledger;
    set_up(ledger);
    CHECK(ledger.ok("statement ACC-001 --format csv").out ==
          "date,seq,type,counterparty,amount,balance,currency,memo,ref\n"
          "2026-02-10,6,deposit,,100.00,100.00,USD,late cheque,\n"
          "2026-03-01T23:30:00Z,3,deposit,,400.00,500.00,USD,salary,pay-1\n"
          "2026-03-05,4,withdrawal,,-20.50,479.50,USD,\"groceries, weekly\",\n"
          "2026-03-10,5,transfer out,ACC-002,-100.00,379.50,USD,rent,\n");
    CHECK(ledger.ok("statement ACC-002 --format csv").out ==
          "date,seq,type,counterparty,amount,balance,currency,memo,ref\n"
          "2026-03-10,5,transfer in,ACC-001,100.00,100.00,USD,rent,\n");
  }

  // Sealed segments answer through their account indexes, several lines per segment found from
  // one seek; the lines and balances are computed here, not by the product.
  TEST_CASE("a statement over many small sealed segments lists every line once, in order" * doctest::test_suite("files")) {
    TestLedger ledger;
    ledger.ok("--segment-size 4096 open A-1 --date 2026-01-01");
    ledger.ok("--segment-size 4096 open B-2 --date 2026-01-01");
    std::string expected = "date,seq,type,counterparty,amount,balance,currency,memo,ref\n";
    int64_t cents = 0;
    uint64_t seq = 2;
    for (int day = 1; day <= 28; ++day) {
      const std::string date = fmt::format("2026-01-{:02}", day);
      for (int k = 0; k < 3; ++k) {
        ledger.ok(fmt::format("--segment-size 4096 deposit B-2 5.00 --date {} --memo {}", date,
                              std::string(40, 'm')));
        ++seq;
      }
      const int amount = day * 100 + 7;  // Cents.
      ledger.ok(fmt::format("--segment-size 4096 deposit A-1 {}.{:02} --date {}", amount / 100,
                            amount % 100, date));
      cents += amount;
      expected += fmt::format("{},{},deposit,,{}.{:02},{}.{:02},USD,,\n", date, ++seq,
                              amount / 100, amount % 100, cents / 100, cents % 100);
    }
    int segments = 0;
    for (const auto& entry : fs::directory_iterator(ledger.dir())) {
      segments += entry.path().extension() == ".seg";
    }
    REQUIRE(segments >= 4);
    CHECK(ledger.ok("statement A-1 --format csv").out == expected);
  }

  // The kernel is told ahead what a statement will read only when the cache is cold: the hints
  // are system calls, so their count is read with strace. Evicted with POSIX_FADV_DONTNEED (the
  // ledger's files are synced, so clean), the statement hints; run again, warm, it does not.
  TEST_CASE("a statement hints its reads to the kernel on a cold cache, and not on a warm one" * doctest::test_suite("files")) {
    if (std::system("strace -V >/dev/null 2>&1") != 0) {
      MESSAGE("strace is missing: skipped");
      return;
    }
    TestLedger ledger;
    ledger.ok("--segment-size 4096 open A-1 --date 2026-01-01");
    std::string expected = "date,seq,type,counterparty,amount,balance,currency,memo,ref\n";
    for (int day = 1; day <= 20; ++day) {
      const std::string date = fmt::format("2026-02-{:02}", day);
      ledger.ok(fmt::format("--segment-size 4096 deposit A-1 {}.00 --date {} --memo {}", day, date,
                            std::string(200, 'm')));
      expected += fmt::format("{},{},deposit,,{}.00,{}.00,USD,{},\n", date, day + 1, day,
                              day * (day + 1) / 2, std::string(200, 'm'));
    }
    // From a snapshot, the statement's balance reads no sealed segment before its frames do.
    ledger.ok("snapshot");
    std::vector<fs::path> segments, indexes;
    for (const auto& entry : fs::directory_iterator(ledger.dir())) {
      if (entry.path().extension() == ".seg") segments.push_back(entry.path());
    }
    for (const auto& entry : fs::directory_iterator(ledger.dir() / "index")) {
      indexes.push_back(entry.path());
    }
    const fs::path first_index = ledger.dir() / "index" / "00000000000000000001.acx";
    REQUIRE(fs::exists(first_index));
    REQUIRE(segments.size() >= 2);
    auto evict = [](const std::vector<fs::path>& files) {
      for (const fs::path& path : files) {
        const int fd = ::open(path.c_str(), O_RDONLY);
        REQUIRE(fd >= 0);
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
      }
    };
    // By mincore, which reads nothing (a read with RWF_NOWAIT would start the read it declines).
    auto cached = [](const fs::path& path) {
      const int fd = ::open(path.c_str(), O_RDONLY);
      REQUIRE(fd >= 0);
      void* map = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
      ::close(fd);
      REQUIRE(map != MAP_FAILED);
      unsigned char page = 0;
      REQUIRE(::mincore(map, 4096, &page) == 0);
      ::munmap(map, 4096);
      return (page & 1) != 0;
    };
    const fs::path trace = ledger.scratch() / "trace";
    // The hints given: how many, how many for a segment's bytes, and the longest of those
    // (strace -y names each file).
    struct Hints {
      size_t count = 0;
      size_t in_segments = 0;
      uint64_t longest_in_segment = 0;
    };
    auto hints = [&] {
      // LeakSanitizer stops the world with ptrace, which a traced process cannot do.
      const RunResult r = ledger.ok(
          "statement A-1 --format csv",
          fmt::format("ASAN_OPTIONS=${{ASAN_OPTIONS:+$ASAN_OPTIONS:}}detect_leaks=0 {} strace -f -qq "
                      "-y -e trace=/^fadvise64 -o {}",
                      kUtc, shell_quote(trace.string())));
      CHECK(r.out == expected);
      Hints seen;
      for (const std::string& line : lines_of(read_file(trace))) {
        // fadvise64(4</path/00000000000000000001.seg>, OFFSET, LENGTH, POSIX_FADV_WILLNEED)
        const size_t call = line.find("fadvise64");
        if (call == std::string::npos) continue;
        ++seen.count;
        const size_t file_end = line.find(">, ", call);
        if (file_end == std::string::npos || line.compare(file_end - 4, 4, ".seg") != 0) continue;
        ++seen.in_segments;
        const size_t length_at = line.find(", ", file_end + 3) + 2;
        seen.longest_in_segment =
            std::max<uint64_t>(seen.longest_in_segment, std::stoull(line.substr(length_at)));
      }
      return seen;
    };
    evict(segments);
    evict(indexes);
    const bool can_evict = !cached(first_index);
    if (!can_evict) {
      MESSAGE("this file system keeps evicted pages (tmpfs?): the cold runs are skipped");
    } else {
      const Hints cold = hints();
      CHECK(cold.count > cold.in_segments);  // The indexes' openings and postings,
      CHECK(cold.in_segments > 0);            // and the frames: their own bytes (segments of
      CHECK(cold.longest_in_segment <= 4096 + 8192);  // 4 KiB, 8 KiB for a segment's last frame).
      // Indexes warm, segments cold: the frames alone are hinted.
      evict(segments);
      const Hints frames = hints();
      CHECK(frames.in_segments > 0);
      CHECK(frames.count == frames.in_segments);
    }
    CHECK(cached(first_index));  // Read by the statement, or never evicted.
    // Where a read with RWF_NOWAIT is not supported, the statement cannot tell a warm cache and
    // hints as it did before it asked.
    const int fd = ::open(first_index.c_str(), O_RDONLY);
    REQUIRE(fd >= 0);
    unsigned char byte = 0;
    iovec one{&byte, 1};
    const bool can_tell = ::preadv2(fd, &one, 1, 0, RWF_NOWAIT) == 1;
    ::close(fd);
    if (!can_tell) {
      // A test that checked neither a cold nor a warm run would pass having shown nothing.
      if (!can_evict) FAIL("neither a cold nor a warm statement could be checked here");
      MESSAGE("this file system refuses reads with RWF_NOWAIT: the warm run is skipped");
      return;
    }
    CHECK(hints().count == 0);
  }

  TEST_CASE("balance --at over an import that opened hundreds of accounts in shared frames" * doctest::test_suite("files")) {
    // Every opening comes after any snapshot that can serve the cutoff, so `--at` reads each
    // from the log: 300 of them, 64 to an import frame, over many sealed segments.
    TestLedger ledger;
    std::string csv = "op,account,amount,to,date,memo,ref\n";
    for (int i = 1; i <= 300; ++i) csv += fmt::format("open,ACC-{:03},,,2026-01-01,,\n", i);
    for (int i = 1; i <= 300; ++i) csv += fmt::format("deposit,ACC-{:03},{}.00,,2026-02-01,,\n", i, i);
    for (int i = 1; i <= 300; ++i) csv += fmt::format("deposit,ACC-{:03},1.00,,2026-04-01,,\n", i);
    ledger.ok("--segment-size 4096 import " + shell_quote(ledger.file("rows.csv", csv).string()));
    int sealed = 0;
    for (const auto& entry : fs::directory_iterator(ledger.dir() / "index")) {
      sealed += entry.path().extension() == ".acx";
    }
    REQUIRE(sealed > 10);
    std::string expected = "account,balance,currency\n";
    for (int i = 1; i <= 300; ++i) expected += fmt::format("ACC-{:03},{}.00,USD\n", i, i);
    const RunResult march = ledger.ok("balance --at 2026-03-01 --format csv");
    CHECK(march.out == expected);
    CHECK(march.err.empty());
    const RunResult january = ledger.ok("balance --at 2026-01-15 --format csv");
    CHECK(january.out.find("ACC-300,0.00,USD\n") != std::string::npos);
    CHECK(std::count(january.out.begin(), january.out.end(), '\n') == 301);
    CHECK(ledger.ok("balance ACC-150 --at 2026-03-01 --format csv").out ==
          "account,balance,currency\nACC-150,150.00,USD\n");
    const RunResult before = ledger.run("balance ACC-150 --at 2025-12-31 --format csv");
    CHECK(before.exit_code != 0);
    CHECK(before.err.find("unknown account \"ACC-150\" as of") != std::string::npos);
  }

  TEST_CASE("statement as a table: cutoff, opening balance, movements, closing balance") {
    TestLedger ledger;
    set_up(ledger);
    CHECK(ledger.ok("statement ACC-001 --from 2026-03-01T00:00:00Z --to 2026-03-05 --format table")
              .out ==
          "statement of ACC-001 (USD), from 2026-03-01, as of 2026-03-05\n"
          "opening balance 100.00 USD\n"
          "date                  seq  type        counterparty  amount  balance  currency  memo               ref\n"
          "2026-03-01T23:30:00Z    3  deposit                   400.00   500.00  USD       salary             pay-1\n"
          "2026-03-05              4  withdrawal                -20.50   479.50  USD       groceries, weekly\n"
          "closing balance 479.50 USD\n"
          "digest " + digest_now(ledger) + "\n");

    // The heading names --from as it was given: an instant as an instant.
    CHECK(ledger.ok("statement ACC-001 --from 2026-03-01T12:00:00Z --to 2026-03-05 --format table")
              .out.starts_with("statement of ACC-001 (USD), from 2026-03-01T12:00:00Z, as of "
                               "2026-03-05\n"));
    // Without --to the cutoff is now; the rest is fixed.
    const std::string whole = ledger.ok("statement ACC-001 --format table").out;
    CHECK(whole.starts_with("statement of ACC-001 (USD), as of 20"));
    CHECK(whole.substr(whole.find('\n') + 1) ==
          "opening balance 0.00 USD\n"
          "date                  seq  type          counterparty   amount  balance  currency  memo               ref\n"
          "2026-02-10              6  deposit                      100.00   100.00  USD       late cheque\n"
          "2026-03-01T23:30:00Z    3  deposit                      400.00   500.00  USD       salary             pay-1\n"
          "2026-03-05              4  withdrawal                   -20.50   479.50  USD       groceries, weekly\n"
          "2026-03-10              5  transfer out  ACC-002       -100.00   379.50  USD       rent\n"
          "closing balance 379.50 USD\n"
          "digest " + digest_now(ledger) + "\n");
  }

  TEST_CASE("a date-only --from starts at the beginning of that day") {
    TestLedger ledger;
    set_up(ledger);
    const auto lines =
        lines_of(ledger.ok("statement ACC-001 --from 2026-03-01 --to 2026-03-05 --format table").out);
    CHECK(lines.size() == 7);
    if (lines.size() == 7) {
      CHECK(lines[1] == "opening balance 100.00 USD");
      CHECK(contains(lines[3], "salary"));
      CHECK(lines[5] == "closing balance 479.50 USD");
    }
    // The salary, at 23:30 on March 1st, is in a statement from March 1st, not in its opening.
    const auto from = lines_of(ledger.ok("statement ACC-001 --from 2026-03-01 --format csv").out);
    REQUIRE(from.size() == 4);
    CHECK(contains(from[1], ",3,deposit,,400.00,500.00,"));
    const auto next_day =
        lines_of(ledger.ok("statement ACC-001 --from 2026-03-02 --format table").out);
    REQUIRE(next_day.size() == 7);
    CHECK(next_day[1] == "opening balance 500.00 USD");
    // history --from the day of the first recording lists every event.
    const std::string first_day = recorded_times(ledger)[1].substr(0, 10);
    CHECK(lines_of(ledger.ok("history --format csv --from " + first_day).out).size() == 7);
  }

  TEST_CASE("statement as JSON and JSON lines: one object per movement, amounts as strings") {
    TestLedger ledger;
    set_up(ledger);
    const std::string rows[] = {
        R"({"date":"2026-02-10","seq":6,"type":"deposit","counterparty":"","amount":"100.00","balance":"100.00","currency":"USD","memo":"late cheque","ref":""})",
        R"({"date":"2026-03-01T23:30:00Z","seq":3,"type":"deposit","counterparty":"","amount":"400.00","balance":"500.00","currency":"USD","memo":"salary","ref":"pay-1"})",
        R"({"date":"2026-03-05","seq":4,"type":"withdrawal","counterparty":"","amount":"-20.50","balance":"479.50","currency":"USD","memo":"groceries, weekly","ref":""})",
        R"({"date":"2026-03-10","seq":5,"type":"transfer out","counterparty":"ACC-002","amount":"-100.00","balance":"379.50","currency":"USD","memo":"rent","ref":""})"};
    const std::string digest = digest_now(ledger);
    const std::string json = without_digest(ledger.ok("statement ACC-001 --format json").out, digest);
    CHECK(json == "[\n  " + rows[0] + ",\n  " + rows[1] + ",\n  " + rows[2] + ",\n  " + rows[3] +
                      "\n]\n");
    CHECK_FALSE(has_numeric_amount(json));
    CHECK(without_digest(ledger.ok("statement ACC-001 --format jsonl").out, digest) ==
          rows[0] + "\n" + rows[1] + "\n" + rows[2] + "\n" + rows[3] + "\n");
  }

  TEST_CASE("history lists the raw events in log order in every format") {
    TestLedger ledger;
    set_up(ledger);
    const auto csv = lines_of(ledger.ok("history --format csv").out);
    REQUIRE(csv.size() == 7);
    CHECK(csv[0] == "seq,recorded,date,type,op,account,to,amount,currency,owner,overdraft_limit,memo,ref");
    const std::vector<std::string> types = {"AccountOpened",  "AccountOpened",   "MoneyDeposited",
                                            "MoneyWithdrawn", "MoneyTransferred", "MoneyDeposited"};
    for (size_t i = 1; i < csv.size(); ++i) {
      const auto f = csv_fields(csv[i]);
      REQUIRE(f.size() >= 6);
      CHECK(f[0] == std::to_string(i));
      CHECK(f[1].starts_with("20"));
      CHECK(f[1].ends_with("Z"));
      CHECK(f[3] == types[i - 1]);
    }
    CHECK(csv[1].ends_with(",2026-01-01,AccountOpened,open,ACC-001,,,USD,Ada Lovelace,0.00,,"));
    CHECK(csv[5].ends_with(",2026-03-10,MoneyTransferred,transfer,ACC-001,ACC-002,100.00,,,,rent,"));
    CHECK(csv[6].ends_with(",2026-02-10,MoneyDeposited,deposit,ACC-001,,100.00,,,,late cheque,"));

    const auto tsv = lines_of(ledger.ok("history --format tsv").out);
    REQUIRE(tsv.size() == 7);
    CHECK(tsv[0].starts_with("seq\trecorded\tdate\ttype\top\taccount\tto\tamount"));
    CHECK(contains(tsv[4], "\tMoneyWithdrawn\twithdraw\tACC-001\t\t20.50\t"));

    const std::string json = ledger.ok("history --format json").out;
    CHECK(contains(json, R"("seq":3,)"));
    CHECK(contains(json, R"("type":"MoneyDeposited","op":"deposit","account":"ACC-001","to":"","amount":"400.00")"));
    CHECK(contains(json, R"("ref":"pay-1")"));
    CHECK_FALSE(has_numeric_amount(json));

    const auto jsonl = lines_of(ledger.ok("history --format jsonl").out);
    REQUIRE(jsonl.size() == 6);
    for (size_t i = 0; i < jsonl.size(); ++i) {
      CHECK(jsonl[i].starts_with("{\"seq\":" + std::to_string(i + 1) + ","));
      CHECK(jsonl[i].ends_with("}"));
    }

    const auto table = lines_of(ledger.ok("history --format table").out);
    REQUIRE(table.size() >= 7);
    CHECK(table[table.size() - 7].starts_with("seq  recorded"));
    CHECK(contains(table.back(), "MoneyDeposited"));
    CHECK(contains(table.back(), "late cheque"));
  }

  TEST_CASE("history of one account lists only the events that touch it") {
    TestLedger ledger;
    set_up(ledger);
    const auto lines = lines_of(ledger.ok("history ACC-002 --format csv").out);
    REQUIRE(lines.size() == 3);
    CHECK(csv_fields(lines[1])[0] == "2");
    CHECK(csv_fields(lines[2])[0] == "5");
  }

  TEST_CASE("--at counts a backdated event from its effective date, not its recording") {
    TestLedger ledger;
    set_up(ledger);
    CHECK(balance_of(ledger, "") == acc1("379.50"));
    CHECK(balance_of(ledger, "--at 2026-02-15") == acc1("100.00"));  // The late cheque only.
    CHECK(balance_of(ledger, "--at 2026-02-09") == acc1("0.00"));
    CHECK(balance_of(ledger, "--at 2026-02-10") == acc1("100.00"));  // End of day, inclusive.
    CHECK(balance_of(ledger, "--at 2026-03-05") == acc1("479.50"));
    // A dated entry counts from the start of its day.
    CHECK(balance_of(ledger, "--at 2026-03-09T23:59:59Z") == acc1("479.50"));
    CHECK(balance_of(ledger, "--at 2026-03-10T00:00:00Z") == acc1("379.50"));
    CHECK(ledger.ok("balance --at 2026-02-15 --format csv").out ==
          "account,balance,currency\nACC-001,100.00,USD\nACC-002,0.00,USD\n");
  }

  TEST_CASE("a date-only --at means the end of that day, inclusive") {
    TestLedger ledger;
    set_up(ledger);
    // The salary is effective at 23:30 on March 1st.
    CHECK(balance_of(ledger, "--at 2026-03-01") == acc1("500.00"));
    CHECK(balance_of(ledger, "--at 2026-03-01T23:29:59Z") == acc1("100.00"));
    CHECK(balance_of(ledger, "--at 2026-03-01T23:30:00Z") == acc1("500.00"));
    CHECK(balance_of(ledger, "--at 2026-03-02T00:30:00+01:00") == acc1("500.00"));
    CHECK(balance_of(ledger, "--at 2026-03-02T00:29:59+01:00") == acc1("100.00"));
  }

  TEST_CASE("--at before an account was opened says it was unknown then") {
    TestLedger ledger;
    set_up(ledger);
    const auto r = ledger.run("balance ACC-001 --at 2025-12-31");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "unknown account \"ACC-001\" as of 2025-12-31"));
    CHECK(r.out.empty());
    CHECK(ledger.ok("balance --at 2025-12-31 --format csv").out == "account,balance,currency\n");
  }

  TEST_CASE("--known-at leaves out what was recorded later, whatever its effective date") {
    TestLedger ledger;
    set_up(ledger);
    const auto recorded = recorded_times(ledger);
    REQUIRE(recorded.size() == 7);
    // As the books stood right after the transfer, before the late cheque was recorded.
    CHECK(balance_of(ledger, "--known-at " + recorded[5]) == acc1("279.50"));
    CHECK(balance_of(ledger, "--known-at " + recorded[6]) == acc1("379.50"));
    // Before the transfer was recorded.
    CHECK(ledger.ok("balance --format csv --known-at " + recorded[4]).out ==
          "account,balance,currency\nACC-001,379.50,USD\nACC-002,0.00,USD\n");
    // Before anything was recorded, the account did not exist.
    const auto r = ledger.run("balance ACC-001 --known-at 2026-01-01");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "unknown account \"ACC-001\""));
    CHECK(contains(r.err, "as known at 2026-01-01"));
  }

  TEST_CASE("--at with --known-at: what we thought then that the balance was on a date") {
    TestLedger ledger;
    set_up(ledger);
    const auto recorded = recorded_times(ledger);
    REQUIRE(recorded.size() == 7);
    // On Feb 15 the books showed nothing until the late cheque was recorded.
    CHECK(balance_of(ledger, "--at 2026-02-15 --known-at " + recorded[5]) == acc1("0.00"));
    CHECK(balance_of(ledger, "--at 2026-02-15 --known-at " + recorded[6]) == acc1("100.00"));
    CHECK(balance_of(ledger, "--at 2026-03-05 --known-at " + recorded[3]) == acc1("400.00"));
    CHECK(balance_of(ledger, "--at 2026-03-05 --known-at " + recorded[4]) == acc1("379.50"));
    CHECK(balance_of(ledger, "--at 2026-03-05 --known-at " + recorded[6]) == acc1("479.50"));
  }

  TEST_CASE("statement --known-at shows the movements as they were known then") {
    TestLedger ledger;
    set_up(ledger);
    const auto recorded = recorded_times(ledger);
    REQUIRE(recorded.size() == 7);
    const auto lines = lines_of(ledger.ok("statement ACC-001 --format csv --known-at " + recorded[5]).out);
    REQUIRE(lines.size() == 4);
    CHECK(contains(lines[1], ",3,deposit,,400.00,400.00,"));
    CHECK(contains(lines[3], ",5,transfer out,ACC-002,-100.00,279.50,"));
    const auto table =
        lines_of(ledger.ok("statement ACC-001 --format table --known-at " + recorded[5]).out);
    REQUIRE(table.size() >= 2);
    CHECK(contains(table[0], ", as known at "));
    CHECK(table[table.size() - 2] == "closing balance 279.50 USD");
    // The digest of the events known then: the first five.
    CHECK(table.back() == "digest " + chomp_line(ledger.ok("digest --at-seq 5").out));
  }

  TEST_CASE("every report in table format states its cutoff") {
    TestLedger ledger;
    set_up(ledger);
    const auto recorded = recorded_times(ledger);
    auto first_line = [&](const std::string& args) {
      const auto lines = lines_of(ledger.ok(args + " --format table").out);
      REQUIRE_FALSE(lines.empty());
      return lines[0];
    };
    CHECK(first_line("balance --at 2026-02-15") == "as of 2026-02-15");
    CHECK(first_line("balance ACC-001 --at 2026-02-15T10:00:00Z") == "as of 2026-02-15T10:00:00Z");
    CHECK(first_line("accounts --at 2026-03-01") == "as of 2026-03-01");
    CHECK(first_line("balance --at 2026-03-01 --known-at 2026-11-01T08:00:00Z") ==
          "as of 2026-03-01, as known at 2026-11-01T08:00:00Z");
    CHECK(first_line("statement ACC-002 --to 2026-03-31") ==
          "statement of ACC-002 (USD), as of 2026-03-31");
    const std::string now_line = first_line("balance");
    CHECK(now_line.starts_with("as of 20"));
    CHECK(now_line.ends_with("Z"));
    CHECK(contains(first_line("accounts --known-at " + recorded[6]), ", as known at "));
  }

  // ledger(1): with --quiet, tables carry no cutoff line and no opening/closing balance lines.
  TEST_CASE("--quiet tables carry only data: no cutoff, no opening or closing balance lines") {
    TestLedger ledger;
    set_up(ledger);
    const auto balance = lines_of(ledger.ok("--quiet balance --format table").out);
    REQUIRE(balance.size() == 3);
    CHECK(balance[0] == "account  balance  currency");
    const auto statement = lines_of(ledger.ok("statement ACC-001 --quiet --format table").out);
    REQUIRE(statement.size() == 5);
    CHECK(statement[0].starts_with("date"));
    CHECK(contains(statement[4], "379.50"));
  }

  // ledger(1), Questions: every report says the cutoff it used.
  TEST_CASE("history in table format states its cutoff") {
    TestLedger ledger;
    set_up(ledger);
    const auto lines = lines_of(ledger.ok("history --format table").out);
    REQUIRE_FALSE(lines.empty());
    CHECK(lines[0].starts_with("as of 20"));
    const auto to = lines_of(ledger.ok("history --to 2026-11-01 --format table").out);
    REQUIRE_FALSE(to.empty());
    CHECK(contains(to[0], "2026-11-01"));
  }

  TEST_CASE("a reader that closes the pipe early (| head) gets its lines and no error message") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    std::string rows = "op,account,amount,memo\n";
    for (int i = 0; i < 3000; ++i) rows += "deposit,ACC-001,1.25,a memo long enough to fill pipes\n";
    ledger.ok("import " + shell_quote(ledger.file("rows.csv", rows).string()));
    const fs::path err = ledger.scratch() / "err.txt", status = ledger.scratch() / "status.txt",
                   out = ledger.scratch() / "out.txt";
    const std::string command = std::string(kUtc) + " sh -c " +
        shell_quote("(" + shell_quote(LEDGER_BINARY) + " --dir " + shell_quote(ledger.location()) +
                    " history --format csv 2>" + shell_quote(err.string()) + "; echo $? >" +
                    shell_quote(status.string()) + ") | head -n 2 >" + shell_quote(out.string()));
    REQUIRE(std::system(command.c_str()) == 0);
    CHECK(lines_of(read_file(out)).size() == 2);
    CHECK(read_file(err).empty());
    // Success, or the quiet death by SIGPIPE that `cat` and every Unix filter die of.
    const std::string code = read_file(status);
    CHECK((code == "0\n" || code == "141\n"));
  }

  TEST_CASE("a ledger created in Europe/Paris reads and shows dates in Paris, whatever TZ says") {
    TestLedger ledger;
    const std::string paris = "TZ=Europe/Paris";
    const std::string tokyo = "TZ=Asia/Tokyo";
    ledger.ok("open P-001 --date 2026-01-01 --timezone Europe/Paris", kUtc);
    ledger.ok("deposit P-001 1 --date 2026-03-01T22:30:00Z");  // 23:30 in Paris, March 1st.
    ledger.ok("deposit P-001 2 --date 2026-03-01T23:30:00Z");  // 00:30 in Paris, March 2nd.
    for (const std::string& reader : {paris, std::string(kUtc), tokyo}) {
      INFO("reader " << reader);
      CHECK(ledger.ok("balance --at 2026-03-01 --format csv", reader).out ==
            "account,balance,currency\nP-001,1.00,USD\n");
      CHECK(ledger.ok("stats --format json", reader).out.find("\"time_zone\":\"Europe/Paris\"") !=
            std::string::npos);
    }
    const auto table = lines_of(ledger.ok("balance --at 2026-03-01 --format table", tokyo).out);
    REQUIRE_FALSE(table.empty());
    CHECK(table[0] == "as of 2026-03-01");

    // A date typed anywhere is a Paris date, shown as a date in every format.
    ledger.ok("deposit P-001 4 --date 2026-03-01", tokyo);
    for (const std::string& reader : {paris, std::string(kUtc), tokyo}) {
      INFO("reader " << reader);
      const auto history = lines_of(ledger.ok("history --format csv", reader).out);
      REQUIRE(history.size() == 5);
      CHECK(csv_fields(history[2])[2] == "2026-03-01T23:30:00+01:00");
      CHECK(csv_fields(history[4])[2] == "2026-03-01");
      CHECK(ledger.ok("balance --at 2026-03-01 --format csv", reader).out ==
            "account,balance,currency\nP-001,5.00,USD\n");
    }
    // The zone is fixed: another one is refused, the same one is fine.
    const auto other = ledger.run("deposit P-001 1 --timezone UTC");
    CHECK(other.exit_code == 64);
    CHECK(contains(other.err, "this ledger's time zone is Europe/Paris"));
    ledger.ok("deposit P-001 1 --timezone Europe/Paris");
  }
}
