#include <doctest/doctest.h>

#include "log_fixture.h"
#include "store/snapshot_file.h"

using namespace ledger;
using namespace ledger::store;
using namespace ledger::store::testing;

namespace {

SnapshotMeta some_meta() {
  return {42, 0x1234567890abcdefULL, 1, 64, 640, 1'767'225'601'000'000'000LL,
          1'767'225'600'000'000'000LL, 1'767'225'700'000'000'000LL, 40};
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

void flip_byte(const fs::path& path, size_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x20);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

// Ten one-event commits; the marks of their frames.
std::vector<FrameMark> write_log(const fs::path& dir, uint64_t segment_size = 1u << 20) {
  auto writer = open_writer(dir, test_options(segment_size));
  std::vector<FrameMark> marks;
  for (int i = 0; i < 10; ++i) {
    const std::string payload = fmt::format("event {} {}", i, std::string(200, 'x'));
    const Record r = record_of(payload);
    REQUIRE(writer->append(std::span(&r, 1)));
    marks.push_back(*writer->last_frame());
  }
  return marks;
}

SnapshotMeta meta_of(const FrameMark& m) {
  return {m.seq_last, m.checksum, m.segment_base, m.offset, m.next_offset, m.recorded_ns, 0, 0, 0};
}

}  // namespace

TEST_SUITE("snapshot file") {
  TEST_CASE("header and payload round trip") {
    const std::string payload = "the state";
    const Bytes bytes = encode_snapshot(some_meta(), bytes_of(payload));
    REQUIRE(bytes.size() == kSnapshotHeaderSize + payload.size());
    uint64_t size = 0;
    auto meta = decode_snapshot_header(bytes, &size);
    REQUIRE(meta);
    CHECK(*meta == some_meta());
    CHECK(size == payload.size());
  }

  TEST_CASE("every flipped bit of the header is refused") {
    const Bytes good = encode_snapshot(some_meta(), bytes_of("x"));
    for (size_t byte = 0; byte < kSnapshotHeaderSize; ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        Bytes bad = good;
        bad[byte] ^= static_cast<unsigned char>(1u << bit);
        CHECK_MESSAGE(!decode_snapshot_header(bad), "byte ", byte, " bit ", bit);
      }
    }
  }

  TEST_CASE("a damaged payload is refused on read, a damaged header when listed") {
    TempDir dir;
    const std::string payload(1000, 'p');
    REQUIRE(write_snapshot(real_syscalls(), dir.path(), some_meta(), bytes_of(payload)));
    auto listing = list_snapshots(real_syscalls(), dir.path());
    REQUIRE(listing.snapshots.size() == 1);
    CHECK(listing.problems.empty());
    auto read = read_snapshot_payload(real_syscalls(), listing.snapshots[0]);
    REQUIRE(read);
    CHECK(std::string(read->view().begin(), read->view().end()) == payload);

    const fs::path path = snapshot_path(dir.path(), 42);
    flip_byte(path, kSnapshotHeaderSize + 500);
    auto damaged = read_snapshot_payload(real_syscalls(), listing.snapshots[0]);
    REQUIRE(!damaged);
    CHECK(damaged.status().code() == ErrorCode::kCorruption);
    CHECK(damaged.status().message().find("payload checksum mismatch") != std::string::npos);

    flip_byte(path, 20);
    listing = list_snapshots(real_syscalls(), dir.path());
    CHECK(listing.snapshots.empty());
    REQUIRE(listing.problems.size() == 1);
    CHECK(listing.problems[0].find("00000000000000000042.snap") != std::string::npos);
  }

  TEST_CASE("a truncated snapshot is refused, temp files and other names are ignored") {
    TempDir dir;
    REQUIRE(write_snapshot(real_syscalls(), dir.path(), some_meta(), bytes_of("payload")));
    const fs::path path = snapshot_path(dir.path(), 42);
    fs::resize_file(path, kSnapshotHeaderSize + 3);
    write_file(store::snapshot_dir(dir.path()) / "00000000000000000050.snap.123.tmp", "junk");
    write_file(store::snapshot_dir(dir.path()) / "notes.txt", "junk");
    auto listing = list_snapshots(real_syscalls(), dir.path());
    REQUIRE(listing.snapshots.size() == 1);
    CHECK(listing.problems.empty());
    auto read = read_snapshot_payload(real_syscalls(), listing.snapshots[0]);
    CHECK(!read);
  }

