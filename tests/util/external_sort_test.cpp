#include "util/external_sort.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

using ledger::util::ExternalSort;

struct Rec {
  uint64_t key;
  uint64_t arrival;
  friend bool operator==(const Rec&, const Rec&) = default;
};
struct ByKey {
  bool operator()(const Rec& a, const Rec& b) const { return a.key < b.key; }
};

std::vector<Rec> read_all(const ExternalSort<Rec, ByKey>& sorter) {
  auto cursor = sorter.cursor();
  REQUIRE(cursor);
  std::vector<Rec> out;
  for (;;) {
    auto next = cursor->next();
    REQUIRE(next);
    if (!*next) return out;
    out.push_back(**next);
  }
}

// The records sorted by key; among equal keys, by arrival, so that two orders compare whole.
std::vector<Rec> canonical(std::vector<Rec> records) {
  std::sort(records.begin(), records.end(), [](const Rec& a, const Rec& b) {
    return std::tie(a.key, a.arrival) < std::tie(b.key, b.arrival);
  });
  return records;
}

std::vector<Rec> random_records(size_t n, uint64_t keys, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<Rec> records;
  for (size_t i = 0; i < n; ++i) records.push_back({rng() % keys, i});
  return records;
}

}  // namespace

TEST_CASE("records that fit the memory are sorted there, without a scratch file") {
  const std::vector<Rec> records = random_records(1000, 50, 1);
  ExternalSort<Rec, ByKey> sorter(1000 * sizeof(Rec));
  for (const Rec& r : records) REQUIRE(sorter.add(r));
  REQUIRE(sorter.finish());
  CHECK(sorter.scratch_runs() == 0);
  CHECK(sorter.size() == 1000);
  const std::vector<Rec> out = read_all(sorter);
  CHECK(std::is_sorted(out.begin(), out.end(), ByKey()));
  CHECK(canonical(out) == canonical(records));
}

TEST_CASE("records beyond the memory go to runs on scratch, and the merge reads them in order") {
  for (size_t memory_records : {1, 7, 64, 4096}) {
    CAPTURE(memory_records);
    const std::vector<Rec> records = random_records(20011, 1000, unsigned(memory_records));
    ExternalSort<Rec, ByKey> sorter(memory_records * sizeof(Rec));
    for (const Rec& r : records) REQUIRE(sorter.add(r));
    REQUIRE(sorter.finish());
    CHECK(sorter.scratch_runs() == (records.size() + memory_records - 1) / memory_records);
    const std::vector<Rec> out = read_all(sorter);
    REQUIRE(out.size() == records.size());
    CHECK(std::is_sorted(out.begin(), out.end(), ByKey()));
    CHECK(canonical(out) == canonical(records));
    // A second pass reads the same records in the same order.
    CHECK(read_all(sorter) == out);
  }
}

TEST_CASE("no records read as none, spilled or not") {
  ExternalSort<Rec, ByKey> sorter(sizeof(Rec));
  REQUIRE(sorter.finish());
  CHECK(read_all(sorter).empty());
}

TEST_CASE("a scratch directory that cannot be used is an error at the first spill, not a loss") {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  setenv("TMPDIR", "/nonexistent/scratch", 1);
  ExternalSort<Rec, ByKey> sorter(2 * sizeof(Rec));
  CHECK(sorter.add({3, 0}));
  CHECK(sorter.add({1, 1}));
  const ledger::Status third = sorter.add({2, 2});
  if (old) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  REQUIRE_FALSE(third);
  CHECK(third.code() == ledger::ErrorCode::kIoError);
  CHECK(third.message().find("/nonexistent/scratch") != std::string::npos);
}
