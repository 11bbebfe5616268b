// Run sets: contiguous coverage, a logarithmic number of runs, every key findable, damage and
// gaps reported, and a crash at any system call of an add (and its merges) survived.

#include "store/run_set.h"

#include <doctest/doctest.h>

#include <bit>
#include <cerrno>

#include "faulty_syscalls.h"
#include "log_fixture.h"
#include "run_fixture.h"

namespace ledger::store::testing {
namespace {

RunSet open_set(const fs::path& dir, Syscalls& sys = real_syscalls()) {
  auto set = RunSet::open(sys, dir);
  REQUIRE_MESSAGE(set, set.status().message());
  return std::move(*set);
}

// Checks that entries numbered [first, first + count) are found with their values.
void check_found(const RunSet& set, uint64_t first, uint64_t count) {
  for (uint64_t i = first; i < first + count; ++i) {
    const RunEntry e = entry_number(i);
    auto found = set.lookup(e.key());
    REQUIRE_MESSAGE(found, found.status().message());
    REQUIRE_MESSAGE(*found, "entry ", i, " is missing");
    CHECK(**found == e);
  }
}

size_t files_in(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST_SUITE("run_set") {
  TEST_CASE("run file names carry the range and sort in log order") {
    CHECK(run_file_name(1, 42) == "00000000000000000001-00000000000000000042.run");
    CHECK(parse_run_file_name("00000000000000000001-00000000000000000042.run") == RunMeta{1, 42});
    CHECK_FALSE(parse_run_file_name("00000000000000000001-00000000000000000042.run.7.tmp"));
    CHECK_FALSE(parse_run_file_name("00000000000000000000-00000000000000000042.run"));
    CHECK_FALSE(parse_run_file_name("00000000000000000043-00000000000000000042.run"));
    CHECK_FALSE(parse_run_file_name("0000000000000000000x-00000000000000000042.run"));
    CHECK_FALSE(parse_run_file_name("99999999999999999999-99999999999999999999.run"));
    CHECK_FALSE(parse_run_file_name("00000000000000000001.seg"));
  }

  TEST_CASE("a missing directory is an empty set") {
    TempDir dir;
    const RunSet set = open_set(dir / "refs");
    CHECK(set.covered_through() == 0);
    CHECK(set.runs().empty());
    CHECK_FALSE(*set.lookup(entry_number(1).key()));
  }

  TEST_CASE("over 200 adds the run count stays logarithmic and every key stays findable") {
    TempDir dir;
    const fs::path refs = dir / "refs";
    RunSet set = open_set(refs);
    uint64_t entries = 0;
    uint64_t seq = 0;
    size_t runs_max = 0;
    for (uint64_t add = 0; add < 200; ++add) {
      // Mostly small adds, some empty, a few large, as commands and imports would make.
      const uint64_t count = add % 50 == 7 ? 3000 : splitmix64(add) % 40;
      const uint64_t events = count + splitmix64(add + 1000) % 3 + 1;
      REQUIRE(set.add(sorted_entries(entries, count), seq + 1, seq + events));
      entries += count;
      seq += events;
      CHECK(set.covered_through() == seq);
      runs_max = std::max(runs_max, set.runs().size());
      CHECK(set.runs().size() <= static_cast<size_t>(std::bit_width(entries)) + 2);
      // Each run holds more than twice the entries of the next newer one.
      for (size_t r = 1; r < set.runs().size(); ++r) {
        CHECK(2 * set.runs()[r].entry_count() < set.runs()[r - 1].entry_count());
      }
    }
    MESSAGE(entries, " entries in ", set.runs().size(), " runs (at most ", runs_max, ")");
    check_found(set, 0, entries);
    CHECK_FALSE(*set.lookup(entry_number(entries).key()));
    CHECK(files_in(refs) == set.runs().size());

    const RunSet reopened = open_set(refs);
    CHECK(reopened.covered_through() == seq);
    CHECK(reopened.runs().size() == set.runs().size());
    CHECK(reopened.verify());
    check_found(reopened, 0, entries);
  }

  TEST_CASE("the newest run's entry shadows an older one of the same key") {
    TempDir dir;
    RunSet set = open_set(dir.path());
    REQUIRE(set.add(sorted_entries(0, 100, 1), 1, 10));
    REQUIRE(set.add(sorted_entries(50, 10, 2), 11, 11));  // Not merged: 20 < 100.
    REQUIRE(set.runs().size() == 2);
    CHECK((*set.lookup(entry_number(55).key()))->value_b == 2);
    CHECK((*set.lookup(entry_number(45).key()))->value_b == 1);
    REQUIRE(set.add(sorted_entries(1000, 50, 3), 12, 12));  // Merges all three.
    REQUIRE(set.runs().size() == 1);
    CHECK((*set.lookup(entry_number(55).key()))->value_b == 2);
  }

  TEST_CASE("a sweep answers as lookups do: the newest run holding a key wins") {
    TempDir dir;
    RunSet set = open_set(dir.path());
    REQUIRE(set.add(sorted_entries(0, 5000, 1), 1, 10));
    REQUIRE(set.add(sorted_entries(2000, 100, 2), 11, 11));
    REQUIRE(set.add(sorted_entries(2050, 20, 3), 12, 12));
    REQUIRE(set.runs().size() == 3);
    std::vector<RunKey> keys;
    for (uint64_t i = 0; i < 5200; i += 3) {
      keys.push_back(entry_number(i).key());
      keys.push_back(RunKey{entry_number(i).key_low ^ 1, entry_number(i).key_high});
    }
    std::sort(keys.begin(), keys.end());
    RunSet::Sweep sweep(set);
    size_t newest = 0;
    size_t newest_expected = 0;
    for (uint64_t i = 2050; i < 2070; ++i) newest_expected += i % 3 == 0;
    for (const RunKey& key : keys) {
      auto swept = sweep.find(key);
      REQUIRE(swept);
      auto looked_up = set.lookup(key);
      REQUIRE(looked_up);
      CHECK(*swept == *looked_up);
      if (*swept && (*swept)->value_b == 3) ++newest;
    }
    CHECK(newest == newest_expected);
  }

  TEST_CASE("add refuses a range that does not follow, and unsorted entries, changing nothing") {
    TempDir dir;
    RunSet set = open_set(dir.path());
    REQUIRE(set.add(sorted_entries(0, 10), 1, 5));
    const auto before = snapshot_dir(dir.path());
    CHECK(set.add({}, 7, 8).code() == ErrorCode::kInvalidArgument);
    CHECK(set.add({}, 5, 8).code() == ErrorCode::kInvalidArgument);
    CHECK(set.add({}, 6, 5).code() == ErrorCode::kInvalidArgument);
    std::vector<RunEntry> unsorted = sorted_entries(10, 5);
    std::swap(unsorted[1], unsorted[3]);
    CHECK(set.add(unsorted, 6, 6).code() == ErrorCode::kInvalidArgument);
    CHECK(snapshot_dir(dir.path()) == before);
    REQUIRE(set.add(sorted_entries(10, 5), 6, 6));
    check_found(open_set(dir.path()), 0, 15);
  }

  TEST_CASE("a streamed add whose source fails publishes nothing, and the set goes on") {
    TempDir dir;
    RunSet set = open_set(dir.path());
    REQUIRE(set.add(sorted_entries(0, 10), 1, 5));
    const auto before = snapshot_dir(dir.path());
    const std::vector<RunEntry> more = sorted_entries(10, 3000);
    size_t at = 0;
    const Status failed = set.add_streamed(
        [&]() -> Result<std::optional<RunEntry>> {
          if (at == 2500) return Status(ErrorCode::kIoError, "scratch file lost");
          return std::optional<RunEntry>(more[at++]);
        },
        6, 9);
    CHECK(failed.code() == ErrorCode::kIoError);
    CHECK(failed.message() == "scratch file lost");
    CHECK(snapshot_dir(dir.path()) == before);
    at = 0;
    REQUIRE(set.add_streamed(
        [&]() -> Result<std::optional<RunEntry>> {
          if (at == more.size()) return std::optional<RunEntry>();
          return std::optional<RunEntry>(more[at++]);
        },
        6, 9));
    check_found(open_set(dir.path()), 0, 3010);
  }

  TEST_CASE("open refuses a gap, a partial overlap or a damaged run, and remove_all clears") {
    TempDir dir;
    REQUIRE(write_run(dir / run_file_name(1, 10), sorted_entries(0, 10), {1, 10}));
    REQUIRE(write_run(dir / run_file_name(11, 20), sorted_entries(10, 5), {11, 20}));
    REQUIRE(open_set(dir.path()).covered_through() == 20);

    SUBCASE("a gap") {
      REQUIRE(write_run(dir / run_file_name(22, 30), sorted_entries(15, 5), {22, 30}));
    }
    SUBCASE("a partial overlap") {
      REQUIRE(write_run(dir / run_file_name(15, 30), sorted_entries(15, 5), {15, 30}));
    }
    SUBCASE("no run starting at 1") { fs::remove(dir / run_file_name(1, 10)); }
    SUBCASE("a damaged run") { flip_byte_bit(dir / run_file_name(11, 20), 20); }
    SUBCASE("a run whose header disagrees with its name") {
      fs::rename(dir / run_file_name(11, 20), dir / run_file_name(11, 21));
    }

    auto set = RunSet::open(dir.path());
    REQUIRE_FALSE(set);
    CHECK(set.status().code() == ErrorCode::kCorruption);
    MESSAGE(set.status().message());

    REQUIRE(RunSet::remove_all(real_syscalls(), dir.path()));
    CHECK(fs::is_empty(dir.path()));
    RunSet rebuilt = open_set(dir.path());
    CHECK(rebuilt.covered_through() == 0);
    REQUIRE(rebuilt.add(sorted_entries(0, 10), 1, 30));
    CHECK(open_set(dir.path()).covered_through() == 30);
  }

  TEST_CASE("runs nested in a merged run, and temp files, are ignored, then removed by add") {
    TempDir dir;
    // What a crash between a merge's rename and the deletion of its inputs leaves.
    REQUIRE(write_run(dir / run_file_name(1, 10), sorted_entries(0, 10), {1, 10}));
    REQUIRE(write_run(dir / run_file_name(11, 20), sorted_entries(10, 10), {11, 20}));
    REQUIRE(write_run(dir / run_file_name(1, 20), sorted_entries(0, 20), {1, 20}));
    REQUIRE(write_run(dir / run_file_name(21, 22), sorted_entries(20, 2), {21, 22}));
    std::ofstream(dir / (run_file_name(23, 30) + ".999.tmp")) << "torn";

    RunSet set = open_set(dir.path());
    CHECK(set.covered_through() == 22);
    CHECK(set.runs().size() == 2);
    CHECK(set.obsolete().size() == 2);
    check_found(set, 0, 22);
    CHECK(files_in(dir.path()) == 5);

    REQUIRE(set.add(sorted_entries(22, 1), 23, 23));
    CHECK(set.obsolete().empty());
    CHECK(files_in(dir.path()) == set.runs().size());
    check_found(open_set(dir.path()), 0, 23);
  }

  TEST_CASE("remove_all empties an open set") {
    TempDir dir;
    RunSet set = open_set(dir.path());
    REQUIRE(set.add(sorted_entries(0, 10), 1, 5));
    REQUIRE(set.remove_all());
    CHECK(set.covered_through() == 0);
    CHECK(fs::is_empty(dir.path()));
    REQUIRE(set.add(sorted_entries(0, 10), 1, 7));
    CHECK(open_set(dir.path()).covered_through() == 7);
  }

  TEST_CASE("a crash at any system call of an add and its merges loses nothing acknowledged") {
    // Runs of 100, 40 and 15 entries; an add of 20 then merges three times (15+20, 40+35,
    // 100+75), so the fault walks through a run's write and three merges with their deletions.
    const std::vector<uint64_t> sizes = {100, 40, 15};
    constexpr uint64_t kAdded = 20;
    for (const Persistence persistence : {Persistence::kOnce, Persistence::kPersistent}) {
      uint64_t failures = 0;
      for (uint64_t n = 1;; ++n) {
        CAPTURE(persistence == Persistence::kPersistent);
        CAPTURE(n);
        REQUIRE(n < 1000);
        TempDir dir;
        uint64_t acked = 0;
        {
          RunSet set = open_set(dir.path());
          for (const uint64_t size : sizes) {
            REQUIRE(set.add(sorted_entries(acked, size), acked + 1, acked + size));
            acked += size;
          }
          REQUIRE(set.runs().size() == 3);
        }

        FaultySyscalls sys;
        Status added;
        {
          RunSet set = open_set(dir.path(), sys);
          sys.fail_nth_call(n, EIO, persistence);
          added = set.add(sorted_entries(acked, kAdded), acked + 1, acked + kAdded);
          if (!added) {
            ++failures;
            CHECK(sys.faults_injected() > 0);
            CHECK(added.code() == ErrorCode::kIoError);
            // The set refuses to go on after an I/O error.
            CHECK_FALSE(set.add({}, set.covered_through() + 1, set.covered_through() + 1));
          } else {
            CHECK(set.runs().size() == 1);
          }
        }

        // The directory is a readable set holding everything acknowledged; the failed add is
        // there whole or not at all.
        RunSet reopened = open_set(dir.path());
        const uint64_t covered = reopened.covered_through();
        CHECK((covered == acked || covered == acked + kAdded));
        if (added) CHECK(covered == acked + kAdded);
        check_found(reopened, 0, covered);
        CHECK(reopened.verify());

        // The next add goes on from there and tidies what the crash left.
        REQUIRE(reopened.add(sorted_entries(covered, 1), covered + 1, covered + 1));
        CHECK(files_in(dir.path()) == reopened.runs().size());
        check_found(open_set(dir.path()), 0, covered + 1);

        if (sys.faults_injected() == 0) {
          CHECK(added);
          break;
        }
      }
      MESSAGE(failures, " injected failures");
      CHECK(failures > 20);
    }
  }
}

}  // namespace
}  // namespace ledger::store::testing
