#include "app/spilled_refs.h"
#include "scoped_env.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <string>

namespace {

using namespace ledger;

// The archive below the spilled runs: answers for one ref only, and counts what it is asked.
class Below : public domain::RefArchive {
 public:
  Result<std::optional<domain::RefEntry>> find(uint64_t low, uint64_t high) const override {
    ++asked;
    domain::LedgerState probe;
    probe.track_ref("old-ref", {77, 7});
    bool hit = false;
    probe.for_each_ref([&](uint64_t l, uint64_t h, const domain::RefEntry&) {
      hit = l == low && h == high;
    });
    if (hit) return std::optional<domain::RefEntry>(domain::RefEntry{77, 7});
    return std::optional<domain::RefEntry>();
  }
  mutable int asked = 0;
};

std::string ref_text(int i) { return fmt::format("ref-{}", i); }

}  // namespace

TEST_CASE("refs spilled in several runs are found with their entries, others fall through") {
  Below below;
  app::SpilledRefs spilled(&below, 5000);
  domain::LedgerState state;
  state.set_ref_archive(&spilled);
  std::map<int, domain::RefEntry> recorded;
  for (int i = 1; i <= 4000; ++i) {
    const domain::RefEntry entry{uint64_t(i) * 31, uint64_t(i) + 10};
    state.track_ref(ref_text(i), entry);
    recorded[i] = entry;
    if (i % 1000 == 0) {
      REQUIRE(spilled.spill(state));
      CHECK(state.tracked_refs() == 0);
    }
  }
  state.track_ref(ref_text(4001), {1, 4011});  // Still in memory.
  CHECK(spilled.runs() == 4);
  CHECK(spilled.size() == 4000);
  for (const auto& [i, entry] : recorded) {
    auto found = state.lookup_ref(ref_text(i));
    REQUIRE(found);
    REQUIRE_MESSAGE(found->has_value(), ref_text(i));
    CHECK((*found)->digest == entry.digest);
    CHECK((*found)->seq == entry.seq);
  }
  auto in_memory = state.lookup_ref(ref_text(4001));
  REQUIRE(in_memory);
  CHECK((*in_memory)->seq == 4011);
  below.asked = 0;
  auto old = state.lookup_ref("old-ref");
  REQUIRE(old);
  REQUIRE(old->has_value());
  CHECK((*old)->seq == 7);
  CHECK(below.asked == 1);
  int absent_found = 0;
  for (int i = 5000; i < 6000; ++i) {
    auto none = state.lookup_ref(ref_text(i));
    REQUIRE(none);
    absent_found += none->has_value() ? 1 : 0;
  }
  CHECK(absent_found == 0);
  CHECK(below.asked == 1001);  // Every absent ref was asked below, after the runs.
}

TEST_CASE("every spilled ref is listed once, in key order within its run") {
  app::SpilledRefs spilled(nullptr, 3000);
  domain::LedgerState state;
  for (int i = 1; i <= 3000; ++i) {
    state.track_ref(ref_text(i), {0, uint64_t(i)});
    if (i % 700 == 0) REQUIRE(spilled.spill(state));
  }
  REQUIRE(spilled.spill(state));
  CHECK(spilled.runs() == 5);
  std::map<uint64_t, int> seen;  // seq -> times listed
  // Runs come one after another, of 700, 700, 700, 700 and 200 refs, each in key order.
  store::RunKey last{};
  uint64_t listed = 0;
  bool ordered = true;
  REQUIRE(spilled.for_each([&](const store::RunEntry& e) {
    if (listed % 700 != 0 && e.key() < last) ordered = false;
    last = e.key();
    ++listed;
    ++seen[e.value_b];
    return Status::ok();
  }));
  CHECK(seen.size() == 3000);
  for (const auto& [seq, n] : seen) CHECK(n == 1);
  CHECK(ordered);
}

TEST_CASE("spilling nothing makes no run, and a scratch directory that cannot be used fails") {
  app::SpilledRefs spilled(nullptr, 10);
  domain::LedgerState state;
  REQUIRE(spilled.spill(state));
  CHECK(spilled.runs() == 0);
  state.track_ref("a", {1, 1});
  ledger::testing::ScopedEnv tmpdir("TMPDIR", "/nonexistent/scratch");
  const Status s = spilled.spill(state);
  tmpdir.restore();
  REQUIRE_FALSE(s);
  CHECK(s.code() == ErrorCode::kIoError);
  CHECK(state.tracked_refs() == 1);  // Nothing is lost: the ref stays in memory.
}
