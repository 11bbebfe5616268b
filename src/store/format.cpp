#include "store/format.h"

#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fmt/format.h>

#include "util/endian.h"

namespace ledger::store {

using util::get;
using util::put;

uint64_t checksum(ByteView bytes, uint64_t seed) {
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
}

namespace {
// Version 2's zone block [64, 128) has its checksum in the version 1 `reserved` field, which the
// first checksum covers: so a version 1 reader, which checks bytes [8, 64) only, still reads the
// version number and names it.
uint64_t zone_checksum(const unsigned char* header) {
  return checksum(ByteView(header + kSegmentHeaderSizeV1, kSegmentHeaderSize - kSegmentHeaderSizeV1),
                  0);
}
}  // namespace

void encode_segment_header(const SegmentHeader& h, unsigned char* dst) {
  const size_t size = h.size();
  std::memset(dst, 0, size);
  std::copy(kSegmentMagic.begin(), kSegmentMagic.end(), dst + 8);
  put<uint32_t>(dst + 16, h.format_version);
  put<uint32_t>(dst + 20, static_cast<uint32_t>(size));
  put<uint64_t>(dst + 24, h.base_seq);
  put<uint64_t>(dst + 32, h.prev_last_seq);
  put<uint64_t>(dst + 40, h.prev_checksum);
  put<int64_t>(dst + 48, h.created_ns);
  if (h.format_version >= 2) {
    std::memcpy(dst + kSegmentHeaderSizeV1, h.zone.data(), std::min(h.zone.size(), kZoneNameSizeMax));
    put<uint64_t>(dst + 56, zone_checksum(dst));
  }
  put<uint64_t>(dst, checksum(ByteView(dst + 8, kSegmentHeaderSizeV1 - 8), 0));
}

Result<SegmentHeader> decode_segment_header(ByteView bytes) {
  if (bytes.size() < kSegmentHeaderSizeV1) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("segment header is {} bytes, expected at least {}", bytes.size(),
                              kSegmentHeaderSizeV1));
  }
  const unsigned char* p = bytes.data();
  if (!std::equal(kSegmentMagic.begin(), kSegmentMagic.end(), p + 8)) {
    return Status(ErrorCode::kCorruption, "not a ledger segment (bad magic)");
  }
  if (get<uint64_t>(p) != checksum(ByteView(p + 8, kSegmentHeaderSizeV1 - 8), 0)) {
    return Status(ErrorCode::kCorruption, "segment header checksum mismatch");
  }
  SegmentHeader h;
  h.format_version = get<uint32_t>(p + 16);
  if (h.format_version == 0 || h.format_version > kFormatVersion) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("segment format version {} is not supported (this build reads "
                              "1 to {})",
                              h.format_version, kFormatVersion));
  }
  const size_t size = h.size();
  if (get<uint32_t>(p + 20) != size) {
    return Status(ErrorCode::kCorruption, "segment header size mismatch");
  }
  if (bytes.size() < size) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("segment header is {} bytes, expected {}", bytes.size(), size));
  }
  if (h.format_version >= 2 && get<uint64_t>(p + 56) != zone_checksum(p)) {
    return Status(ErrorCode::kCorruption, "segment header zone checksum mismatch");
  }
  h.base_seq = get<uint64_t>(p + 24);
  h.prev_last_seq = get<uint64_t>(p + 32);
  h.prev_checksum = get<uint64_t>(p + 40);
  h.created_ns = get<int64_t>(p + 48);
  if (h.base_seq == 0 || h.prev_last_seq + 1 != h.base_seq) {
    return Status(ErrorCode::kCorruption, "segment header sequence numbers disagree");
  }
  h.zone.clear();
  if (h.format_version >= 2) {
    const char* zone = reinterpret_cast<const char*>(p + kSegmentHeaderSizeV1);
    h.zone.assign(zone, strnlen(zone, kZoneNameSizeMax));
    if (h.zone.empty()) return Status(ErrorCode::kCorruption, "segment header names no time zone");
  }
  return h;
}

