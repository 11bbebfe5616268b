#pragma once
// Every constant of the on-disk format, and the encoders and decoders of its fixed headers.
// The prose description of these bytes is man/ledger-format.5; keep the two in step.
//
//   segment := segment_header frame*
//   frame   := frame_header record{count}
//   record  := record_header payload
//
// All integers are little-endian. Times are signed nanoseconds since 1970-01-01T00:00:00Z.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/file.h"

namespace ledger::store {

// Version 2 added the ledger's time zone to segment headers (version 1 segments stay readable).
inline constexpr uint32_t kFormatVersion = 2;

// Segment header at offset 0 of every segment file: 128 bytes (64 in format version 1, which
// ends at `reserved`); the first frame follows it.
//   0  u64 checksum        XXH3-64 of bytes [8, 64), seed 0 (in every version)
//   8  u8[8] magic         "LDGSEG01"
//  16  u32 format_version
//  20  u32 header_size     128 (64 in version 1)
//  24  u64 base_seq        sequence number of the first event this segment holds
//  32  u64 prev_last_seq   last sequence number of the previous segment (base_seq - 1)
//  40  u64 prev_checksum   checksum of the last frame of the previous segment (0 for the first)
//  48  i64 created_ns      when the segment was created
//  56  u64 zone_checksum   XXH3-64 of bytes [64, 128), seed 0 (version 1: reserved, zero)
//  64  u8[64] zone         the ledger's time zone ("UTC", "Europe/Berlin"), NUL-padded; every
//                          segment repeats it, so the newest one tells a reader (version 2)
inline constexpr std::array<unsigned char, 8> kSegmentMagic = {'L', 'D', 'G', 'S',
                                                               'E', 'G', '0', '1'};
inline constexpr size_t kSegmentHeaderSizeV1 = 64;
inline constexpr size_t kSegmentHeaderSize = 128;  // Version 2; enough to read either version.
inline constexpr size_t kZoneNameSizeMax = 63;

// Frame header: 64 bytes, followed by `count` records; `length` covers header and records.
//   0  u64 checksum        XXH3-64 of bytes [8, length), seeded with prev_checksum
//   8  u32 magic           kFrameMagic
//  12  u32 length
//  16  u64 prev_checksum   checksum of the frame before this one in the log (the chain)
//  24  u64 seq_first       sequence number of the first event in the frame
//  32  u32 count           events in the frame, at least 1
//  36  u32 flags           bit 0: last frame of its commit; the other bits are zero
//  40  i64 recorded_ns     when the frame's commit was recorded
//  48  i64 effective_min_ns
//  56  i64 effective_max_ns
inline constexpr uint32_t kFrameMagic = 0x314D5246;  // "FRM1" as little-endian bytes.
inline constexpr size_t kFrameHeaderSize = 64;
inline constexpr uint32_t kFlagCommitEnd = 1u << 0;
inline constexpr uint32_t kFlagsKnown = kFlagCommitEnd;

// Record header: 16 bytes, followed by `payload_size` opaque bytes.
//   0  u16 type            event type, owned by the domain
//   2  u16 version         schema version of that type
//   4  u32 payload_size
//   8  i64 effective_ns
inline constexpr size_t kRecordHeaderSize = 16;

// Bounds: a decoder refuses anything larger, so a damaged length cannot make it allocate or
// read without limit.
inline constexpr size_t kFrameSizeMax = 64u << 20;
inline constexpr size_t kPayloadSizeMax = 1u << 20;
inline constexpr uint32_t kFrameEventsMax = (kFrameSizeMax - kFrameHeaderSize) / kRecordHeaderSize;

// Segment files are named by the sequence number of their first event, zero-padded to 20
// digits so that `ls` sorts them; e.g. 00000000000000000001.seg.
inline constexpr const char* kSegmentSuffix = ".seg";
inline constexpr size_t kSegmentNameDigits = 20;

// Archived segments: a sealed segment <dir>/<name> may live instead as
// <dir>/archive/<name>.zst, a 32-byte archive header followed by one zstd frame that holds the
// exact bytes of the segment file (the frame also carries zstd's own content checksum).
//   0  u8[8] magic           "LDGARC01"
//   8  u64 segment_size      size of the uncompressed segment file
//  16  u64 segment_checksum  XXH3-64 of the uncompressed segment file, seed 0
//  24  u64 header_checksum   XXH3-64 of bytes [0, 24), seed 0
inline constexpr const char* kArchiveDirName = "archive";
inline constexpr const char* kArchiveSuffix = ".zst";
inline constexpr std::array<unsigned char, 8> kArchiveMagic = {'L', 'D', 'G', 'A',
                                                               'R', 'C', '0', '1'};
inline constexpr size_t kArchiveHeaderSize = 32;
// An archived segment is decompressed whole into memory: a header claiming more is refused.
inline constexpr uint64_t kArchivedSegmentSizeMax = uint64_t{1} << 31;

// The purge marker <dir>/PURGED: the log legitimately begins at first_seq, whose segment's
// header links to `chain`; the segments before it were deleted by a purge.
//   0  u8[8] magic           "LDGPRG01"
//   8  u64 first_seq
//  16  u64 chain             prev_checksum in the header of the segment starting at first_seq
//  24  u64 checksum          XXH3-64 of bytes [0, 24), seed 0
inline constexpr const char* kPurgedFileName = "PURGED";
inline constexpr std::array<unsigned char, 8> kPurgedMagic = {'L', 'D', 'G', 'P',
                                                              'R', 'G', '0', '1'};
inline constexpr size_t kPurgedSize = 32;

static_assert(kSegmentHeaderSizeV1 == 64);
static_assert(kSegmentHeaderSize == 128);
static_assert(kFrameHeaderSize == 64);
static_assert(kRecordHeaderSize == 16);
static_assert(kFrameMagic == 0x314D5246);
static_assert(kFrameSizeMax <= UINT32_MAX);

struct SegmentHeader {
  uint32_t format_version = kFormatVersion;
  uint64_t base_seq = 1;
  uint64_t prev_last_seq = 0;
  uint64_t prev_checksum = 0;
  int64_t created_ns = 0;
  std::string zone = "UTC";  // Version 2; empty when read from a version 1 header.

