// `ledger verify` and `ledger stats` through the real binary. Each kind of damage is planted in
// a healthy ledger of several segments; verify must name it on stderr, exit 1, and leave every
// byte of the data directory as it was.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "app/account_index.h"
#include "domain/event_codec.h"
#include "domain/state_codec.h"
#include "e2e/e2e_support.h"
#include "ledger/ledger.h"
#include "store/archive.h"
#include "store/format.h"
#include "store/log_writer.h"
#include "store/snapshot_file.h"
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
                               "intact; {} indexes current; 4 accounts replayed; 0 of 0 "
                               "snapshots compared with the replay; {} account indexes checked\n",
                               segments.size(), segments.size() - 1, segments.size() - 1));
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
      CHECK(contains(r.err, fmt::format("ledger: verify: index/{} (sequence ", name(idx))));
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
                   "(sequence 3): event 3 breaks a rule: insufficient funds in \"ACC-001\": on "));
    CHECK(contains(r.err, "it would be at -40.00 USD (overdraft limit 0.00 USD); accounts ACC-001; "
                          "effective "));
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
    INFO(csv.out);
    // The problem, and a note: the account index of the segment before the gap could not be
    // compared, since that segment no longer links on.
    REQUIRE(lines.size() == 4);
    CHECK(lines[3].starts_with("note,,"));
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
    const RunResult r = ledger.run("verify");
    CHECK(r.exit_code == 66);
    CHECK(r.out.empty());
    CHECK(r.err == "ledger: error: no ledger at " + ledger.dir().string() +
                       "; `ledger open` creates one\n");
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
                      "\"archive_segments\":0,\"archive_bytes\":0,"
                      "\"archive_bytes_uncompressed\":0,\"purged_before\":null,\"snapshots\":0,"
                      "\"snapshot_bytes\":0,\"snapshot_seq_oldest\":null,"
                      "\"snapshot_seq_newest\":null,\"ref_index_runs\":0,"
                      "\"ref_index_entries\":0,\"ref_index_covered_through\":null,"
                      "\"account_indexes\":0,\"account_index_bytes\":0,"
                      "\"accounts_open\":2,\"accounts_closed\":1,\"seq_first\":1,\"seq_last\":7,"
                      "\"recorded_first\":\"{}\",\"recorded_last\":\"{}\",\"time_zone\":\"UTC\"}}\n]\n",
                      bytes, first, last));
    CHECK(ledger.files() == before);
  }

  TEST_CASE("stats of a small ledger as a table") {
    TestLedger ledger;
    set_up(ledger);
    const auto lines = lines_of(ledger.ok("stats --format table").out);
    REQUIRE(lines.size() == 25);
    CHECK(lines[0] == "stat                        value");
    CHECK(lines[1] == "events                      7");
    CHECK(lines[3] == "segments                    1");
    CHECK(lines[5] == "archive_segments            0");
    CHECK(lines[8] == "purged_before");
    CHECK(lines[9] == "snapshots                   0");
    CHECK(lines[13] == "ref_index_runs              0");
    CHECK(lines[16] == "account_indexes             0");
    CHECK(lines[18] == "accounts_open               2");
    CHECK(lines[19] == "accounts_closed             1");
    CHECK(lines[20] == "seq_first                   1");
    CHECK(lines[21] == "seq_last                    7");
    CHECK(lines[22].starts_with("recorded_first              20"));
    CHECK(lines[22].ends_with(" UTC"));
    CHECK(lines[24] == "time_zone                   UTC");
  }

  TEST_CASE("stats of a ledger of several segments counts them all") {
    TestLedger ledger;
    write_ledger(ledger);
    const auto segments = segments_of(ledger);
    uint64_t bytes = 0;
    for (const fs::path& s : segments) bytes += fs::file_size(s);
    // Writes index each segment they seal: every sealed segment has its account indexes.
    uint64_t index_bytes = 0;
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
      const fs::path derived = ledger.dir() / "index" / fs::path(segments[i]).filename();
      index_bytes += fs::file_size(fs::path(derived).replace_extension(".acx")) +
                     fs::file_size(fs::path(derived).replace_extension(".eff"));
    }
    const auto lines = lines_of(ledger.ok("stats --format csv").out);
    REQUIRE(lines.size() == 2);
    INFO(lines[1]);
    // The first write into a missing directory reads the clock twice (the command is checked
    // against the empty ledger before the directory is made), so the first commit is at 02:00.
    CHECK(lines[1].starts_with(fmt::format("124,124,{},{},0,0,0,,0,0,,,0,0,,{},{},4,0,1,124,"
                                           "2026-01-01T02:00:00Z,",
                                           segments.size(), bytes, segments.size() - 1,
                                           index_bytes)));
  }

  TEST_CASE("stats where no ledger is yet says so: exit 66, no table of zeros") {
    TestLedger ledger;
    const RunResult r = ledger.run("stats --format csv");
    CHECK(r.exit_code == 66);
    CHECK(r.out.empty());
    CHECK(r.err == "ledger: error: no ledger at " + ledger.dir().string() +
                       "; `ledger open` creates one\n");
  }
}

