// `ledger verify` and `ledger stats` through the real binary. Each kind of damage is planted in
// a healthy ledger of several segments; verify must name it on stderr, exit 1, and leave every
// byte of the data directory as it was.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "domain/event_codec.h"
#include "e2e/e2e_support.h"
#include "ledger/ledger.h"
#include "store/format.h"
#include "store/time_index.h"

using namespace ledger::e2e;
using ledger::store::testing::FrameSpan;

namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1767225600LL * kSecond;  // 2026-01-01T00:00:00Z
constexpr int kDeposits = 120;

// A ledger of 4 accounts and 120 deposits (124 one-event frames) in segments of about 2 KiB,
// written through the library: the command line has no flag for the segment size.
void write_ledger(const TestLedger& ledger) {
  ledger::LedgerOptions options;
  options.dir = ledger.dir();
  options.segment_size_bytes_max = 2048;
  auto now = std::make_shared<int64_t>(kStart);
  options.clock_ns = [now] { return *now += 3600 * kSecond; };
  ledger::Ledger books(options);
  for (int a = 0; a < 4; ++a) {
    REQUIRE(books.execute(
        ledger::OpenAccount{"ACC-" + std::to_string(a), "Owner", "USD", "0", std::nullopt, ""}));
  }
  for (int i = 0; i < kDeposits; ++i) {
    REQUIRE(books.execute(ledger::Deposit{"ACC-" + std::to_string(i % 4), "10",
                                          "memo " + std::to_string(i), std::nullopt, ""}));
  }
}

std::vector<fs::path> segments_of(const TestLedger& ledger) {
  return ledger::store::testing::segment_paths(ledger.dir());
}

std::vector<FrameSpan> frames_in(const TestLedger& ledger, const fs::path& segment) {
  std::vector<FrameSpan> frames;
  for (const FrameSpan& f : ledger::store::testing::frame_spans(ledger.dir())) {
    if (f.segment == segment) frames.push_back(f);
  }
  return frames;
}

std::string name(const fs::path& path) { return path.filename().string(); }

uint64_t base_of(const fs::path& segment) {
  return *ledger::store::parse_segment_file_name(name(segment));
}

// Runs verify, which must fail with exit 1, print nothing on stdout, and change nothing.
RunResult failed_verify(const TestLedger& ledger, const std::string& args = "") {
  const auto before = ledger.files();
  RunResult r = ledger.run("verify " + args);
  INFO("stderr: " << r.err);
  CHECK(r.exit_code == 1);
  CHECK(ledger.files() == before);
  CHECK(contains(r.err, "ledger: verify: FAILED: "));
  return r;
}

// Appends one event to the log as raw bytes, past the rules of decide(): what a buggy writer
// or an edited log would leave.
void append_raw_event(const TestLedger& ledger, uint16_t type, uint16_t version,
                      const std::string& payload) {
  ledger::store::LogOptions options;
  ledger::store::RecoveryReport report;
  auto writer = ledger::store::LogWriter::open(ledger.dir(), options, report);
  REQUIRE(writer);
  const ledger::store::Record record{
      type,
      version,
      (*writer)->last_recorded_ns(),
      {reinterpret_cast<const unsigned char*>(payload.data()), payload.size()}};
  REQUIRE((*writer)->append(std::span(&record, 1)));
}

void append_event(const TestLedger& ledger, const ledger::domain::Event& event) {
  const auto encoded = ledger::domain::encode_event(event);
  append_raw_event(ledger, encoded.type, encoded.version, encoded.payload);
}

}  // namespace

