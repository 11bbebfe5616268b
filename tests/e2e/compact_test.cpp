// `ledger compact`: archived history answers as before, purged history is refused clearly, and a
// crash at any write, sync, rename or unlink of a compaction leaves a ledger with the same answers.
#include <doctest/doctest.h>

#include <functional>

#include "e2e/e2e_support.h"

using namespace ledger::e2e;

namespace {

// Small segments and frequent snapshots: a few dozen commands fill several segments.
constexpr const char* kSmall = "--segment-size 4096 --snapshot-every 20 ";

void write_books(const TestLedger& ledger) {
  ledger.ok(std::string(kSmall) + "open ACC-1 --date 2026-01-01");
  ledger.ok(std::string(kSmall) + "open ACC-2 --date 2026-01-01 --currency EUR");
  ledger.ok(std::string(kSmall) + "open ACC-3 --date 2026-01-01");
  for (int i = 1; i <= 45; ++i) {
    const std::string date = fmt::format("2026-{:02}-{:02}", 1 + i / 10, 1 + i % 28);
    ledger.ok(fmt::format("{}deposit ACC-{} {}.{:02} --date {} --memo 'pay {} {}' --ref r{}", kSmall,
                          1 + i % 3, i * 7, i, date, i, std::string(100, 'x'), i));
    if (i % 4 == 0) {
      ledger.ok(fmt::format("{}transfer ACC-1 ACC-3 {} --date {}", kSmall, i, date));
    }
  }
}

// Every question whose answer compaction must not change.
std::vector<std::string> answers(const TestLedger& ledger) {
  std::vector<std::string> out;
  for (const char* q : {"balance", "balance --at 2026-02-15", "balance --at 2026-03-31",
                        "statement ACC-1", "statement ACC-3 --from 2026-02-01 --to 2026-04-30",
                        "statement ACC-2 --to 2026-03-01", "history ACC-2", "accounts"}) {
    out.push_back(ledger.ok(std::string("--format csv ") + q).out);
  }
  // The books as they stood when event 30 was recorded.
  const auto history = lines_of(ledger.ok("--format csv history").out);
  REQUIRE(history.size() > 30);
  const std::string t = csv_fields(history[30])[1];
  for (const char* q : {"balance --known-at ", "statement ACC-1 --known-at "}) {
    out.push_back(ledger.ok(std::string("--format csv ") + q + t).out);
  }
  return out;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The questions asked after each of the many killed compactions: a cheaper subset of answers().
std::vector<std::string> quick_answers(const TestLedger& ledger) {
  std::vector<std::string> out;
  for (const char* q : {"balance", "balance --at 2026-02-15",
                        "statement ACC-3 --from 2026-02-01 --to 2026-04-30"}) {
    out.push_back(ledger.ok(std::string("--format csv ") + q).out);
  }
  return out;
}

// The system calls a crash is injected at. Under the sanitizers every run of the binary costs
// a hundred times more under strace, so that build kills at renames and syncs only (the steps
// that publish a file); the plain build, which CI runs too, covers every call.
#ifdef LEDGER_SANITIZED
constexpr std::initializer_list<const char*> kCompactCalls = {"fdatasync", "rename"};
constexpr std::initializer_list<const char*> kPurgeCalls = {"fdatasync", "rename"};
#else
constexpr std::initializer_list<const char*> kCompactCalls = {"pwrite64", "fdatasync", "fsync",
                                                              "rename",   "unlink",    "mkdir"};
constexpr std::initializer_list<const char*> kPurgeCalls = {"pwrite64", "fdatasync", "fsync",
                                                            "rename", "unlink"};
#endif

bool has_strace() { return std::system("strace -V >/dev/null 2>&1") == 0; }

// Runs `command` on a fresh copy of `pristine`, killed (SIGKILL, by strace) at the k-th call of
// each of `calls`, for k = 1, 2, ... until the command gets past its k-th call and completes.
// After every run, `check(killed)` looks at what is left. Returns how many runs were killed.
int crash_at_each_call(const TestLedger& ledger, const fs::path& pristine, const std::string& command,
                       std::initializer_list<const char*> calls,
                       const std::function<void(bool killed)>& check) {
  int crashes = 0;
  for (const char* call : calls) {
    for (int k = 1; k < 200; ++k) {
      fs::remove_all(ledger.dir());
      fs::copy(pristine, ledger.dir(), fs::copy_options::recursive);
      // LeakSanitizer stops the world with ptrace, which a traced process cannot do: it would
      // end a run that completed with exit 1. Leaks are checked in every untraced run.
      const std::string strace = fmt::format(
          "ASAN_OPTIONS=detect_leaks=0 TZ=UTC strace -f -o /dev/null -e "
          "inject={}:signal=KILL:when={}",
          call, k);
      // Run through a shell, a SIGKILL shows as 137; any other non-zero exit is a failure, not
      // a kill (so a refused ptrace cannot pass as one).
      const int code = ledger.run(command, strace).exit_code;
      INFO("killed at " << std::string(call) << " #" << k << ", exit " << code);
      REQUIRE((code == 0 || code == 128 + 9));
      const bool killed = code == 128 + 9;
      check(killed);
      if (!killed) break;
      ++crashes;
    }
  }
  return crashes;
}

}  // namespace

TEST_SUITE("e2e compact") {
  TEST_CASE("compact archives sealed segments and every answer stays the same") {
    TestLedger ledger;
    write_books(ledger);
    const auto before = answers(ledger);
    const size_t segments_before = names_in(ledger.dir()).size();
    auto r = ledger.run("compact");
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "archived"));
    CHECK(r.err.empty());
    const auto archived = names_in(ledger.dir() / "archive");
    REQUIRE(!archived.empty());
    CHECK(std::count_if(archived.begin(), archived.end(),
                        [](const std::string& n) { return n.ends_with(".seg.zst"); }) >= 2);
    CHECK(names_in(ledger.dir()).size() < segments_before);
    CHECK(answers(ledger) == before);
    CHECK(ledger.run("verify").exit_code == 0);
    // Writes go on after it, and a second compaction has nothing more to move.
    ledger.ok("deposit ACC-1 1");
    ledger.ok("compact");
    CHECK(ledger.ok("--format csv balance ACC-1").out != before[0]);
  }

  TEST_CASE("compact of an empty ledger is refused and creates nothing") {
    TestLedger ledger;
    auto r = ledger.run("compact");
    CHECK(r.exit_code == 1);
    CHECK(r.err == "ledger: error: the ledger is empty: there is nothing to snapshot\n");
    CHECK(!fs::exists(ledger.dir()));
  }

  TEST_CASE("--purge without --yes is a usage error and changes nothing") {
    TestLedger ledger;
    write_books(ledger);
    const auto files = ledger.files();
    auto r = ledger.run("compact --purge");
    CHECK(r.exit_code == 64);
    CHECK(r.err == "ledger: error: --purge deletes history for good: add --yes to confirm\n");
    check_unchanged(files, ledger.files());
  }

  TEST_CASE("after --purge, today's answers stand and earlier questions are refused") {
    TestLedger ledger;
    write_books(ledger);
    const auto before = answers(ledger);
    auto r = ledger.run("compact --purge --yes");
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "purged"));
    CHECK(fs::exists(ledger.dir() / "PURGED"));
    CHECK(ledger.ok("--format csv balance").out == before[0]);
    CHECK(ledger.ok("--format csv accounts").out == before[7]);
    r = ledger.run("--format csv balance --at 2026-02-15");
    CHECK(r.exit_code == 1);
    CHECK(r.err.starts_with("ledger: error: history before "));
    CHECK(contains(r.err, " was purged (the log now begins at event "));
    r = ledger.run("--format csv statement ACC-3 --from 2026-02-01");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "was purged"));
    // The ledger goes on: a write, a retry of an old ref.
    ledger.ok("deposit ACC-1 1.50 --ref after-purge");
    CHECK(contains(ledger.ok("deposit ACC-2 7.01 --date 2026-01-02 --memo 'pay 1 " +
                             std::string(100, 'x') + "' --ref r1")
                       .out,
                   "already recorded"));
    // A statement opens from the balance in the snapshot that stands for the purged history and
    // lists only what came after it.
    const auto lines = lines_of(ledger.ok("--format csv statement ACC-1").out);
    REQUIRE(lines.size() == 2);
    const auto fields = csv_fields(lines[1]);
    const auto balance = csv_fields(lines_of(ledger.ok("--format csv balance ACC-1").out)[1]);
    CHECK(fields[4] == "1.50");
    CHECK(fields[5] == balance[1]);
    CHECK(balance[1] != csv_fields(lines_of(before[0])[1])[1]);
    ledger.ok("snapshot");
  }

  TEST_CASE("a statement from the purge boundary itself says history up to and including it "
            "was purged, --at the boundary still answers") {
    // Everything before the purge is dated 2026-02-01: the snapshot that stands for it covers
    // effective times up to 2026-02-01 00:00:00, entries at that instant included.
    TestLedger ledger;
    ledger.ok(std::string(kSmall) + "open P-1 --date 2026-01-01");
    for (int i = 1; i <= 60; ++i) {
      ledger.ok(fmt::format("{}deposit P-1 1 --date 2026-02-01 --memo 'pay {} {}'", kSmall, i,
                            std::string(60, 'x')));
    }
    ledger.ok("compact --purge --yes");
    ledger.ok(std::string(kSmall) + "deposit P-1 1 --date 2026-03-01");
    const auto before = ledger.files();
    const std::string boundary = "2026-02-01 00:00:00 UTC";

    RunResult r = ledger.run("--format csv statement P-1 --from 2026-02-01");
    CHECK(r.exit_code == 1);
    CHECK(r.out.empty());
    CHECK(r.err.starts_with("ledger: error: history up to and including " + boundary +
                            " was purged (the log now begins at event "));
    r = ledger.run("--format csv statement P-1 --from 2026-02-01T00:00:00Z");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "history up to and including " + boundary + " was purged"));
    // One instant later, the period holds nothing that was purged.
    r = ledger.run("--format csv statement P-1 --from 2026-02-01T00:00:01Z");
    CHECK(r.exit_code == 0);
    CHECK(lines_of(r.out).size() == 2);  // The header and the deposit of March.
    // The books as of the boundary are whole in the snapshot: "before" is the true word there.
    CHECK(ledger.ok("--format csv balance --at 2026-02-01").out ==
          "account,balance,currency\nP-1,60.00,USD\n");
    r = ledger.run("--format csv balance --at 2026-01-31");
    CHECK(r.exit_code == 1);
    CHECK(r.err.starts_with("ledger: error: history before " + boundary + " was purged"));
    check_unchanged(before, ledger.files());
  }

  TEST_CASE("a crash at any write, sync, rename or unlink of compact leaves the same answers") {
    if (!has_strace()) {
      MESSAGE("strace is not installed: crash injection skipped");
      return;
    }
    TestLedger ledger;
    write_books(ledger);
    const auto before = quick_answers(ledger);
    const auto all_before = answers(ledger);
    const fs::path pristine = ledger.scratch() / "pristine";
    fs::copy(ledger.dir(), pristine, fs::copy_options::recursive);
    const int crashes = crash_at_each_call(
        ledger, pristine, "compact", kCompactCalls, [&](bool killed) {
          CHECK(quick_answers(ledger) == before);
          if (!killed) return;
          // The next command works, and a second compaction finishes the job.
          ledger.ok("compact");
          CHECK(quick_answers(ledger) == before);
        });
    CHECK(answers(ledger) == all_before);
    MESSAGE("compactions killed: " << crashes);
    CHECK(crashes > 5);
  }

  TEST_CASE("a crash at any step of a purge leaves either the old or the purged ledger") {
    if (!has_strace()) {
      MESSAGE("strace is not installed: crash injection skipped");
      return;
    }
    TestLedger ledger;
    write_books(ledger);
    const auto before = answers(ledger);
    const fs::path pristine = ledger.scratch() / "pristine";
    fs::copy(ledger.dir(), pristine, fs::copy_options::recursive);
    const int crashes = crash_at_each_call(
        ledger, pristine, "compact --purge --yes", kPurgeCalls, [&](bool killed) {
          CHECK(ledger.ok("--format csv balance").out == before[0]);
          const auto past = ledger.run("--format csv balance --at 2026-02-15");
          CHECK((past.out == before[1] || contains(past.err, "was purged")));
          if (!killed) return;
          ledger.ok("compact --purge --yes");
          CHECK(ledger.ok("--format csv balance").out == before[0]);
          CHECK(contains(ledger.run("balance --at 2026-02-15").err, "was purged"));
        });
    MESSAGE("purges killed: " << crashes);
    CHECK(crashes > 3);
  }
}
