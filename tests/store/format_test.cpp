#include <doctest/doctest.h>

#include <cstring>

#include "store/format.h"

using namespace ledger;
using namespace ledger::store;

TEST_SUITE("format") {
  TEST_CASE("segment header round trips") {
    SegmentHeader h{kFormatVersion, 42, 41, 0xDEADBEEFCAFEF00DULL, 1234567};
    Bytes bytes(kSegmentHeaderSize);
    encode_segment_header(h, bytes.data());
    CHECK(std::string(bytes.begin() + 8, bytes.begin() + 16) == "LDGSEG01");
    auto decoded = decode_segment_header(bytes);
    REQUIRE(decoded);
    CHECK(*decoded == h);
  }

  TEST_CASE("segment header with a flipped bit, bad magic or newer version is refused") {
    SegmentHeader h;
    Bytes bytes(kSegmentHeaderSize);
    encode_segment_header(h, bytes.data());
    for (size_t bit = 0; bit < kSegmentHeaderSize * 8; ++bit) {
      Bytes damaged = bytes;
      damaged[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
      CHECK_FALSE(decode_segment_header(damaged));
    }
    h.format_version = kFormatVersion + 1;
    encode_segment_header(h, bytes.data());
    auto newer = decode_segment_header(bytes);
    REQUIRE_FALSE(newer);
    CHECK(newer.status().message().find("not supported") != std::string::npos);
    CHECK_FALSE(decode_segment_header(ByteView(bytes.data(), 10)));
  }

  TEST_CASE("a sealed frame verifies and its header decodes to what was written") {
    const std::string payload = "hello";
    Bytes frame(kFrameHeaderSize + kRecordHeaderSize + payload.size());
    encode_record_header({7, 2, static_cast<uint32_t>(payload.size()), 99},
                         frame.data() + kFrameHeaderSize);
    std::copy(payload.begin(), payload.end(), frame.begin() + kFrameHeaderSize + kRecordHeaderSize);
    FrameHeader h;
    h.length = static_cast<uint32_t>(frame.size());
    h.prev_checksum = 555;
    h.seq_first = 10;
    h.count = 1;
    h.flags = kFlagCommitEnd;
    h.recorded_ns = 100;
    h.effective_min_ns = h.effective_max_ns = 99;
    seal_frame(h, frame.data());
    auto decoded = decode_frame_header(frame);
    REQUIRE(decoded);
    CHECK(decoded->seq_first == 10);
    CHECK(decoded->ends_commit());
    CHECK(decoded->checksum == checksum(ByteView(frame).subspan(8), 555));
    CHECK(verify_frame(*decoded, frame));

    SUBCASE("the record header round trips") {
      const RecordHeader r = decode_record_header(frame.data() + kFrameHeaderSize);
      CHECK(r.type == 7);
      CHECK(r.version == 2);
      CHECK(r.payload_size == payload.size());
      CHECK(r.effective_ns == 99);
    }
    SUBCASE("a different chain seed fails the checksum") {
      FrameHeader wrong = *decoded;
      wrong.prev_checksum = 556;
      CHECK_FALSE(verify_frame(wrong, frame));
    }
    SUBCASE("an effective range that disagrees with the records is refused") {
      h.effective_max_ns = 100;
      seal_frame(h, frame.data());
      CHECK(verify_frame(*decode_frame_header(frame), frame).message().find("effective range") !=
            std::string::npos);
    }
  }

  TEST_CASE("impossible frame headers are refused before the body is read") {
    Bytes frame(kFrameHeaderSize, 0);
    CHECK_FALSE(decode_frame_header(frame));  // All zeros: no magic.
    FrameHeader h;
    h.length = kFrameHeaderSize + kRecordHeaderSize;
    h.seq_first = 1;
    h.count = 1;
    frame.resize(h.length);
    seal_frame(h, frame.data());
    REQUIRE(decode_frame_header(frame));
    h.count = 2;  // Two records cannot fit in 16 bytes.
    seal_frame(h, frame.data());
    CHECK_FALSE(decode_frame_header(frame));
    h.count = 1;
    h.flags = 0x80;
    seal_frame(h, frame.data());
    CHECK_FALSE(decode_frame_header(frame));
    h.flags = 0;
    seal_frame(h, frame.data());
    REQUIRE(decode_frame_header(frame));
    const uint32_t too_long = kFrameSizeMax + 1;
    std::memcpy(frame.data() + 12, &too_long, 4);  // Little-endian hosts only, as the CI is.
    CHECK_FALSE(decode_frame_header(frame));
  }

  TEST_CASE("segment file names sort by sequence and parse back") {
    CHECK(segment_file_name(1) == "00000000000000000001.seg");
    CHECK(segment_file_name(1234567) < segment_file_name(12345678));
    CHECK(parse_segment_file_name("00000000000000000042.seg") == 42u);
    CHECK_FALSE(parse_segment_file_name("00000000000000000042.idx"));
    CHECK_FALSE(parse_segment_file_name("0000000000000000042.seg"));
    CHECK_FALSE(parse_segment_file_name("0000000000000000004x.seg"));
    CHECK_FALSE(parse_segment_file_name("00000000000000000000.seg"));
  }
}