  TEST_CASE("snapshots are listed by number, oldest first, and only by their exact names") {
    TempDir dir;
    std::vector<std::string> problems;
    CHECK(snapshot_seqs(dir.path(), problems).empty());
    CHECK(problems.empty());  // No snapshots/ folder yet: none, and nothing wrong.
    for (const uint64_t seq : {1000u, 42u, 9u}) {
      SnapshotMeta meta = some_meta();
      meta.seq_last = seq;
      REQUIRE(write_snapshot(real_syscalls(), dir.path(), meta, bytes_of("payload")));
    }
    write_file(store::snapshot_dir(dir.path()) / "00000000000000000050.snap.123.tmp", "junk");
    write_file(store::snapshot_dir(dir.path()) / "77.snap", "junk");
    write_file(store::snapshot_dir(dir.path()) / "00000000000000000000.snap", "junk");
    CHECK(snapshot_seqs(dir.path(), problems) == std::vector<uint64_t>{9, 42, 1000});
    CHECK(problems.empty());
    auto info = read_snapshot_info(real_syscalls(), dir.path(), 42);
    REQUIRE(info);
    CHECK(info->meta.seq_last == 42);
    CHECK(info->path == snapshot_path(dir.path(), 42));
    fs::rename(snapshot_path(dir.path(), 42), snapshot_path(dir.path(), 43));
    info = read_snapshot_info(real_syscalls(), dir.path(), 43);
    REQUIRE(!info);
    CHECK(info.status().message().find("name and header disagree") != std::string::npos);
  }

  TEST_CASE("a file whose name and header disagree is skipped") {
    TempDir dir;
    REQUIRE(write_snapshot(real_syscalls(), dir.path(), some_meta(), bytes_of("payload")));
    fs::rename(snapshot_path(dir.path(), 42), snapshot_path(dir.path(), 43));
    auto listing = list_snapshots(real_syscalls(), dir.path());
    CHECK(listing.snapshots.empty());
    REQUIRE(listing.problems.size() == 1);
    CHECK(listing.problems[0].find("name and header disagree") != std::string::npos);
  }

  TEST_CASE("a snapshot matches the log at its frame and nowhere else") {
    TempDir dir;
    const auto marks = write_log(dir.path(), 1024);  // Small segments: several rolls.
    auto segments = list_segments(dir.path());
    REQUIRE(segments);
    REQUIRE(segments->size() > 2);
    for (const FrameMark& mark : marks) {
      auto position = check_against_log(real_syscalls(), *segments, meta_of(mark));
      REQUIRE(position);
      CHECK(position->seq_next == mark.seq_last + 1);
      CHECK(position->chain == mark.checksum);
      // Reading on from there yields exactly the events after the snapshot.
      LogReader reader(real_syscalls(), *segments, *position);
      uint64_t expected = mark.seq_last + 1;
      while (auto frame = *reader.next()) {
        CHECK(frame->header.seq_first == expected);
        expected = frame->header.seq_last() + 1;
      }
      CHECK(expected == 11);
    }
    SnapshotMeta wrong_chain = meta_of(marks[4]);
    wrong_chain.chain ^= 1;
    SnapshotMeta wrong_offset = meta_of(marks[4]);
    wrong_offset.frame_offset = marks[3].offset;
    SnapshotMeta wrong_segment = meta_of(marks[4]);
    wrong_segment.segment_base = 999;
    SnapshotMeta past_end = meta_of(marks[9]);
    past_end.seq_last = 11;
    for (const SnapshotMeta& meta : {wrong_chain, wrong_offset, wrong_segment, past_end}) {
      auto position = check_against_log(real_syscalls(), *segments, meta);
      REQUIRE(!position);
      CHECK(position.status().code() == ErrorCode::kCorruption);
      CHECK(position.status().message().find("does not match the log") != std::string::npos);
    }
  }
}