TEST_SUITE("e2e verify") {
  TEST_CASE("a healthy ledger verifies: exit 0 and what was checked") {
    TestLedger ledger;
    write_ledger(ledger);
    const auto segments = segments_of(ledger);
    REQUIRE(segments.size() >= 4);
    const auto before = ledger.files();
    const RunResult r = ledger.ok("verify");
    CHECK(r.out == fmt::format("verified 124 events in 124 frames across {} segments; chain "
                               "intact; {} indexes current; 4 accounts replayed\n",
                               segments.size(), segments.size() - 1));
    CHECK(r.err.empty());  // Not a terminal: no progress bar.
    CHECK(ledger.files() == before);
    CHECK(ledger.ok("-q verify").out.empty());
  }

  TEST_CASE("a bit flip in a sealed segment is named with its place, accounts and dates") {
    TestLedger ledger;
    write_ledger(ledger);
    const fs::path segment = segments_of(ledger)[1];
    const FrameSpan frame = frames_in(ledger, segment)[2];
    ledger::store::testing::flip_bit(segment, frame.offset * 8);  // In the frame's checksum.
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, fmt::format("ledger: verify: {} offset {} (sequence {}): frame checksum "
                                      "mismatch",
                                      name(segment), frame.offset, base_of(segment) + 2)));
    // Event base+2 is a deposit to one account; its records still decode.
    CHECK(contains(r.err, "; accounts ACC-"));
    CHECK(contains(r.err, "(read from damaged records, unverified)"));
    CHECK(contains(r.err, "; effective 2026-01-"));
    CHECK(contains(r.err, "chain BROKEN"));
    CHECK(contains(r.err, "(1 not compared: its segment is damaged)"));
  }

  TEST_CASE("a truncated middle segment is named with the events it lost") {
    TestLedger ledger;
    write_ledger(ledger);
    const auto segments = segments_of(ledger);
    const FrameSpan last = frames_in(ledger, segments[1]).back();
    fs::resize_file(segments[1], last.offset + 20);
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err,
                   fmt::format("ledger: verify: {} offset {}", name(segments[1]), last.offset)));
    CHECK(contains(r.err, fmt::format("(sequence {}): truncated frame header; its event is "
                                      "unreadable",
                                      base_of(segments[2]) - 1)));
  }

  TEST_CASE("a missing segment file is named with the sequence numbers it held") {
    TestLedger ledger;
    write_ledger(ledger);
    const auto segments = segments_of(ledger);
    fs::remove(segments[2]);
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err,
                   fmt::format("ledger: verify: segment {} missing: sequence {}..{} absent",
                               name(segments[2]), base_of(segments[2]), base_of(segments[3]) - 1)));
  }

  TEST_CASE("a stale index is named as derived data, and verify does not rebuild it") {
    TestLedger ledger;
    write_ledger(ledger);
    const auto segments = segments_of(ledger);
    const fs::path wrong_size = ledger::store::index_path({base_of(segments[0]), segments[0]});
    const fs::path wrong_bytes = ledger::store::index_path({base_of(segments[1]), segments[1]});
    REQUIRE(fs::exists(wrong_size));
    REQUIRE(fs::exists(wrong_bytes));
    write_file(wrong_size, read_file(wrong_size) + "tail");
    std::string bytes = read_file(wrong_bytes);
    bytes[20] = static_cast<char>(bytes[20] ^ 0x10);
    write_file(wrong_bytes, bytes);
    const RunResult r = failed_verify(ledger);
    for (const fs::path& idx : {wrong_size, wrong_bytes}) {
      CHECK(contains(r.err, fmt::format("ledger: verify: {}", name(idx))));
      CHECK(contains(r.err, fmt::format("ledger: verify: {} (sequence ", name(idx))));
      CHECK(contains(r.err, ": wrong time index: it does not decode"));
    }
    CHECK(
        contains(r.err, "derived data and can be rebuilt from its segment: no event is affected"));
    CHECK(contains(r.err, "chain intact"));
  }

  TEST_CASE("an event that breaks a rule fails the replay, naming it and its accounts") {
    TestLedger ledger;
    ledger.ok("open ACC-001 --date 2026-01-01");
    ledger.ok("deposit ACC-001 10");
    append_event(ledger, ledger::domain::MoneyWithdrawn{"ACC-001", 5000, "too much", {}});
    ledger.ok("deposit ACC-001 1");
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, "ledger: verify: 00000000000000000001.seg offset "));
    CHECK(contains(r.err,
                   "(sequence 3): event 3 breaks a rule: account \"ACC-001\" goes below "
                   "its overdraft limit; accounts ACC-001; effective "));
    CHECK(contains(r.err, "verified 4 events in 4 frames across 1 segment; chain intact"));
  }

  TEST_CASE("a ref used by two events fails the replay") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    ledger.ok("deposit ACC-001 5 --ref dup");
    append_event(ledger, ledger::domain::MoneyDeposited{"ACC-001", 700, "again", {"dup", 1}});
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err,
                   "ledger: verify: sequence 3: event 3 breaks a rule: its ref was already "
                   "used by event 2\n"));
  }

  TEST_CASE("an event that does not decode is named") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    append_raw_event(ledger, 2, 1, "not cereal");
    append_raw_event(ledger, 77, 1, "unknown type");
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, "(sequence 2): event 2 does not decode: "));
    CHECK(contains(r.err, "(sequence 3): event 3 does not decode: "));
  }

  TEST_CASE("problems come as machine-readable rows with --format") {
    TestLedger ledger;
    write_ledger(ledger);
    const auto segments = segments_of(ledger);
    fs::remove(segments[2]);
    const RunResult json = failed_verify(ledger, "--format json");
    CHECK(json.out.starts_with("[\n  {\"type\":\"failed\",\"check\":\"all\""));
    CHECK(contains(json.out,
                   fmt::format("{{\"type\":\"problem\",\"check\":\"sequence\",\"file\":"
                               "\"{}\",\"offset\":null,\"seq_first\":{},\"seq_last\":{}",
                               name(segments[2]), base_of(segments[2]), base_of(segments[3]) - 1)));
    const RunResult csv = failed_verify(ledger, "--format csv");
    const auto lines = lines_of(csv.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] ==
          "type,check,file,offset,seq_first,seq_last,effective_min,effective_max,"
          "accounts,events,frames,segments,message");
    CHECK(lines[2].starts_with("problem,sequence," + name(segments[2]) + ","));
  }

  TEST_CASE("a healthy ledger with --format jsonl is one ok row") {
    TestLedger ledger;
    ledger.ok("open ACC-001");
    const RunResult r = ledger.ok("verify --format jsonl");
    CHECK(
        r.out.starts_with("{\"type\":\"ok\",\"check\":\"all\",\"file\":\"\",\"offset\":null,"
                          "\"seq_first\":1,\"seq_last\":1,"));
    CHECK(lines_of(r.out).size() == 1);
  }

  TEST_CASE("verify of a directory that does not exist says so and creates nothing") {
    TestLedger ledger;
    const RunResult r = ledger.ok("verify");
    CHECK(contains(r.out, "verified 0 events in 0 frames across 0 segments"));
    CHECK(contains(r.err, "there is no ledger in"));
    CHECK_FALSE(fs::exists(ledger.dir()));
  }

  TEST_CASE("verify --help has an example") {
    TestLedger ledger;
    const RunResult r = ledger.ok("verify --help");
    CHECK(contains(r.out, "Example:\n  ledger verify"));
    CHECK(contains(ledger.ok("stats --help").out, "Example:\n  ledger stats"));
  }
}