void seal_frame(const FrameHeader& h, unsigned char* frame) {
  put<uint32_t>(frame + 8, kFrameMagic);
  put<uint32_t>(frame + 12, h.length);
  put<uint64_t>(frame + 16, h.prev_checksum);
  put<uint64_t>(frame + 24, h.seq_first);
  put<uint32_t>(frame + 32, h.count);
  put<uint32_t>(frame + 36, h.flags);
  put<int64_t>(frame + 40, h.recorded_ns);
  put<int64_t>(frame + 48, h.effective_min_ns);
  put<int64_t>(frame + 56, h.effective_max_ns);
  put<uint64_t>(frame, checksum(ByteView(frame + 8, h.length - 8), h.prev_checksum));
}

Result<FrameHeader> decode_frame_header(ByteView bytes) {
  if (bytes.size() < kFrameHeaderSize) return Status(ErrorCode::kCorruption, "truncated frame header");
  const unsigned char* p = bytes.data();
  if (get<uint32_t>(p + 8) != kFrameMagic) return Status(ErrorCode::kCorruption, "bad frame magic");
  FrameHeader h;
  h.checksum = get<uint64_t>(p);
  h.length = get<uint32_t>(p + 12);
  h.prev_checksum = get<uint64_t>(p + 16);
  h.seq_first = get<uint64_t>(p + 24);
  h.count = get<uint32_t>(p + 32);
  h.flags = get<uint32_t>(p + 36);
  h.recorded_ns = get<int64_t>(p + 40);
  h.effective_min_ns = get<int64_t>(p + 48);
  h.effective_max_ns = get<int64_t>(p + 56);
  if (h.length < kFrameHeaderSize + kRecordHeaderSize || h.length > kFrameSizeMax) {
    return Status(ErrorCode::kCorruption, fmt::format("impossible frame length {}", h.length));
  }
  if (h.count == 0 || h.count > (h.length - kFrameHeaderSize) / kRecordHeaderSize) {
    return Status(ErrorCode::kCorruption, fmt::format("impossible event count {}", h.count));
  }
  if ((h.flags & ~kFlagsKnown) != 0) return Status(ErrorCode::kCorruption, "unknown frame flags");
  if (h.seq_first == 0 || h.seq_first > UINT64_MAX - h.count) {
    return Status(ErrorCode::kCorruption, "impossible sequence number");
  }
  if (h.effective_min_ns > h.effective_max_ns) {
    return Status(ErrorCode::kCorruption, "effective range is reversed");
  }
  return h;
}

Status verify_frame(const FrameHeader& h, ByteView frame) {
  if (frame.size() != h.length) return {ErrorCode::kCorruption, "truncated frame"};
  if (checksum(frame.subspan(8), h.prev_checksum) != h.checksum) {
    return {ErrorCode::kCorruption, "frame checksum mismatch"};
  }
  // The checksum passed, so what follows can only fail for a frame a buggy writer produced.
  size_t offset = kFrameHeaderSize;
  int64_t effective_min = INT64_MAX, effective_max = INT64_MIN;
  for (uint32_t i = 0; i < h.count; ++i) {
    if (frame.size() - offset < kRecordHeaderSize) return {ErrorCode::kCorruption, "record overruns frame"};
    const RecordHeader r = decode_record_header(frame.data() + offset);
    offset += kRecordHeaderSize;
    if (r.payload_size > kPayloadSizeMax || r.payload_size > frame.size() - offset) {
      return {ErrorCode::kCorruption, "record payload overruns frame"};
    }
    offset += r.payload_size;
    effective_min = std::min(effective_min, r.effective_ns);
    effective_max = std::max(effective_max, r.effective_ns);
  }
  if (offset != frame.size()) return {ErrorCode::kCorruption, "records do not fill the frame"};
  if (effective_min != h.effective_min_ns || effective_max != h.effective_max_ns) {
    return {ErrorCode::kCorruption, "frame effective range disagrees with its records"};
  }
  return Status::ok();
}

