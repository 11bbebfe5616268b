// Sorted runs: round trips at block boundaries, lookups that hit and miss, a bloom filter that
// never hides a key, damage found where (and only when) it is read, and merges.

#include <doctest/doctest.h>

#include <cerrno>

#include "faulty_syscalls.h"
#include "log_fixture.h"
#include "run_fixture.h"

namespace ledger::store::testing {
namespace {

constexpr uint64_t kFullBlockBytes = kRunBlockDataSize + 2560;

uint64_t block_data_offset(uint64_t block) { return kRunHeaderSize + block * kFullBlockBytes; }

std::vector<RunEntry> read_all(const SortedRun& run) {
  std::vector<RunEntry> entries;
  const Status s = run.for_each([&](const RunEntry& e) {
    entries.push_back(e);
    return Status::ok();
  });
  REQUIRE_MESSAGE(s, s.message());
  return entries;
}

SortedRun open_run(const fs::path& path) {
  auto run = SortedRun::open(path);
  REQUIRE_MESSAGE(run, run.status().message());
  return std::move(*run);
}

std::optional<RunEntry> must_lookup(const SortedRun& run, RunKey key) {
  auto found = run.lookup(key);
  REQUIRE_MESSAGE(found, found.status().message());
  return *found;
}

// A key that no entry of sorted_entries() has, near the key of entry `i` (so in range).
RunKey absent_near(uint64_t i) {
  const RunEntry e = entry_number(i);
  return {e.key_low ^ 1, e.key_high};
}

TEST_SUITE("sorted_run") {
  TEST_CASE("entries round-trip at every block boundary") {
    for (const uint64_t count : {0u, 1u, 2048u, 2049u, 100'000u}) {
      CAPTURE(count);
      TempDir dir;
      const fs::path path = dir / "a.run";
      const std::vector<RunEntry> entries = sorted_entries(0, count);
      REQUIRE(write_run(path, entries, {7, 9}));
      CHECK_FALSE(fs::exists(run_temp_path(path)));

      const SortedRun run = open_run(path);
      CHECK(run.entry_count() == count);
      CHECK(run.block_count() == (count + 2047) / 2048);
      CHECK(run.meta() == RunMeta{7, 9});
      CHECK(run.file_size() == fs::file_size(path));
      CHECK(read_all(run) == entries);
      CHECK(run.verify());
      // The least key comes from the index, without a block read.
      if (count == 0) {
        CHECK_FALSE(run.first_key().has_value());
      } else {
        REQUIRE(run.first_key().has_value());
        CHECK(*run.first_key() == entries.front().key());
      }
      // Every key is found with its own values: the filter never says "no" to a present key.
      for (const RunEntry& e : entries) {
        const auto found = must_lookup(run, e.key());
        REQUIRE(found);
        CHECK(*found == e);
      }
    }
  }

  TEST_CASE("a writer may choose smaller blocks, readers take the size from the header") {
    TempDir dir;
    const fs::path path = dir / "small.run";
    const std::vector<RunEntry> entries = sorted_entries(0, 1000);
    REQUIRE(write_run(path, entries, {1, 1000}, real_syscalls(), 64));
    const SortedRun run = open_run(path);
    CHECK(run.block_count() == (1000 + 63) / 64);
    CHECK(read_all(run) == entries);
    CHECK(run.verify());
    for (const RunEntry& e : entries) CHECK(must_lookup(run, e.key()) == e);
    // A seek lands on its key in any block, and a seek within the block read last reads nothing
    // more (the cursor still gives the right entries).
    SortedRun::Cursor cursor(run);
    for (const uint64_t i : {700u, 10u, 11u, 999u, 64u, 63u}) {
      CAPTURE(i);
      REQUIRE(cursor.seek(entries[i].key()));
      auto next = cursor.next();
      REQUIRE(next);
      REQUIRE(next->has_value());
      CHECK(**next == entries[i]);
    }
    // block_of names the block a seek reads; hints change nothing a reader sees.
    for (const uint64_t i : {0u, 63u, 64u, 500u, 999u}) CHECK(run.block_of(entries[i].key()) == i / 64);
    run.will_need_block(run.block_of(entries[500].key()));
    run.will_need_block(run.block_count());  // Past the end: nothing.
    SortedRun::will_need_to_open(real_syscalls(), path);
    SortedRun::will_need_to_open(real_syscalls(), dir / "none.run");
    CHECK(read_all(open_run(path)) == entries);
    // Outside 64..2048 a writer refuses, and a header that says so is refused at open.
    CHECK(SortedRunWriter::create(real_syscalls(), dir / "tiny.run", {1, 1}, 32).status().code() ==
          ErrorCode::kInvalidArgument);
    CHECK(SortedRunWriter::create(real_syscalls(), dir / "huge.run", {1, 1}, 4096).status().code() ==
          ErrorCode::kInvalidArgument);
    flip_byte_bit(path, 40 + 1, 6);  // block_entries 64 -> 64 + 16384.
    auto opened = SortedRun::open(path);
    REQUIRE_FALSE(opened);
    CHECK(opened.status().code() == ErrorCode::kCorruption);
  }

  TEST_CASE("absent keys are not found, and their lookups rarely read a block") {
    TempDir dir;
    const fs::path path = dir / "a.run";
    constexpr uint64_t kCount = 20'000;
    REQUIRE(write_run(path, sorted_entries(0, kCount)));
    FaultySyscalls sys;
    auto run = SortedRun::open(sys, path);
    REQUIRE(run);
    const uint64_t reads_at_open = sys.calls(Op::kPread);

    constexpr uint64_t kProbes = 10'000;
    for (uint64_t i = 0; i < kProbes; ++i) {
      auto found = run->lookup(absent_near(i % kCount));
      REQUIRE(found);
      CHECK_FALSE(*found);
    }
    // Beyond both ends of the key space nothing is read at all.
    const uint64_t reads_before_ends = sys.calls(Op::kPread);
    CHECK_FALSE(*run->lookup({0, 0}));
    CHECK_FALSE(*run->lookup({UINT64_MAX, UINT64_MAX}));
    CHECK(sys.calls(Op::kPread) == reads_before_ends);

    // One filter read per lookup, and a block read only for the ~1% false positives.
    const uint64_t reads = reads_before_ends - reads_at_open;
    const uint64_t block_reads = reads - kProbes;
    MESSAGE("block reads for ", kProbes, " absent keys: ", block_reads);
    CHECK(reads >= kProbes);
    CHECK(block_reads < kProbes * 3 / 100);
  }

  TEST_CASE("the filter works for structured keys too: every key found, few blocks read") {
    // Keys that differ in a few low bits of one word, as counters or small ids would.
    for (const bool in_high : {false, true}) {
      CAPTURE(in_high);
      TempDir dir;
      const fs::path path = dir / "a.run";
      std::vector<RunEntry> entries;
      for (uint64_t i = 0; i < 10'000; ++i) {
        entries.push_back(in_high ? RunEntry{0, 2 * i, i, 0} : RunEntry{2 * i, 0, i, 0});
      }
      REQUIRE(write_run(path, entries));
      FaultySyscalls sys;
      auto run = SortedRun::open(sys, path);
      REQUIRE(run);
      for (const RunEntry& e : entries) CHECK(*run->lookup(e.key()) == e);
      const uint64_t reads_before = sys.calls(Op::kPread);
      for (const RunEntry& e : entries) {
        const RunKey odd = in_high ? RunKey{0, e.key_high + 1} : RunKey{e.key_low + 1, 0};
        CHECK_FALSE(*run->lookup(odd));
      }
      const uint64_t block_reads = sys.calls(Op::kPread) - reads_before - entries.size();
      CHECK(block_reads < entries.size() * 3 / 100);
    }
  }

  TEST_CASE("a sweep never rules out a key the run holds, and reads each filter and block once") {
    TempDir dir;
    const fs::path path = dir / "a.run";
    constexpr uint64_t kCount = 10'000;  // Five blocks.
    const std::vector<RunEntry> entries = sorted_entries(0, kCount);
    REQUIRE(write_run(path, entries));
    FaultySyscalls sys;
    auto run = SortedRun::open(sys, path);
    REQUIRE(run);
    // Every key of the run, each with an absent neighbour, in ascending order.
    std::vector<std::pair<RunKey, bool>> asked;
    for (const RunEntry& e : entries) {
      asked.push_back({e.key(), true});
      asked.push_back({RunKey{e.key_low ^ 1, e.key_high}, false});
    }
    asked.push_back({RunKey{0, 0}, false});
    asked.push_back({RunKey{UINT64_MAX, UINT64_MAX}, false});
    std::sort(asked.begin(), asked.end());
    const uint64_t reads_at_open = sys.calls(Op::kPread);
    SortedRun::Sweep sweep(*run);
    uint64_t absent_passed = 0;
    for (const auto& [key, held] : asked) {
      auto maybe = sweep.may_contain(key);
      REQUIRE(maybe);
      if (held) CHECK(*maybe);
      if (!held && *maybe) ++absent_passed;
    }
    CHECK(sys.calls(Op::kPread) - reads_at_open == run->block_count());
    MESSAGE("absent keys the filters let through: ", absent_passed, " of ", kCount + 2);
    CHECK(absent_passed < kCount * 3 / 100);

    // Finding reads each block once besides its filter, and answers what a lookup answers.
    const uint64_t reads_before_find = sys.calls(Op::kPread);
    SortedRun::Sweep finder(*run);
    std::vector<RunEntry> found;
    for (const auto& [key, held] : asked) {
      auto entry = finder.find(key);
      REQUIRE(entry);
      CHECK(entry->has_value() == held);
      if (*entry) found.push_back(**entry);
    }
    CHECK(sys.calls(Op::kPread) - reads_before_find == 2 * run->block_count());
    CHECK(found == entries);
  }

  TEST_CASE("a sweep that reaches a damaged filter says which block") {
    TempDir dir;
    const fs::path path = dir / "a.run";
    const std::vector<RunEntry> entries = sorted_entries(0, 5000);  // Blocks 0, 1 and 2.
    REQUIRE(write_run(path, entries));
    flip_byte_bit(path, block_data_offset(1) + kRunBlockDataSize + 7);
    const SortedRun run = open_run(path);
    SortedRun::Sweep sweep(run);
    REQUIRE(sweep.may_contain(entries[0].key()));
    CHECK(*sweep.may_contain(entries[0].key()));
    auto damaged = sweep.may_contain(entries[3000].key());
    REQUIRE_FALSE(damaged);
    CHECK(damaged.status().code() == ErrorCode::kCorruption);
    CHECK(contains(damaged.status().message(), "block 1"));
    // A key beyond the damaged block is answered from its own filter.
    auto later = sweep.may_contain(entries[4999].key());
    REQUIRE(later);
    CHECK(*later);
  }

  TEST_CASE("a flipped bit in a block is found by the lookup that reads it, naming the block") {
    TempDir dir;
    const fs::path path = dir / "a.run";
    const std::vector<RunEntry> entries = sorted_entries(0, 5000);  // Blocks 0, 1 and 2.
    REQUIRE(write_run(path, entries));

    SUBCASE("in the entries") { flip_byte_bit(path, block_data_offset(1) + 1000, 3); }
    SUBCASE("in the bloom filter") {
      flip_byte_bit(path, block_data_offset(1) + kRunBlockDataSize + 7);
    }

    // Opening reads no block, so it does not see the damage.
    const SortedRun run = open_run(path);
    CHECK(must_lookup(run, entries[0].key()) == entries[0]);
    CHECK(must_lookup(run, entries[4999].key()) == entries[4999]);

    auto damaged = run.lookup(entries[3000].key());
    REQUIRE_FALSE(damaged);
    CHECK(damaged.status().code() == ErrorCode::kCorruption);
    CHECK(contains(damaged.status().message(), path.string()));
    CHECK(contains(damaged.status().message(), "block 1"));

    const Status verified = run.verify();
    CHECK(verified.code() == ErrorCode::kCorruption);
    CHECK(contains(verified.message(), "block 1"));
  }

  TEST_CASE("for_each stops at a damaged block after the entries before it") {
    TempDir dir;
    const fs::path path = dir / "a.run";
    const std::vector<RunEntry> entries = sorted_entries(0, 5000);
    REQUIRE(write_run(path, entries));
    flip_byte_bit(path, block_data_offset(2) + 5);
    const SortedRun run = open_run(path);
    uint64_t seen = 0;
    const Status s = run.for_each([&](const RunEntry&) {
      ++seen;
      return Status::ok();
    });
    CHECK(s.code() == ErrorCode::kCorruption);
    CHECK(contains(s.message(), "block 2"));
    CHECK(seen == 4096);
  }

  TEST_CASE("a damaged header, index or footer, or a truncated file, is refused at open") {
    TempDir dir;
    const fs::path path = dir / "a.run";
    REQUIRE(write_run(path, sorted_entries(0, 5000)));
    const uint64_t size = fs::file_size(path);
    const uint64_t index_offset = size - kRunFooterSize - 3 * kRunIndexEntrySize;

    SUBCASE("truncated by one byte") { fs::resize_file(path, size - 1); }
    SUBCASE("truncated into the blocks") { fs::resize_file(path, block_data_offset(2)); }
    SUBCASE("truncated to nothing") { fs::resize_file(path, 0); }
    SUBCASE("footer checksum") { flip_byte_bit(path, size - 16); }
    SUBCASE("footer magic") { flip_byte_bit(path, size - 1); }
    SUBCASE("footer last key") { flip_byte_bit(path, size - kRunFooterSize + 16); }
    SUBCASE("index entry") { flip_byte_bit(path, index_offset + kRunIndexEntrySize + 20); }
    SUBCASE("header seq_last") { flip_byte_bit(path, 32); }
    SUBCASE("header entry count") { flip_byte_bit(path, 16); }
    SUBCASE("header magic") { flip_byte_bit(path, 0); }

    auto run = SortedRun::open(path);
    REQUIRE_FALSE(run);
    CHECK(run.status().code() == ErrorCode::kCorruption);
    CHECK(contains(run.status().message(), path.string()));
  }

  TEST_CASE("an index longer than the tail read answers the same mapped or read") {
    // 70,000 entries in blocks of 64: 1,094 blocks, an index of 35,008 bytes, so open() maps it
    // where the system maps files, and reads it otherwise.
    TempDir dir;
    const fs::path path = dir / "a.run";
    const std::vector<RunEntry> entries = sorted_entries(0, 70'000);
    REQUIRE(write_run(path, entries, {1, 1}, real_syscalls(), 64));
    Syscalls reads_only;  // Maps nothing.
    for (Syscalls* sys : {&real_syscalls(), &reads_only}) {
      auto run = SortedRun::open(*sys, path);
      REQUIRE_MESSAGE(run, run.status().message());
      CHECK(run->block_count() == 1094);
      CHECK(run->first_key() == std::optional<RunKey>(entries.front().key()));
      for (size_t i = 0; i < entries.size(); i += 97) {
        CHECK(must_lookup(*run, entries[i].key()) == std::optional<RunEntry>(entries[i]));
        CHECK(must_lookup(*run, absent_near(entries[i].value_a)) == std::nullopt);
      }
      CHECK(must_lookup(*run, entries.back().key()) == std::optional<RunEntry>(entries.back()));
    }
    // The first index entry lies before the tail: damage there is found either way.
    const uint64_t index_offset = fs::file_size(path) - kRunFooterSize - 1094 * kRunIndexEntrySize;
    flip_byte_bit(path, index_offset + 3);
    for (Syscalls* sys : {&real_syscalls(), &reads_only}) {
      auto run = SortedRun::open(*sys, path);
      REQUIRE_FALSE(run);
      CHECK(contains(run.status().message(), "footer checksum mismatch"));
    }
  }

  TEST_CASE("a missing run is kNotFound") {
    TempDir dir;
    auto run = SortedRun::open(dir / "none.run");
    REQUIRE_FALSE(run);
    CHECK(run.status().code() == ErrorCode::kNotFound);
  }

  TEST_CASE("the writer refuses unsorted and duplicate keys and stays usable") {
    TempDir dir;
    const fs::path path = dir / "a.run";
    const std::vector<RunEntry> entries = sorted_entries(0, 3);
    auto writer = SortedRunWriter::create(real_syscalls(), path, {1, 1});
    REQUIRE(writer);
    REQUIRE(writer->add(entries[1]));
    const Status earlier = writer->add(entries[0]);
    CHECK(earlier.code() == ErrorCode::kInvalidArgument);
    RunEntry same_key = entries[1];
    same_key.value_a = 99;
    CHECK(writer->add(same_key).code() == ErrorCode::kInvalidArgument);
    REQUIRE(writer->add(entries[2]));
    REQUIRE(writer->finish());
    CHECK(read_all(open_run(path)) == std::vector<RunEntry>{entries[1], entries[2]});
  }

  TEST_CASE("an unfinished writer leaves neither the run nor its temp file") {
    TempDir dir;
    const fs::path path = dir / "a.run";
    {
      auto writer = SortedRunWriter::create(real_syscalls(), path, {1, 1});
      REQUIRE(writer);
      for (const RunEntry& e : sorted_entries(0, 5000)) REQUIRE(writer->add(e));
      CHECK(fs::exists(run_temp_path(path)));
    }
    CHECK(fs::is_empty(dir.path()));
  }

  TEST_CASE("a failed write or sync publishes nothing and the writer stays failed") {
    for (const Op op : {Op::kPwrite, Op::kFdatasync, Op::kRename}) {
      CAPTURE(static_cast<int>(op));
      TempDir dir;
      const fs::path path = dir / "a.run";
      FaultySyscalls sys;
      sys.fail_nth(op, 1, EIO);
      auto writer = SortedRunWriter::create(sys, path, {1, 1});
      REQUIRE(writer);
      Status s;
      for (const RunEntry& e : sorted_entries(0, 3000)) {
        s = writer->add(e);
        if (!s) break;
      }
      if (s) s = writer->finish();
      CHECK(s.code() == ErrorCode::kIoError);
      CHECK(writer->finish().message() == s.message());
      CHECK(fs::is_empty(dir.path()));
    }
  }

  TEST_CASE("a merge keeps every key once, the later input's entry on equal keys") {
    TempDir dir;
    // Entries 0..5999 in the first run, 4000..9999 (newer values) in the second, and a third
    // small run that overrides a few keys of both.
    std::vector<RunEntry> older = sorted_entries(0, 6000, 1);
    std::vector<RunEntry> newer = sorted_entries(4000, 6000, 2);
    std::vector<RunEntry> newest = sorted_entries(3990, 20, 3);
    REQUIRE(write_run(dir / "1.run", older, {1, 10}));
    REQUIRE(write_run(dir / "2.run", newer, {11, 20}));
    REQUIRE(write_run(dir / "3.run", newest, {21, 30}));
    REQUIRE(write_run(dir / "empty.run", {}, {31, 31}));
    const SortedRun a = open_run(dir / "1.run");
    const SortedRun b = open_run(dir / "2.run");
    const SortedRun c = open_run(dir / "3.run");
    const SortedRun e = open_run(dir / "empty.run");
    const SortedRun* inputs[] = {&a, &b, &e, &c};
    auto merged = merge_runs(real_syscalls(), inputs, dir / "m.run");
    REQUIRE_MESSAGE(merged, merged.status().message());
    CHECK(merged->meta() == RunMeta{1, 31});
    CHECK(merged->entry_count() == 10'000);
    CHECK(merged->verify());

    std::vector<RunEntry> expected = sorted_entries(0, 10'000);
    for (RunEntry& x : expected) {
      x.value_b = x.value_a >= 3990 && x.value_a < 4010 ? 3 : x.value_a >= 4000 ? 2 : 1;
    }
    CHECK(read_all(*merged) == expected);
    CHECK(must_lookup(*merged, entry_number(4005).key())->value_b == 3);
    CHECK(must_lookup(*merged, entry_number(4500).key())->value_b == 2);
    CHECK(must_lookup(*merged, entry_number(100).key())->value_b == 1);
  }

  TEST_CASE("a merge stops at a damaged input and publishes nothing") {
    TempDir dir;
    REQUIRE(write_run(dir / "1.run", sorted_entries(0, 5000)));
    REQUIRE(write_run(dir / "2.run", sorted_entries(5000, 5000)));
    flip_byte_bit(dir / "2.run", block_data_offset(1) + 100);
    const SortedRun a = open_run(dir / "1.run");
    const SortedRun b = open_run(dir / "2.run");
    const SortedRun* inputs[] = {&a, &b};
    auto merged = merge_runs(real_syscalls(), inputs, dir / "m.run");
    REQUIRE_FALSE(merged);
    CHECK(merged.status().code() == ErrorCode::kCorruption);
    CHECK(contains(merged.status().message(), "2.run"));
    CHECK_FALSE(fs::exists(dir / "m.run"));
    CHECK_FALSE(fs::exists(run_temp_path(dir / "m.run")));
  }
}

}  // namespace
}  // namespace ledger::store::testing