TEST_SUITE("e2e stats") {
  // 3 opens, a deposit, a transfer, a withdrawal and a close: 7 events; 2 accounts open.
  void set_up(const TestLedger& ledger) {
    ledger.ok("open ACC-001 --date 2026-01-01");
    ledger.ok("open ACC-002 --date 2026-01-01");
    ledger.ok("open OLD-001 --date 2026-01-01");
    ledger.ok("deposit ACC-001 100");
    ledger.ok("transfer ACC-001 ACC-002 40");
    ledger.ok("withdraw ACC-002 40");
    ledger.ok("close OLD-001");
  }

  TEST_CASE("stats of a small ledger as JSON") {
    TestLedger ledger;
    set_up(ledger);
    const auto history = lines_of(ledger.ok("history --format csv").out);
    const std::string first = csv_fields(history[1])[1], last = csv_fields(history[7])[1];
    const uint64_t bytes = fs::file_size(segments_of(ledger)[0]);
    const auto before = ledger.files();
    CHECK(ledger.ok("stats --format json").out ==
          fmt::format("[\n  {{\"events\":7,\"frames\":7,\"segments\":1,\"segment_bytes\":{},"
                      "\"archive_segments\":0,\"archive_bytes\":0,\"snapshots\":0,"
                      "\"accounts_open\":2,\"accounts_closed\":1,\"seq_first\":1,\"seq_last\":7,"
                      "\"recorded_first\":\"{}\",\"recorded_last\":\"{}\"}}\n]\n",
                      bytes, first, last));
    CHECK(ledger.files() == before);
  }

  TEST_CASE("stats of a small ledger as a table") {
    TestLedger ledger;
    set_up(ledger);
    const auto lines = lines_of(ledger.ok("stats --format table").out);
    REQUIRE(lines.size() == 14);
    CHECK(lines[0] == "stat              value");
    CHECK(lines[1] == "events            7");
    CHECK(lines[3] == "segments          1");
    CHECK(lines[5] == "archive_segments  0");
    CHECK(lines[7] == "snapshots         0");
    CHECK(lines[8] == "accounts_open     2");
    CHECK(lines[9] == "accounts_closed   1");
    CHECK(lines[10] == "seq_first         1");
    CHECK(lines[11] == "seq_last          7");
    CHECK(lines[12].starts_with("recorded_first    20"));
    CHECK(lines[12].ends_with(" UTC"));
  }

  TEST_CASE("stats of a ledger of several segments counts them all") {
    TestLedger ledger;
    write_ledger(ledger);
    const auto segments = segments_of(ledger);
    uint64_t bytes = 0;
    for (const fs::path& s : segments) bytes += fs::file_size(s);
    const auto lines = lines_of(ledger.ok("stats --format csv").out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[1].starts_with(fmt::format("124,124,{},{},0,0,0,4,0,1,124,2026-01-01T01:00:00Z,",
                                           segments.size(), bytes)));
  }

  TEST_CASE("stats of an empty ledger is zeros") {
    TestLedger ledger;
    CHECK(ledger.ok("stats --format csv").out ==
          "events,frames,segments,segment_bytes,archive_segments,archive_bytes,snapshots,"
          "accounts_open,accounts_closed,seq_first,seq_last,recorded_first,recorded_last\n"
          "0,0,0,0,0,0,0,0,0,,,,\n");
  }
}
