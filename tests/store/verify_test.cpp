// The store's checks of `ledger verify`: each kind of damage is planted in a healthy log, and
// the report must name it (what, where, which sequence numbers), go on past it, and change no
// byte of the directory.
#include "store/verify.h"

#include <doctest/doctest.h>

#include "log_fixture.h"
#include "store/archive.h"
#include "store/time_index.h"

using namespace ledger;
using namespace ledger::store;
using namespace ledger::store::testing;

namespace {

// 300 one-event commits in segments of about 4 KiB (each holds some 40 frames), each payload
// naming an "account".
void write_log(const fs::path& dir) {
  auto writer = open_writer(dir, test_options(4096));
  for (int i = 0; i < 300; ++i) {
    const std::string payload = fmt::format("acct-{:03}-padding-padding", i);
    const Record r = record_of(payload);
    REQUIRE(writer->append(std::span(&r, 1)));
  }
}

// The describer names the payload's first eight bytes, as the domain names accounts.
VerifyHooks test_hooks() {
  VerifyHooks hooks;
  hooks.describe = [](const Record& r) {
    return std::vector<std::string>{std::string(reinterpret_cast<const char*>(r.payload.data()),
                                                std::min<size_t>(8, r.payload.size()))};
  };
  return hooks;
}

VerifyReport verify(const fs::path& dir, VerifyHooks hooks = test_hooks()) {
  VerifyReport report;
  auto segments = list_segments(dir);
  REQUIRE(segments);
  REQUIRE(verify_log(real_syscalls(), *segments, hooks, report));
  REQUIRE(verify_indexes(real_syscalls(), *segments, report));
  return report;
}

std::string all_problems(const VerifyReport& report) {
  std::string text;
  for (const VerifyProblem& p : report.problems()) {
    text += fmt::format("[{}] {} @{} seq {}..{}: {}\n", p.check, p.file.filename().string(),
                        p.offset.value_or(0), p.seq_first, p.seq_last, p.what);
  }
  return text;
}

bool mentions(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

// Frames of segment `index`, as the healthy log had them.
std::vector<FrameSpan> frames_of(const fs::path& dir, size_t index) {
  const fs::path segment = segment_paths(dir)[index];
  std::vector<FrameSpan> spans;
  for (const FrameSpan& f : frame_spans(dir)) {
    if (f.segment == segment) spans.push_back(f);
  }
  return spans;
}

}  // namespace

TEST_SUITE("verify") {
  TEST_CASE("a healthy log verifies with every frame, event, segment and index counted") {
    TempDir dir;
    write_log(dir.path());
    const auto before = snapshot_dir(dir.path());
    const VerifyReport report = verify(dir.path());
    CHECK_MESSAGE(report.ok(), all_problems(report));
    const size_t segments = segment_paths(dir.path()).size();
    REQUIRE(segments > 3);
    CHECK(report.counts.segments == segments);
    CHECK(report.counts.frames == 300);
    CHECK(report.counts.events == 300);
    CHECK(report.counts.seq_first == 1);
    CHECK(report.counts.seq_last == 300);
    CHECK(report.counts.indexes_checked == segments - 1);
    CHECK(report.counts.indexes_current == segments - 1);
    CHECK(report.notes().empty());
    CHECK(snapshot_dir(dir.path()) == before);
  }

  TEST_CASE("a bit flip in a sealed segment is named with its sequence and verify goes on") {
    TempDir dir;
    write_log(dir.path());
    const auto frames = frames_of(dir.path(), 1);
    const FrameSpan& bad = frames[3];
    flip_bit(bad.segment, (bad.offset + 90) * 8);  // Inside the first record's payload.
    const auto before = snapshot_dir(dir.path());
    const VerifyReport report = verify(dir.path());
    const std::string text = all_problems(report);
    CAPTURE(text);
    REQUIRE(report.problems_total() == 1);
    const VerifyProblem& p = report.problems()[0];
    CHECK(p.check == "frame");
    CHECK(p.file == bad.segment);
    CHECK(p.offset == bad.offset);
    CHECK(p.seq_first == p.seq_last);  // One event lost: the next frame resumes the chain.
    CHECK(mentions(p.what, "checksum mismatch"));
    CHECK(p.effective_min_ns.has_value());
    CHECK(p.subjects_unverified);
    REQUIRE(p.subjects.size() == 1);
    CHECK(p.subjects[0].starts_with("acct"));
    CHECK(report.counts.events == 299);  // Every other frame was still read and checked.
    CHECK(snapshot_dir(dir.path()) == before);
  }

  TEST_CASE("a truncated middle segment names the sequence numbers that are gone") {
    TempDir dir;
    write_log(dir.path());
    const auto segments = segment_paths(dir.path());
    const auto frames = frames_of(dir.path(), 1);
    const FrameSpan& last = frames.back();
    shrink_to(segments[1], last.offset + 10);
    const VerifyReport report = verify(dir.path());
    const std::string text = all_problems(report);
    CAPTURE(text);
    REQUIRE(report.problems_total() >= 1);
    const VerifyProblem& p = report.problems()[0];
    CHECK(p.check == "frame");
    CHECK(p.file == segments[1]);
    CHECK(p.offset == last.offset);
    const uint64_t next_base = *parse_segment_file_name(segments[2].filename().string());
    CHECK(p.seq_last == next_base - 1);
    CHECK(mentions(p.what, "its event is unreadable"));
    // The index of the cut segment no longer matches, but that is the damage already named.
    CHECK_FALSE(report.found("index"));
    CHECK(report.counts.events == 299);
  }

  TEST_CASE("a segment cut at a frame boundary shows as sequence numbers absent") {
    TempDir dir;
    write_log(dir.path());
    const auto segments = segment_paths(dir.path());
    const auto frames = frames_of(dir.path(), 1);
    shrink_to(segments[1], frames.back().offset);
    const VerifyReport report = verify(dir.path());
    const std::string text = all_problems(report);
    CAPTURE(text);
    REQUIRE(report.found("sequence"));
    CHECK(mentions(text, "absent"));
  }

  TEST_CASE("a missing segment file is named with the sequence numbers it held") {
    TempDir dir;
    write_log(dir.path());
    const auto segments = segment_paths(dir.path());
    const uint64_t base = *parse_segment_file_name(segments[2].filename().string());
    const uint64_t next = *parse_segment_file_name(segments[3].filename().string());
    fs::remove(segments[2]);
    const VerifyReport report = verify(dir.path());
    const std::string text = all_problems(report);
    CAPTURE(text);
    REQUIRE(report.problems_total() == 1);
    const VerifyProblem& p = report.problems()[0];
    CHECK(p.check == "sequence");
    CHECK(p.seq_first == base);
    CHECK(p.seq_last == next - 1);
    CHECK(mentions(p.what, fmt::format("segment {} missing: sequence {}..{} absent",
                                       segments[2].filename().string(), base, next - 1)));
  }

  TEST_CASE("a missing first segment is named too") {
    TempDir dir;
    write_log(dir.path());
    const auto segments = segment_paths(dir.path());
    fs::remove(segments[0]);
    const VerifyReport report = verify(dir.path());
    CAPTURE(all_problems(report));
    REQUIRE(report.problems_total() == 1);
    CHECK(report.problems()[0].seq_first == 1);
    CHECK(mentions(report.problems()[0].what, "00000000000000000001.seg missing"));
  }

  TEST_CASE("a segment header that names another chain is a broken chain") {
    TempDir dir;
    write_log(dir.path());
    const auto segments = segment_paths(dir.path());
    std::string bytes = read_bytes(segments[2]);
    auto header = decode_segment_header(bytes_of(bytes));
    REQUIRE(header);
    header->prev_checksum ^= 1;
    encode_segment_header(*header, reinterpret_cast<unsigned char*>(bytes.data()));
    write_bytes(segments[2], bytes);
    const VerifyReport report = verify(dir.path());
    CAPTURE(all_problems(report));
    REQUIRE(report.problems_total() == 1);
    CHECK(report.problems()[0].check == "chain");
    CHECK(report.problems()[0].file == segments[2]);
  }

  TEST_CASE("a frame dropped from a sealed segment is a sequence gap") {
    TempDir dir;
    write_log(dir.path());
    const auto frames = frames_of(dir.path(), 1);
    const FrameSpan& gone = frames[5];
    std::string bytes = read_bytes(gone.segment);
    bytes.erase(gone.offset, gone.length);
    write_bytes(gone.segment, bytes);
    const VerifyReport report = verify(dir.path());
    const std::string text = all_problems(report);
    CAPTURE(text);
    REQUIRE(report.found("sequence"));
    CHECK(mentions(text, "sequence gap"));
    CHECK(report.counts.events == 299);
  }

  TEST_CASE("a recorded time that goes backwards is named, its frame still counted") {
    TempDir dir;
    write_log(dir.path());
    const FrameSpan last = frame_spans(dir.path()).back();
    std::string bytes = read_bytes(last.segment);
    auto* frame = reinterpret_cast<unsigned char*>(bytes.data() + last.offset);
    auto header = decode_frame_header(ByteView(frame, last.length));
    REQUIRE(header);
    header->recorded_ns -= 3'600'000'000'000;  // An hour before the frame it follows.
    seal_frame(*header, frame);
    write_bytes(last.segment, bytes);
    const VerifyReport report = verify(dir.path());
    CAPTURE(all_problems(report));
    REQUIRE(report.problems_total() == 1);
    CHECK(report.problems()[0].check == "time");
    CHECK(report.problems()[0].seq_first == 300);
    CHECK(report.problems()[0].subjects == std::vector<std::string>{"acct-299"});
    CHECK(report.counts.events == 300);
  }

  TEST_CASE("a damaged segment header is named and the frames after it still verify") {
    TempDir dir;
    write_log(dir.path());
    const auto segments = segment_paths(dir.path());
    flip_bit(segments[1], 30 * 8);
    const VerifyReport report = verify(dir.path());
    CAPTURE(all_problems(report));
    REQUIRE(report.found("segment"));
    CHECK(report.counts.events == 300);
  }

  TEST_CASE("a stale index is named as derived data that can be rebuilt") {
    TempDir dir;
    write_log(dir.path());
    const auto segments = segment_paths(dir.path());
    const fs::path idx = index_path({1, segments[0]});
    REQUIRE(fs::exists(idx));
    append_raw(idx, "x");  // A wrong size.
    const fs::path idx2 =
        index_path({*parse_segment_file_name(segments[1].filename().string()), segments[1]});
    auto stored = decode_segment_index(bytes_of(read_bytes(idx2)));
    REQUIRE(stored);
    stored->frames += 1;  // Wrong content, well formed.
    const Bytes encoded = encode_segment_index(*stored);
    write_bytes(idx2, std::string(encoded.begin(), encoded.end()));
    const auto before = snapshot_dir(dir.path());
    const VerifyReport report = verify(dir.path());
    const std::string text = all_problems(report);
    CAPTURE(text);
    REQUIRE(report.problems_total() == 2);
    for (const VerifyProblem& p : report.problems()) {
      CHECK(p.check == "index");
      CHECK(mentions(p.what, "derived data and can be rebuilt"));
    }
    CHECK(report.problems()[0].file == idx);
    CHECK(report.problems()[1].file == idx2);
    CHECK(mentions(report.problems()[1].what, "stale time index"));
    CHECK(report.counts.indexes_current == segments.size() - 3);
    CHECK(snapshot_dir(dir.path()) == before);
  }

  TEST_CASE("a missing index is not a problem") {
    TempDir dir;
    write_log(dir.path());
    const auto segments = segment_paths(dir.path());
    fs::remove(index_path({1, segments[0]}));
    const VerifyReport report = verify(dir.path());
    CHECK(report.ok());
    CHECK(report.counts.indexes_missing == 1);
    CHECK_FALSE(fs::exists(index_path({1, segments[0]})));
  }

  TEST_CASE("a torn tail in the newest segment is a note, not a problem") {
    TempDir dir;
    write_log(dir.path());
    append_raw(segment_paths(dir.path()).back(), std::string(100, '\x07'));
    const VerifyReport report = verify(dir.path());
    CHECK_MESSAGE(report.ok(), all_problems(report));
    REQUIRE(report.notes().size() == 1);
    CHECK(mentions(report.notes()[0], "unfinished write"));
    CHECK(report.counts.events == 300);
  }

  TEST_CASE("every valid frame reaches the frame hook, in order") {
    TempDir dir;
    write_log(dir.path());
    VerifyHooks hooks = test_hooks();
    uint64_t next = 1, progress_calls = 0, done_last = 0, total_seen = 0;
    hooks.frame = [&](const FrameRef& f, const fs::path&, VerifyReport&) {
      CHECK(f.header.seq_first == next);
      CHECK(f.bytes.size() == f.header.length);
      next = f.header.seq_last() + 1;
    };
    hooks.progress = [&](uint64_t done, uint64_t total) {
      ++progress_calls;
      CHECK(done >= done_last);
      done_last = done;
      total_seen = total;
    };
    CHECK(verify(dir.path(), hooks).ok());
    CHECK(next == 301);
    CHECK(progress_calls == 300);
    CHECK(done_last == total_seen);
  }

  TEST_CASE("archived segments verify like live ones") {
    TempDir dir;
    write_log(dir.path());
    REQUIRE(
        open_writer(dir.path(), test_options(4096))->archive_segments(100, ArchiveMode::kArchive));
    auto segments = list_segments(dir.path());
    REQUIRE(segments);
    REQUIRE(segments->front().archived);
    const VerifyReport report = verify(dir.path());
    CHECK_MESSAGE(report.ok(), all_problems(report));
    CHECK(report.counts.events == 300);
  }

  TEST_CASE("a bit flip in an archive file is a problem naming it, and verify goes on") {
    TempDir dir;
    write_log(dir.path());
    REQUIRE(
        open_writer(dir.path(), test_options(4096))->archive_segments(100, ArchiveMode::kArchive));
    auto segments = list_segments(dir.path());
    REQUIRE(segments);
    const SegmentFile archived = (*segments)[1];
    REQUIRE(archived.archived);
    flip_bit(archived.path, fs::file_size(archived.path) * 4 + 2);  // Halfway in.
    const auto before = snapshot_dir(dir.path());
    const VerifyReport report = verify(dir.path());
    CHECK(snapshot_dir(dir.path()) == before);
    REQUIRE(!report.ok());
    const VerifyProblem& p = report.problems().front();
    CHECK(p.file == archived.path);
    CHECK(p.check == "frame");
    CHECK(mentions(p.what, "corrupt archive archive/" + archived.path.filename().string()));
    // The segments after it still verify: their events are counted.
    CHECK(report.counts.seq_last == 300);
  }

  TEST_CASE("log_stats counts from indexes and the newest segment") {
    TempDir dir;
    write_log(dir.path());
    const fs::path second = segment_paths(dir.path())[1];
    // Built in memory, not written.
    REQUIRE(fs::remove(index_path({*parse_segment_file_name(second.filename().string()), second})));
    const auto before = snapshot_dir(dir.path());
    auto stats = log_stats(real_syscalls(), *list_segments(dir.path()));
    REQUIRE(stats);
    CHECK(stats->segments == segment_paths(dir.path()).size());
    CHECK(stats->frames == 300);
    CHECK(stats->events == 300);
    CHECK(stats->seq_first == 1);
    CHECK(stats->seq_last == 300);
    CHECK(stats->recorded_first_ns < stats->recorded_last_ns);
    uint64_t bytes = 0;
    for (const auto& p : segment_paths(dir.path())) bytes += fs::file_size(p);
    CHECK(stats->segment_bytes == bytes);
    CHECK(snapshot_dir(dir.path()) == before);
  }

  // Found by ledger_torture's I/O-error mode: an import that failed after rolling segments
  // left sealed segments full of its frames, and stats counted them as events.
  TEST_CASE("log_stats leaves out a commit that has not ended, even one that rolled segments") {
    TempDir dir, crashed;
    write_log(dir.path());
    const size_t segments_before = segment_paths(dir.path()).size();
    {
      auto writer = open_writer(dir.path(), test_options(4096));
      REQUIRE(writer->begin());
      for (int i = 0; i < 200; ++i) {
        if (i > 0 && i % 20 == 0) writer->end_frame();
        const std::string payload = fmt::format("open-{:03}-padding-padding-padding", i);
        REQUIRE(writer->add(record_of(payload)));
      }
      // The files as a crash now would leave them: nine frames written, no commit end.
      fs::copy(dir.path(), crashed.path() / "log", fs::copy_options::recursive);
    }
    REQUIRE(segment_paths(crashed.path() / "log").size() >= segments_before + 2);
    auto stats = log_stats(real_syscalls(), *list_segments(crashed.path() / "log"));
    REQUIRE(stats);
    CHECK(stats->events == 300);
    CHECK(stats->frames == 300);
    CHECK(stats->seq_last == 300);
  }

  TEST_CASE("log_stats of an empty log is all zero") {
    TempDir dir;
    auto stats = log_stats(real_syscalls(), *list_segments(dir.path() / "none"));
    REQUIRE(stats);
    CHECK(stats->events == 0);
    CHECK(stats->segments == 0);
    CHECK_FALSE(stats->recorded_first_ns.has_value());
  }
}