namespace {

// A ledger like write_ledger's, with every derived file: a snapshot every 30 events, the ref
// index (every deposit has a ref), and the account index of every sealed segment (a statement
// builds them). `start_ns` sets the recorded times, so two ledgers differ in every checksum.
void write_derived_ledger(const TestLedger& ledger, int64_t start_ns = kStart,
                          const std::string& ref_prefix = "dep-") {
  ledger::LedgerOptions options;
  options.dir = ledger.dir();
  options.segment_size_bytes_max = 2048;
  options.snapshot_every_events = 30;
  auto now = std::make_shared<int64_t>(start_ns);
  options.clock_ns = [now] { return *now += 3600 * kSecond; };
  ledger::Ledger books(options);
  for (int a = 0; a < 4; ++a) {
    REQUIRE(books.execute(
        ledger::OpenAccount{"ACC-" + std::to_string(a), "Owner", "USD", "0", std::nullopt, ""}));
  }
  for (int i = 0; i < kDeposits; ++i) {
    REQUIRE(books.execute(ledger::Deposit{"ACC-" + std::to_string(i % 4), "10",
                                          "memo " + std::to_string(i), std::nullopt,
                                          ref_prefix + std::to_string(i)}));
  }
  REQUIRE(books.snapshot());
  REQUIRE(books.statement("ACC-1", std::nullopt, std::nullopt, std::nullopt));
}

// Moves (or purges) the sealed segments wholly before `before_seq`, as compaction does.
ledger::store::ArchiveReport archive_before(const TestLedger& ledger, uint64_t before_seq,
                                            ledger::store::ArchiveMode mode) {
  ledger::store::LogOptions options;
  ledger::store::RecoveryReport recovery;
  auto writer = ledger::store::LogWriter::open(ledger.dir(), options, recovery);
  REQUIRE(writer);
  auto report = (*writer)->archive_segments(before_seq, mode);
  REQUIRE(report);
  REQUIRE(report->segments > 0);
  return *report;
}

std::vector<fs::path> files_under(const TestLedger& ledger, const std::string& folder,
                                  const std::string& suffix) {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ledger.dir() / folder, ec)) {
    if (e.path().string().ends_with(suffix)) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::vector<ledger::store::SnapshotFileInfo> snapshots_of(const TestLedger& ledger) {
  auto listing = ledger::store::list_snapshots(ledger::store::real_syscalls(), ledger.dir());
  REQUIRE(listing.problems.empty());
  return listing.snapshots;
}

}  // namespace