void encode_record_header(const RecordHeader& r, unsigned char* dst) {
  put<uint16_t>(dst, r.type);
  put<uint16_t>(dst + 2, r.version);
  put<uint32_t>(dst + 4, r.payload_size);
  put<int64_t>(dst + 8, r.effective_ns);
}

RecordHeader decode_record_header(const unsigned char* src) {
  return {get<uint16_t>(src), get<uint16_t>(src + 2), get<uint32_t>(src + 4),
          get<int64_t>(src + 8)};
}

void encode_archive_header(const ArchiveHeader& h, unsigned char* dst) {
  std::copy(kArchiveMagic.begin(), kArchiveMagic.end(), dst);
  put<uint64_t>(dst + 8, h.segment_size);
  put<uint64_t>(dst + 16, h.segment_checksum);
  put<uint64_t>(dst + 24, checksum(ByteView(dst, 24), 0));
}

Result<ArchiveHeader> decode_archive_header(ByteView bytes) {
  if (bytes.size() < kArchiveHeaderSize) {
    return Status(ErrorCode::kCorruption, "archive header is truncated");
  }
  const unsigned char* p = bytes.data();
  if (!std::equal(kArchiveMagic.begin(), kArchiveMagic.end(), p)) {
    return Status(ErrorCode::kCorruption, "not an archived ledger segment (bad magic)");
  }
  if (get<uint64_t>(p + 24) != checksum(ByteView(p, 24), 0)) {
    return Status(ErrorCode::kCorruption, "archive header checksum mismatch");
  }
  ArchiveHeader h{get<uint64_t>(p + 8), get<uint64_t>(p + 16)};
  if (h.segment_size < kSegmentHeaderSize || h.segment_size > kArchivedSegmentSizeMax) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("impossible archived segment size {}", h.segment_size));
  }
  return h;
}

Bytes encode_purge_marker(const PurgeMarker& m) {
  Bytes out(kPurgedSize);
  std::copy(kPurgedMagic.begin(), kPurgedMagic.end(), out.data());
  put<uint64_t>(out.data() + 8, m.first_seq);
  put<uint64_t>(out.data() + 16, m.chain);
  put<uint64_t>(out.data() + 24, checksum(ByteView(out.data(), 24), 0));
  return out;
}

Result<PurgeMarker> decode_purge_marker(ByteView bytes) {
  const unsigned char* p = bytes.data();
  if (bytes.size() != kPurgedSize || !std::equal(kPurgedMagic.begin(), kPurgedMagic.end(), p) ||
      get<uint64_t>(p + 24) != checksum(ByteView(p, 24), 0)) {
    return Status(ErrorCode::kCorruption, "the PURGED marker is damaged");
  }
  PurgeMarker m{get<uint64_t>(p + 8), get<uint64_t>(p + 16)};
  if (m.first_seq == 0) return Status(ErrorCode::kCorruption, "the PURGED marker is damaged");
  return m;
}

std::string segment_file_name(uint64_t base_seq) {
  return fmt::format("{:0{}}{}", base_seq, kSegmentNameDigits, kSegmentSuffix);
}

std::optional<uint64_t> parse_numbered_file_name(std::string_view name, std::string_view suffix) {
  if (name.size() != kSegmentNameDigits + suffix.size() || !name.ends_with(suffix)) return {};
  uint64_t seq = 0;
  const char* end = name.data() + kSegmentNameDigits;
  auto [ptr, ec] = std::from_chars(name.data(), end, seq);
  if (ec != std::errc() || ptr != end || seq == 0) return {};
  return seq;
}

std::optional<uint64_t> parse_segment_file_name(std::string_view name) {
  return parse_numbered_file_name(name, kSegmentSuffix);
}

}  // namespace ledger::store

namespace ledger::store {

std::optional<uint64_t> parse_archived_segment_file_name(std::string_view name) {
  const std::string_view suffix = kArchiveSuffix;
  if (!name.ends_with(suffix)) return {};
  return parse_segment_file_name(name.substr(0, name.size() - suffix.size()));
}

}  // namespace ledger::store
