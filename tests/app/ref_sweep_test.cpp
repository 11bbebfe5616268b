// An import's refs swept through the ref index at once: each answer is the one the test recorded
// (the newest entry of a ref recorded twice), a ref never recorded is absent, and a sweep that
// would hold too many answers gives up without changing any.

#include "app/ref_sweep.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <string>

#include "store/log_fixture.h"

namespace {

using namespace ledger;
using ledger::store::testing::TempDir;

std::string ref_text(int i) { return fmt::format("sweep-ref-{}", i); }

// A ref index of two runs: refs 1..2000 recorded by events 1..2000, then refs 2001..2500 by
// events 2001..2500, with ref 5 recorded again by event 2300. `recorded` gets what each ref's
// lookup must give.
app::RefIndex two_runs(const TempDir& dir, std::map<std::string, domain::RefEntry>& recorded) {
  std::string rebuilt;
  auto index = app::RefIndex::open_for_writing(dir.path(), 2500, app::RefCheck::kVerify, rebuilt);
  REQUIRE_MESSAGE(index, index.status().message());
  domain::LedgerState first;
  for (int i = 1; i <= 2000; ++i) {
    const domain::RefEntry entry{uint64_t(i) * 1000 + 3, uint64_t(i)};
    first.track_ref(ref_text(i), entry);
    recorded[ref_text(i)] = entry;
  }
  REQUIRE(index->add_from(first, 2000));
  domain::LedgerState second;
  for (int i = 2001; i <= 2500; ++i) {
    const domain::RefEntry entry{uint64_t(i) * 1000 + 3, uint64_t(i)};
    second.track_ref(ref_text(i), entry);
    recorded[ref_text(i)] = entry;
  }
  second.track_ref(ref_text(5), {777, 2300});
  recorded[ref_text(5)] = {777, 2300};
  REQUIRE(index->add_from(second, 2500));
  REQUIRE(index->runs().runs().size() == 2);
  return std::move(*index);
}

}  // namespace

TEST_CASE("a sweep answers every ref it was given as the index would, from memory") {
  TempDir dir;
  std::map<std::string, domain::RefEntry> recorded;
  const app::RefIndex index = two_runs(dir, recorded);
  app::RefSweep sweep(index);
  std::vector<std::string> asked;
  // Refs of both runs, ref 5 twice, and as many refs never recorded.
  for (int i = 1; i <= 2500; i += 3) asked.push_back(ref_text(i));
  asked.push_back(ref_text(5));
  asked.push_back(ref_text(5));
  for (int i = 3000; i < 4000; ++i) asked.push_back(ref_text(i));
  for (const std::string& ref : asked) REQUIRE(sweep.add(ref));
  REQUIRE(sweep.sweep());
  CHECK(sweep.swept());
  CHECK(sweep.found() == 835);  // 1, 4, ..., 2500 and 5, each counted once.
  for (const std::string& ref : asked) {
    CAPTURE(ref);
    const auto id = domain::LedgerState::ref_id(ref);
    auto found = sweep.find(id.low, id.high);
    REQUIRE(found);
    auto it = recorded.find(ref);
    if (it == recorded.end()) {
      CHECK_FALSE(found->has_value());
    } else {
      REQUIRE(found->has_value());
      CHECK((*found)->digest == it->second.digest);
      CHECK((*found)->seq == it->second.seq);
    }
  }
}

TEST_CASE("a sweep that finds more refs than it may hold gives up, and lookups go to the index") {
  TempDir dir;
  std::map<std::string, domain::RefEntry> recorded;
  const app::RefIndex index = two_runs(dir, recorded);
  app::RefSweep sweep(index, 10);
  for (int i = 1; i <= 100; ++i) REQUIRE(sweep.add(ref_text(i)));
  REQUIRE(sweep.sweep());
  CHECK_FALSE(sweep.swept());
  CHECK(sweep.found() == 0);
  for (int i : {5, 50, 100, 3000}) {
    const auto id = domain::LedgerState::ref_id(ref_text(i));
    auto found = sweep.find(id.low, id.high);
    REQUIRE(found);
    CHECK(found->has_value() == (i != 3000));
    if (i == 5) CHECK((*found)->seq == 2300);
  }
}

TEST_CASE("a sweep of an empty index finds nothing") {
  TempDir dir;
  std::string rebuilt;
  auto index = app::RefIndex::open_for_writing(dir.path(), 0, app::RefCheck::kVerify, rebuilt);
  REQUIRE(index);
  app::RefSweep sweep(*index);
  REQUIRE(sweep.add(ref_text(1)));
  REQUIRE(sweep.sweep());
  const auto id = domain::LedgerState::ref_id(ref_text(1));
  auto found = sweep.find(id.low, id.high);
  REQUIRE(found);
  CHECK_FALSE(found->has_value());
}