TEST_SUITE("e2e verify: snapshots, indexes, archive") {
  TEST_CASE("a healthy ledger with snapshots, refs, account indexes and an archive verifies") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    archive_before(ledger, 40, ledger::store::ArchiveMode::kArchive);
    REQUIRE(!files_under(ledger, "archive", ".zst").empty());
    REQUIRE(snapshots_of(ledger).size() >= 4);
    REQUIRE(!files_under(ledger, "refs", ".run").empty());
    const auto before = ledger.files();
    const RunResult r = ledger.ok("verify");
    INFO(r.out);
    CHECK(contains(r.out, "chain intact"));
    CHECK(contains(r.out, fmt::format("{0} of {0} snapshots compared with the replay",
                                      snapshots_of(ledger).size())));
    CHECK(contains(r.out, "read from the archive"));
    CHECK(contains(r.out, "ref index through"));
    CHECK(!contains(r.out, "; 0 account indexes checked"));
    CHECK(ledger.files() == before);
  }

  TEST_CASE("a purged log verifies from the snapshot at the purge point") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    const auto snaps = snapshots_of(ledger);
    const auto report =
        archive_before(ledger, snaps[1].meta.seq_last + 1, ledger::store::ArchiveMode::kPurge);
    const auto before = ledger.files();
    const RunResult r = ledger.ok("verify");
    INFO(r.out << r.err);
    CHECK(contains(r.out, fmt::format("history before {} purged", report.first_seq)));
    // The snapshot before the purge point cannot be checked any more: a note, not a problem.
    CHECK(contains(r.err, fmt::format("note: snapshot {} covers only history that was purged",
                                      name(snaps[0].path))));
    CHECK(contains(r.out, "ref index through 124 checked"));
    CHECK(ledger.files() == before);
    const auto stats = lines_of(ledger.ok("stats --format csv").out);
    REQUIRE(stats.size() == 2);
    CHECK(csv_fields(stats[1])[7] == std::to_string(report.first_seq));
  }

  TEST_CASE("a purged log without a snapshot at the purge point fails") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    const auto snaps = snapshots_of(ledger);
    archive_before(ledger, snaps[1].meta.seq_last + 1, ledger::store::ArchiveMode::kPurge);
    for (const auto& s : snapshots_of(ledger)) fs::remove(s.path);
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, "no usable snapshot at or after that point"));
  }

  TEST_CASE("a bit flip in a snapshot's payload is named as derived data") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    const auto snap = snapshots_of(ledger)[1];
    // Past the header and the one block's checksum: in the payload.
    REQUIRE(snap.size_bytes < ledger::store::kSnapshotHeaderSize + 8 + 4096);
    ledger::store::testing::flip_bit(snap.path, (ledger::store::kSnapshotHeaderSize + 8 + 10) * 8);
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, fmt::format("snapshots/{}", name(snap.path))));
    CHECK(contains(r.err, "is damaged"));
    CHECK(contains(r.err, "it is derived data: delete it and `ledger snapshot` takes a new one"));
    CHECK(contains(r.err, "chain intact"));
  }

  TEST_CASE("a snapshot from another ledger under the same name matches nothing") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    TestLedger other;
    write_derived_ledger(other, kStart + kSecond);
    const auto ours = snapshots_of(ledger)[0];
    const auto theirs = snapshots_of(other)[0];
    REQUIRE(name(ours.path) == name(theirs.path));
    fs::copy_file(theirs.path, ours.path, fs::copy_options::overwrite_existing);
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, fmt::format("snapshot {} matches nothing in the log", name(ours.path))));
  }

  TEST_CASE("a snapshot with a wrong balance but valid checksums fails the replay compare") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    const auto snap = snapshots_of(ledger)[1];
    auto payload = ledger::store::read_snapshot_payload(ledger::store::real_syscalls(), snap);
    REQUIRE(payload);
    auto state = ledger::domain::decode_state(*payload, false);
    REQUIRE(state);
    std::vector<ledger::domain::Account> accounts = state->accounts();
    REQUIRE(accounts.size() == 4);
    const int64_t right = accounts[2].balance;
    accounts[2].balance += 300;
    ledger::domain::LedgerState wrong(false);
    wrong.restore(accounts, state->last_seq());
    const std::string encoded = ledger::domain::encode_state(wrong);
    fs::remove(snap.path);
    REQUIRE(ledger::store::write_snapshot(
        ledger::store::real_syscalls(), ledger.dir(), snap.meta,
        {reinterpret_cast<const unsigned char*>(encoded.data()), encoded.size()}));
    const RunResult r = failed_verify(ledger);
    CHECK(contains(
        r.err, fmt::format("snapshot {} does not match a replay of the log: account ACC-2 balance "
                           "{}.00 {} in the snapshot, {}.00 {} by replay; it is derived data",
                           name(snap.path), (right + 300) / 100, accounts[2].currency.code,
                           right / 100, accounts[2].currency.code)));
  }

  TEST_CASE("a flipped byte in a run of the ref index is named as derived data") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    const auto runs = files_under(ledger, "refs", ".run");
    REQUIRE(!runs.empty());
    ledger::store::testing::flip_bit(runs[0], (ledger::store::kRunHeaderSize + 40) * 8 + 3);
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, "ref index is damaged"));
    CHECK(contains(r.err, "the ref index is derived data"));
  }

  TEST_CASE("a ref index with other refs than the log's is named, with valid checksums") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    // The runs of a ledger whose refs differ: same names and ranges, sound files.
    TestLedger other;
    write_derived_ledger(other, kStart, "other-");
    fs::remove_all(ledger.dir() / "refs");
    fs::copy(other.dir() / "refs", ledger.dir() / "refs");
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, "does not match the log: "));
    CHECK(contains(r.err, "that the log does not have"));
    CHECK(contains(r.err, "the ref index is derived data"));
  }

  TEST_CASE("the account index of another segment is named as derived data") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    const auto acx = files_under(ledger, "index", ".acx");
    REQUIRE(acx.size() >= 2);
    fs::copy_file(acx[0], acx[1], fs::copy_options::overwrite_existing);
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err,
                   fmt::format("account index {}: does not describe its segment", name(acx[1]))));
    CHECK(contains(r.err, "an account index is derived data"));
  }

  TEST_CASE("a bit flip in an archived segment names the archive file") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    archive_before(ledger, 40, ledger::store::ArchiveMode::kArchive);
    const auto archives = files_under(ledger, "archive", ".zst");
    REQUIRE(!archives.empty());
    const uint64_t size = fs::file_size(archives[0]);
    ledger::store::testing::flip_bit(archives[0], (size / 2) * 8 + 1);
    const RunResult r = failed_verify(ledger);
    CHECK(contains(r.err, fmt::format("archive/{}", name(archives[0]))));
  }

  TEST_CASE("stats counts snapshots, archive, ref index and account indexes") {
    TestLedger ledger;
    write_derived_ledger(ledger);
    const auto report = archive_before(ledger, 40, ledger::store::ArchiveMode::kArchive);
    const auto snaps = snapshots_of(ledger);
    const auto lines = lines_of(ledger.ok("stats --format csv").out);
    REQUIRE(lines.size() == 2);
    const auto header = csv_fields(lines[0]);
    const auto values = csv_fields(lines[1]);
    REQUIRE(header.size() == values.size());
    std::map<std::string, std::string> stat;
    for (size_t i = 0; i < header.size(); ++i) stat[header[i]] = values[i];
    CHECK(stat["archive_segments"] == std::to_string(report.segments));
    CHECK(stat["archive_bytes_uncompressed"] == std::to_string(report.bytes_in));
    CHECK(stat["archive_bytes"] == std::to_string(report.bytes_out));
    CHECK(stat["snapshots"] == std::to_string(snaps.size()));
    CHECK(stat["snapshot_seq_oldest"] == std::to_string(snaps.front().meta.seq_last));
    CHECK(stat["snapshot_seq_newest"] == "124");
    CHECK(stat["ref_index_covered_through"] != "");
    CHECK(stat["ref_index_entries"] != "0");
    CHECK(stat["account_indexes"] != "0");
    CHECK(stat["purged_before"] == "");
    CHECK(stat["accounts_open"] == "4");
  }
}
