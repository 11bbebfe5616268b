#include "app/pending_snapshots.h"
#include "scoped_env.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

using ledger::Status;
using ledger::app::PendingSnapshot;
using ledger::app::PendingSnapshots;

PendingSnapshot snapshot_of(uint64_t seq, size_t size) {
  PendingSnapshot s;
  s.meta.seq_last = seq;
  s.meta.chain = seq * 7919;
  s.payload.resize(size);
  for (size_t i = 0; i < size; ++i) s.payload[i] = static_cast<char>('a' + (seq + i) % 26);
  return s;
}

std::vector<PendingSnapshot> read_back(const PendingSnapshots& pending) {
  std::vector<PendingSnapshot> out;
  REQUIRE(pending.for_each([&](const PendingSnapshot& s) {
    out.push_back(s);
    return Status::ok();
  }));
  return out;
}

void check_same(const std::vector<PendingSnapshot>& got, const std::vector<PendingSnapshot>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].meta == want[i].meta);
    CHECK(got[i].payload == want[i].payload);
  }
}

}  // namespace

TEST_CASE("pending snapshots within the memory stay there and read back in order") {
  PendingSnapshots pending(10'000);
  std::vector<PendingSnapshot> added;
  for (uint64_t seq = 1; seq <= 4; ++seq) {
    added.push_back(snapshot_of(seq * 25, 2'000));
    REQUIRE(pending.add(added.back()));
  }
  CHECK(pending.size() == 4);
  CHECK(pending.back_meta().seq_last == 100);
  CHECK(pending.spilled() == 0);
  check_same(read_back(pending), added);
}

TEST_CASE("pending snapshots beyond the memory wait in a scratch file and read back whole") {
  PendingSnapshots pending(10'000);
  std::vector<PendingSnapshot> added;
  for (uint64_t seq = 1; seq <= 40; ++seq) {
    added.push_back(snapshot_of(seq, 1'000 + seq * 97));
    REQUIRE(pending.add(added.back()));
  }
  CHECK(pending.spilled() > 30);
  check_same(read_back(pending), added);
  // A second reading gives the same.
  check_same(read_back(pending), added);
}

TEST_CASE("an error of the caller stops the reading there") {
  PendingSnapshots pending(0);
  for (uint64_t seq = 1; seq <= 5; ++seq) REQUIRE(pending.add(snapshot_of(seq, 10)));
  int seen = 0;
  const Status s = pending.for_each([&](const PendingSnapshot& snapshot) {
    ++seen;
    if (snapshot.meta.seq_last == 3) return Status(ledger::ErrorCode::kIoError, "disk full");
    return Status::ok();
  });
  CHECK(s.code() == ledger::ErrorCode::kIoError);
  CHECK(seen == 3);
}

TEST_CASE("a scratch directory that cannot be used fails the add that needs it") {
  ledger::testing::ScopedEnv tmpdir("TMPDIR", "/nonexistent/scratch");
  PendingSnapshots pending(100);
  const Status first = pending.add(snapshot_of(1, 60));
  const Status second = pending.add(snapshot_of(2, 60));
  tmpdir.restore();
  CHECK(first);
  REQUIRE_FALSE(second);
  CHECK(second.code() == ledger::ErrorCode::kIoError);
  CHECK(pending.size() == 1);
}
