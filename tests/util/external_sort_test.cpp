#include "util/external_sort.h"
#include "scoped_env.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

using ledger::util::ExternalSort;

struct Key {
  uint64_t value;
  friend bool operator<(const Key& a, const Key& b) { return a.value < b.value; }
};

// A record as added: its key, its payload, and the order it came in.
struct Rec {
  uint64_t key = 0;
  std::string payload;
  friend bool operator==(const Rec&, const Rec&) = default;
};

// A payload that names its record, so that a payload read with another record's key shows;
// lengths vary from none to more than a scratch run reads at a time.
std::string payload_of(size_t arrival, std::mt19937_64& rng) {
  const size_t extra = rng() % 50 == 0 ? rng() % (100 << 10) : rng() % 64;
  std::string payload = std::to_string(arrival) + ":";
  for (size_t i = 0; i < extra; ++i) payload += static_cast<char>(rng());
  return rng() % 20 == 0 ? std::string() : payload;
}

std::vector<Rec> random_records(size_t n, uint64_t keys, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<Rec> records;
  for (size_t i = 0; i < n; ++i) records.push_back({rng() % keys, payload_of(i, rng)});
  return records;
}

template <class Sorter>
std::vector<Rec> read_all(const Sorter& sorter) {
  auto cursor = sorter.cursor();
  REQUIRE(cursor);
  std::vector<Rec> out;
  for (;;) {
    auto next = cursor->next();
    REQUIRE(next);
    if (!*next) return out;
    out.push_back({(*next)->value, std::string(cursor->payload())});
  }
}

std::vector<Rec> sort_through(const std::vector<Rec>& records, size_t memory_bytes,
                              size_t* scratch_runs = nullptr) {
  ExternalSort<Key> sorter(memory_bytes);
  for (const Rec& r : records) REQUIRE(sorter.add({r.key}, r.payload));
  REQUIRE(sorter.finish());
  CHECK(sorter.size() == records.size());
  if (scratch_runs != nullptr) *scratch_runs = sorter.scratch_runs();
  std::vector<Rec> out = read_all(sorter);
  // A second pass reads the same records in the same order.
  CHECK(read_all(sorter) == out);
  return out;
}

// What the order must be: the standard library's stable sort by key.
std::vector<Rec> expected(std::vector<Rec> records) {
  std::stable_sort(records.begin(), records.end(),
                   [](const Rec& a, const Rec& b) { return a.key < b.key; });
  return records;
}

}  // namespace

TEST_SUITE("external sort") {
  TEST_CASE("records that fit the memory are sorted there, without a scratch file") {
    const std::vector<Rec> records = random_records(1000, 50, 1);
    size_t runs = 99;
    CHECK(sort_through(records, 16 << 20, &runs) == expected(records));
    CHECK(runs == 0);
  }

  TEST_CASE("records beyond the memory go to runs on scratch, the merge keeps key order, "
            "arrival order among equal keys, and every payload byte") {
    for (size_t memory_bytes : {size_t{1}, size_t{700}, size_t{64} << 10}) {
      CAPTURE(memory_bytes);
      const std::vector<Rec> records = random_records(5003, 100, unsigned(memory_bytes));
      size_t runs = 0;
      CHECK(sort_through(records, memory_bytes, &runs) == expected(records));
      CHECK(runs > 2);
    }
  }

  TEST_CASE("records that arrive in order go to one run unsorted, the few out of order wait "
            "in memory") {
    std::vector<Rec> records;
    for (size_t i = 1000; i < 31000; ++i) {
      const uint64_t key = i % 40 == 0 ? i - 500 : i;  // A backdated record now and then.
      records.push_back({key, std::to_string(i) + std::string(i % 50, 'x')});
    }
    size_t runs = 0;
    CHECK(sort_through(records, 256 << 10, &runs) == expected(records));
    CHECK(runs == 1);
  }

  TEST_CASE("records in reverse order each spill, and still come out in order") {
    std::mt19937_64 rng(9);
    std::vector<Rec> records;
    for (size_t i = 0; i < 3000; ++i) records.push_back({3000 - i / 3, payload_of(i, rng)});
    size_t runs = 0;
    CHECK(sort_through(records, 4 << 10, &runs) == expected(records));
    CHECK(runs > 10);
  }

  TEST_CASE("keys without payloads sort as fixed-size records") {
    std::vector<Rec> records = random_records(20011, 1000, 3);
    for (Rec& r : records) r.payload.clear();
    CHECK(sort_through(records, 4096) == expected(records));
  }

  TEST_CASE("no records read as none, spilled or not") {
    CHECK(sort_through({}, 1).empty());
    CHECK(sort_through({}, 16 << 20).empty());
  }

  TEST_CASE("a scratch directory that cannot be used is an error at the first spill, not a "
            "loss") {
    ledger::testing::ScopedEnv tmpdir("TMPDIR", "/nonexistent/scratch");
    ExternalSort<Key> sorter(64);
    ledger::Status failed = ledger::Status::ok();
    for (uint64_t i = 0; i < 100 && failed; ++i) failed = sorter.add({100 - i}, "payload");
    tmpdir.restore();
    REQUIRE_FALSE(failed);
    CHECK(failed.code() == ledger::ErrorCode::kIoError);
    CHECK(failed.message().find("/nonexistent/scratch") != std::string::npos);
  }
}