  // Where the segment's first frame begins.
  uint64_t size() const { return format_version >= 2 ? kSegmentHeaderSize : kSegmentHeaderSizeV1; }
  friend bool operator==(const SegmentHeader&, const SegmentHeader&) = default;
};

struct FrameHeader {
  uint64_t checksum = 0;
  uint32_t length = 0;
  uint64_t prev_checksum = 0;
  uint64_t seq_first = 0;
  uint32_t count = 0;
  uint32_t flags = 0;
  int64_t recorded_ns = 0;
  int64_t effective_min_ns = 0;
  int64_t effective_max_ns = 0;

  bool ends_commit() const { return (flags & kFlagCommitEnd) != 0; }
  uint64_t seq_last() const { return seq_first + count - 1; }
};

struct RecordHeader {
  uint16_t type = 0;
  uint16_t version = 0;
  uint32_t payload_size = 0;
  int64_t effective_ns = 0;
};

uint64_t checksum(ByteView bytes, uint64_t seed);

// Writes header.size() bytes; a zone longer than kZoneNameSizeMax is cut (check_time_zone
// never lets one through).
void encode_segment_header(const SegmentHeader& header, unsigned char* dst);
// Refuses a wrong magic, an unknown version or a failing checksum; says which. `bytes` may run
// past the header (a reader reads kSegmentHeaderSize, which covers either version).
Result<SegmentHeader> decode_segment_header(ByteView bytes);

// Writes the header fields of a frame whose records already stand in
// frame[kFrameHeaderSize, length), then its checksum over all of it.
void seal_frame(const FrameHeader& header, unsigned char* frame);
// Parses the fixed fields without checking the checksum (the caller may not hold the body yet).
// Refuses a wrong magic, unknown flags, an impossible length or count.
Result<FrameHeader> decode_frame_header(ByteView bytes);
// Checks a whole frame: its checksum, and that its records fill it exactly with the header's
// count and effective range. Records are validated here, so a reader that accepted a frame can
// walk its records without checks.
Status verify_frame(const FrameHeader& header, ByteView frame);

void encode_record_header(const RecordHeader& header, unsigned char* dst);
RecordHeader decode_record_header(const unsigned char* src);

struct ArchiveHeader {
  uint64_t segment_size = 0;
  uint64_t segment_checksum = 0;
};
void encode_archive_header(const ArchiveHeader& header, unsigned char* dst);
// Refuses a wrong magic, a failing checksum or an impossible size; says which.
Result<ArchiveHeader> decode_archive_header(ByteView bytes);

struct PurgeMarker {
  uint64_t first_seq = 1;
  uint64_t chain = 0;
  friend bool operator==(const PurgeMarker&, const PurgeMarker&) = default;
};
Bytes encode_purge_marker(const PurgeMarker& marker);
Result<PurgeMarker> decode_purge_marker(ByteView bytes);

std::string segment_file_name(uint64_t base_seq);
// The base sequence of a segment file name, or nothing if the name is not one.
std::optional<uint64_t> parse_segment_file_name(std::string_view name);
// The number of a "<20 digits><suffix>" file name (segments, snapshots), or nothing.
std::optional<uint64_t> parse_numbered_file_name(std::string_view name, std::string_view suffix);
// The same for an archived segment's name, <segment name>.zst.
std::optional<uint64_t> parse_archived_segment_file_name(std::string_view name);

}  // namespace ledger::store
