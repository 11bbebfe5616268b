// Snapshot + tail must give exactly what a full replay gives, at any point of time travel, and
// a damaged or foreign snapshot must never change an answer.
#include <doctest/doctest.h>

#include <random>

#include "app/replay.h"
#include "app/state_loader.h"
#include "ledger/ledger.h"
#include "store/log_fixture.h"
#include "store/snapshot_file.h"

using namespace ledger;
using ledger::store::testing::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kHour = 3600LL * 1'000'000'000;
constexpr int64_t kStart = 1767225600LL * 1'000'000'000;  // 2026-01-01T00:00:00Z
constexpr int kAccounts = 8;

struct WrittenBooks {
  fs::path dir;
  int64_t end_ns = kStart;
  int snapshots_taken = 0;
};

LedgerOptions options_for(const fs::path& dir, std::shared_ptr<int64_t> now) {
  LedgerOptions options;
  options.dir = dir;
  options.segment_size_bytes_max = 2048;  // Many segments: snapshots land in all of them.
  options.snapshot_every_events = 7;
  options.clock_ns = [now] { return *now += kHour; };
  return options;
}

std::string account(int i) { return fmt::format("ACC-{}", i); }

// A random history: deposits, withdrawals (some refused), transfers, a share backdated by up
// to ten days, and now and then an explicit snapshot.
WrittenBooks write_books(const fs::path& dir, uint32_t seed, int commands) {
  std::mt19937 rng(seed);
  auto now = std::make_shared<int64_t>(kStart);
  Ledger ledger(options_for(dir, now));
  WrittenBooks books{dir};
  for (int i = 0; i < kAccounts; ++i) {
    REQUIRE(ledger.execute(OpenAccount{account(i), "", i % 3 ? "USD" : "JPY", "0", EffectiveTime{kStart, false}, ""}));
  }
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  for (int c = 0; c < commands; ++c) {
    std::optional<EffectiveTime> date;
    if (pick(5) == 0) date = EffectiveTime{std::max(kStart, *now - pick(240) * kHour), false};
    const std::string amount = std::to_string(1 + pick(500));
    const int a = pick(kAccounts);
    int b = pick(kAccounts - 1);
    if (b >= a) ++b;
    // JPY and USD accounts do not trade with each other; a refusal is part of the history too.
    switch (pick(4)) {
      case 0: (void)ledger.execute(Withdraw{account(a), amount, "", date, ""}); break;
      case 1: (void)ledger.execute(Transfer{account(a), account(b), amount, "", date, ""}); break;
      default: REQUIRE(ledger.execute(Deposit{account(a), amount, "memo", date, ""}));
    }
    if (pick(40) == 0) {
      REQUIRE(ledger.snapshot());
      ++books.snapshots_taken;
    }
  }
  books.end_ns = *now;
  return books;
}

// The reference: every event of the log, filtered by hand (no snapshot, no time index).
std::map<std::string, int64_t> balances_by_replay(const fs::path& dir, const Cutoffs& cutoffs) {
  domain::LedgerState state(false);
  REQUIRE(app::for_each_event(dir, cutoffs.known_at_ns, [&](const domain::StoredEvent& e) {
    if (!cutoffs.effective_at_ns || e.effective_ns <= *cutoffs.effective_at_ns) state.apply(e);
    return Status::ok();
  }));
  std::map<std::string, int64_t> out;
  for (const auto* a : state.sorted_accounts()) out[a->id] = a->balance;
  return out;
}

std::map<std::string, int64_t> balances_from_service(const fs::path& dir, const Cutoffs& cutoffs) {
  Ledger ledger(LedgerOptions{dir});
  auto views = ledger.balances({}, cutoffs);
  REQUIRE(views);
  std::map<std::string, int64_t> out;
  for (const auto& v : *views) out[v.id] = v.balance;
  return out;
}

// Random cutoffs over the whole history, with and without each of the two.
std::vector<Cutoffs> random_cutoffs(const WrittenBooks& books, uint32_t seed, int count) {
  std::mt19937_64 rng(seed);
  const uint64_t span = static_cast<uint64_t>(books.end_ns - kStart + 2 * kHour);
  auto when = [&] { return kStart - kHour + static_cast<int64_t>(rng() % span); };
  std::vector<Cutoffs> cutoffs{{}};
  for (int i = 0; i < count; ++i) {
    Cutoffs c;
    if (i % 3 != 1) c.effective_at_ns = when();
    if (i % 3 != 0) c.known_at_ns = when();
    cutoffs.push_back(c);
  }
  return cutoffs;
}

