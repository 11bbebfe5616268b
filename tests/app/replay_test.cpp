#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "app/replay.h"
#include "domain/event_codec.h"
#include "store/log_fixture.h"

using namespace ledger;
using namespace ledger::store::testing;

namespace {

// One commit per event, so that every event is its own frame with its own recorded time.
void write_events(const fs::path& dir, const std::vector<domain::Event>& events) {
  auto writer = open_writer(dir);
  for (const domain::Event& event : events) {
    REQUIRE(writer->begin());
    const domain::EncodedEvent e = domain::encode_event(event);
    REQUIRE(writer->add({e.type, e.version, writer->commit_recorded_ns(), bytes_of(e.payload)}));
    REQUIRE(writer->commit());
  }
}

const std::vector<domain::Event> kEvents = {
    domain::AccountOpened{"A", "Ada", "USD", 0, {"open-a", 1}},
    domain::MoneyDeposited{"A", 500, "salary", {"", 0}},
    domain::MoneyWithdrawn{"A", 120, "coffee", {"w-1", 2}},
    domain::AccountOpened{"B", "Bob", "USD", 0, {"", 0}},
    domain::MoneyTransferred{"A", "B", 80, "rent", {"t-1", 3}},
};

std::vector<domain::Event> replayed(store::LogReader& reader, std::optional<int64_t> known_at,
                                    std::vector<uint64_t>* seqs = nullptr) {
  std::vector<domain::Event> events;
  REQUIRE(app::replay_events(reader, known_at, [&](const app::EventRef& e) {
    events.push_back(domain::to_event(e.event));
    if (seqs) seqs->push_back(e.seq);
  }));
  return events;
}

}  // namespace

TEST_SUITE("replay") {
  TEST_CASE("replay hands every event in log order, as the owned path does") {
    TempDir dir;
    write_events(dir.path(), kEvents);
    auto reader = store::LogReader::open(dir.path());
    REQUIRE(reader);
    std::vector<uint64_t> seqs;
    CHECK(replayed(*reader, std::nullopt, &seqs) == kEvents);
    CHECK(seqs == std::vector<uint64_t>{1, 2, 3, 4, 5});
    std::vector<domain::Event> owned;
    REQUIRE(app::for_each_event(dir.path(), std::nullopt, [&](const domain::StoredEvent& e) {
      owned.push_back(e.event);
      return Status::ok();
    }));
    CHECK(owned == kEvents);
  }

  TEST_CASE("replay starts at a given log position: the tail after it") {
    TempDir dir;
    write_events(dir.path(), kEvents);
    auto first = store::LogReader::open(dir.path());
    REQUIRE(first);
    REQUIRE(*first->next());
    REQUIRE(*first->next());
    const store::LogPosition after_two = first->position();
    store::LogReader tail(store::real_syscalls(), first->segments(), after_two);
    std::vector<uint64_t> seqs;
    CHECK(replayed(tail, std::nullopt, &seqs) ==
          std::vector<domain::Event>(kEvents.begin() + 2, kEvents.end()));
    CHECK(seqs == std::vector<uint64_t>{3, 4, 5});
  }

  TEST_CASE("replay stops before the first frame recorded after known_at") {
    TempDir dir;
    write_events(dir.path(), kEvents);
    std::vector<int64_t> recorded;
    REQUIRE(app::replay_events(dir.path(), std::nullopt,
                               [&](const app::EventRef& e) { recorded.push_back(e.recorded_ns); }));
    REQUIRE(recorded.size() == kEvents.size());
    auto reader = store::LogReader::open(dir.path());
    REQUIRE(reader);
    CHECK(replayed(*reader, recorded[2]).size() == 3);
  }

  TEST_CASE("a failing visitor stops the replay with its status") {
    TempDir dir;
    write_events(dir.path(), kEvents);
    int visits = 0;
    const Status s = app::replay_events(dir.path(), std::nullopt, [&](const app::EventRef&) {
      return ++visits == 2 ? Status(ErrorCode::kRefused, "enough") : Status::ok();
    });
    CHECK(s.code() == ErrorCode::kRefused);
    CHECK(visits == 2);
  }

  TEST_CASE("a skipped frame is not decoded or visited") {
    TempDir dir;
    write_events(dir.path(), kEvents);
    std::vector<uint64_t> seqs;
    REQUIRE(app::replay_events(
        dir.path(), std::nullopt, [&](const app::EventRef& e) { seqs.push_back(e.seq); },
        [](const app::FrameSummary& f) { return f.seq_first % 2 == 0; }));
    CHECK(seqs == std::vector<uint64_t>{1, 3, 5});
  }

  TEST_CASE("an undecodable payload fails the replay and names its sequence number") {
    TempDir dir;
    {
      auto writer = open_writer(dir.path());
      REQUIRE(writer->begin());
      const std::string junk = "not cereal";
      REQUIRE(writer->add({2, 1, writer->commit_recorded_ns(), bytes_of(junk)}));
      REQUIRE(writer->commit());
    }
    const Status s = app::replay_events(dir.path(), std::nullopt, [](const app::EventRef&) {});
    CHECK(s.code() == ErrorCode::kCorruption);
    CHECK_MESSAGE(s.message().starts_with("event 1: "), s.message());
  }
}
