#include <doctest/doctest.h>

#include <xxhash.h>

#include <cstring>

#include "log_fixture.h"
#include "store/snapshot_file.h"
#include "util/endian.h"

using namespace ledger;
using namespace ledger::store;
using namespace ledger::store::testing;

namespace {

SnapshotMeta some_meta() {
  return {42, 0x1234567890abcdefULL, 1, 64, 640, 1'767'225'601'000'000'000LL,
          1'767'225'600'000'000'000LL, 1'767'225'700'000'000'000LL, 40, 5};
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
    // One block: its checksum, then the payload.
    REQUIRE(bytes.size() == kSnapshotHeaderSize + 8 + payload.size());
    SnapshotLayout layout;
    auto meta = decode_snapshot_header(bytes, &layout);
    REQUIRE(meta);
    CHECK(*meta == some_meta());
    CHECK(layout.version == 2);
    CHECK(layout.payload_size == payload.size());
    CHECK(layout.payload_at() == kSnapshotHeaderSize + 8);
    CHECK(std::string(bytes.begin() + kSnapshotHeaderSize + 8, bytes.end()) == payload);
  }

  // The layout written down by hand (ledger-format(5)): 4096-byte blocks, each one's XXH3-64 in
  // the table, the table's at 88.
  TEST_CASE("a payload of several blocks has a checksum for each, and the table one for all") {
    std::string payload(2 * kSnapshotBlockBytes + 10, 'a');
    payload[kSnapshotBlockBytes] = 'b';
    const Bytes bytes = encode_snapshot(some_meta(), bytes_of(payload));
    REQUIRE(bytes.size() == kSnapshotHeaderSize + 3 * 8 + payload.size());
    const unsigned char* table = bytes.data() + kSnapshotHeaderSize;
    for (size_t b = 0; b < 3; ++b) {
      const std::string block = payload.substr(b * kSnapshotBlockBytes, kSnapshotBlockBytes);
      CHECK(util::get<uint64_t>(table + 8 * b) == XXH3_64bits(block.data(), block.size()));
    }
    CHECK(util::get<uint64_t>(bytes.data() + 88) == XXH3_64bits(table, 3 * 8));
    CHECK(util::get<uint32_t>(bytes.data() + 104) == kSnapshotBlockBytes);
    CHECK(util::get<uint32_t>(bytes.data() + 108) == 5);  // reader_flags, opaque here.
  }

  TEST_CASE("a damaged block is refused where it is read, and only there") {
    TempDir dir;
    std::string payload(3 * kSnapshotBlockBytes, 'p');
    REQUIRE(write_snapshot(real_syscalls(), dir.path(), some_meta(), bytes_of(payload)));
    const fs::path path = snapshot_path(dir.path(), 42);
    flip_byte(path, kSnapshotHeaderSize + 3 * 8 + kSnapshotBlockBytes + 7);  // Block 1.
    auto listing = list_snapshots(real_syscalls(), dir.path());
    REQUIRE(listing.snapshots.size() == 1);
    auto opened = SnapshotPayload::open(real_syscalls(), listing.snapshots[0]);
    REQUIRE(opened);
    CHECK(opened->size() == payload.size());
    auto first = opened->read(10, 100);
    REQUIRE(first);
    CHECK(std::string(first->begin(), first->end()) == std::string(100, 'p'));
    CHECK(opened->read(2 * kSnapshotBlockBytes, kSnapshotBlockBytes));
    // A range that only ends in block 1 reaches it.
    auto across = opened->read(kSnapshotBlockBytes - 4, 8);
    REQUIRE(!across);
    CHECK(across.status().code() == ErrorCode::kCorruption);
    CHECK(across.status().message() ==
          "snapshot 00000000000000000042.snap: payload block 1 checksum mismatch");
    CHECK(!opened->all());
    CHECK(!opened->read(3 * kSnapshotBlockBytes - 1, 2));  // Past the payload.
    CHECK(!read_snapshot_payload(real_syscalls(), listing.snapshots[0]));

    flip_byte(path, kSnapshotHeaderSize + 8);  // The table itself: nothing is trusted.
    auto table_damaged = SnapshotPayload::open(real_syscalls(), listing.snapshots[0]);
    REQUIRE(!table_damaged);
    CHECK(table_damaged.status().message().find("block checksum table mismatch") !=
          std::string::npos);
  }

  // Written by hand as version 1 wrote it: the payload right after the header, checked whole.
  TEST_CASE("a version 1 snapshot still reads, and is checked whole") {
    TempDir dir;
    const std::string payload(5000, 'v');
    const SnapshotMeta m = some_meta();
    Bytes bytes(kSnapshotHeaderSize, 0);
    unsigned char* p = bytes.data();
    std::memcpy(p, "LDGSNAP1", 8);
    util::put<uint32_t>(p + 8, 1);
    util::put<uint32_t>(p + 12, kSnapshotHeaderSize);
    util::put<uint64_t>(p + 16, m.seq_last);
    util::put<uint64_t>(p + 24, m.chain);
    util::put<uint64_t>(p + 32, m.segment_base);
    util::put<uint64_t>(p + 40, m.frame_offset);
    util::put<uint64_t>(p + 48, m.next_offset);
    util::put<int64_t>(p + 56, m.recorded_ns);
    util::put<int64_t>(p + 64, m.effective_max_ns);
    util::put<int64_t>(p + 72, m.created_ns);
    util::put<uint64_t>(p + 80, payload.size());
    util::put<uint64_t>(p + 88, XXH3_64bits(payload.data(), payload.size()));
    util::put<uint64_t>(p + 96, m.refs_through);
    util::put<uint64_t>(p + 120, XXH3_64bits(p, 120));
    bytes.insert(bytes.end(), payload.begin(), payload.end());
    fs::create_directories(store::snapshot_dir(dir.path()));
    const fs::path path = snapshot_path(dir.path(), 42);
    write_file(path, std::string(bytes.begin(), bytes.end()));

    auto info = read_snapshot_info(real_syscalls(), dir.path(), 42);
    REQUIRE(info);
    SnapshotMeta without_flags = m;
    without_flags.reader_flags = 0;  // Version 1 had none.
    CHECK(info->meta == without_flags);
    auto opened = SnapshotPayload::open(real_syscalls(), *info);
    REQUIRE(opened);
    auto some = opened->read(4000, 1000);
    REQUIRE(some);
    CHECK(std::string(some->begin(), some->end()) == std::string(1000, 'v'));
    flip_byte(path, kSnapshotHeaderSize + 4999);
    auto damaged = SnapshotPayload::open(real_syscalls(), *info);
    REQUIRE(!damaged);
    CHECK(damaged.status().message().find("payload checksum mismatch") != std::string::npos);
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
    flip_byte(path, kSnapshotHeaderSize + 8 + 500);
    auto damaged = read_snapshot_payload(real_syscalls(), listing.snapshots[0]);
    REQUIRE(!damaged);
    CHECK(damaged.status().code() == ErrorCode::kCorruption);
    CHECK(damaged.status().message().find("payload block 0 checksum mismatch") != std::string::npos);

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