std::string describe(const Cutoffs& c) {
  return fmt::format("at={} known_at={}", c.effective_at_ns.value_or(-1), c.known_at_ns.value_or(-1));
}

}  // namespace

TEST_SUITE("snapshots") {
  TEST_CASE("snapshot plus tail equals a full replay at random cutoffs") {
    for (uint32_t seed : {1u, 2u, 3u}) {
      TempDir dir;
      const WrittenBooks books = write_books(dir.path(), seed, 250);
      const auto listing = store::list_snapshots(store::real_syscalls(), dir.path());
      REQUIRE(listing.snapshots.size() > 5);
      int served_by_snapshot = 0;
      for (const Cutoffs& c : random_cutoffs(books, seed, 150)) {
        CHECK_MESSAGE(balances_from_service(dir.path(), c) == balances_by_replay(dir.path(), c),
                      describe(c));
        auto loaded = app::load_state(dir.path(), {c, false, true});
        REQUIRE(loaded);
        CHECK(loaded->warnings.empty());
        if (loaded->snapshot_seq > 0) ++served_by_snapshot;
      }
      // The cutoffs fall all over the history, so most are served from a snapshot.
      CHECK(served_by_snapshot > 75);
      // --at over sealed segments went through their effective-order indexes (no statement ran,
      // so nothing else builds them).
      size_t effective_indexes = 0;
      for (const auto& entry : fs::directory_iterator(dir.path() / "index")) {
        effective_indexes += entry.path().extension() == ".eff";
      }
      CHECK(effective_indexes > 3);
    }
  }

  TEST_CASE("at the head, a query reads only the events after the newest snapshot") {
    TempDir dir;
    write_books(dir.path(), 7, 100);
    auto loaded = app::load_state(dir.path(), {{}, false, true});
    REQUIRE(loaded);
    CHECK(loaded->snapshot_seq > 0);
    CHECK(loaded->events_read < 7);
    CHECK(loaded->state.last_seq() == loaded->snapshot_seq + loaded->events_read);
  }

  TEST_CASE("damaged, truncated and foreign snapshots are skipped with a warning") {
    TempDir dir;
    TempDir other;
    const WrittenBooks books = write_books(dir.path(), 11, 200);
    write_books(other.path(), 12, 200);
    auto listing = store::list_snapshots(store::real_syscalls(), dir.path());
    auto foreign = store::list_snapshots(store::real_syscalls(), other.path());
    REQUIRE(listing.snapshots.size() > 6);
    std::vector<fs::path> spoiled;
    // Every third snapshot: a flipped payload byte, a cut, or another ledger's snapshot of the
    // same sequence number (a valid file that does not belong to this log).
    for (size_t i = 0; i < listing.snapshots.size(); i += 3) {
      const fs::path& path = listing.snapshots[i].path;
      spoiled.push_back(path);
      switch ((i / 3) % 3) {
        case 0: {
          std::string bytes = ledger::store::testing::read_bytes(path);
          bytes[bytes.size() - 3] ^= 0x40;
          std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
          break;
        }
        case 1: fs::resize_file(path, fs::file_size(path) - 1); break;
        case 2: {
          const uint64_t seq = listing.snapshots[i].meta.seq_last;
          const fs::path twin = store::snapshot_path(other.path(), seq);
          if (!fs::exists(twin)) {
            REQUIRE(!foreign.snapshots.empty());
            // Another ledger's newest snapshot, renamed: its header then disagrees too.
            fs::copy_file(foreign.snapshots.back().path, path,
                          fs::copy_options::overwrite_existing);
          } else {
            fs::copy_file(twin, path, fs::copy_options::overwrite_existing);
          }
          break;
        }
      }
    }
    int warned = 0;
    for (const Cutoffs& c : random_cutoffs(books, 5, 120)) {
      CHECK_MESSAGE(balances_from_service(dir.path(), c) == balances_by_replay(dir.path(), c),
                    describe(c));
      auto loaded = app::load_state(dir.path(), {c, false, true});
      REQUIRE(loaded);
      for (const std::string& w : loaded->warnings) {
        CHECK(w.find("skipped") != std::string::npos);
        ++warned;
      }
    }
    CHECK(warned > 0);
  }
}
