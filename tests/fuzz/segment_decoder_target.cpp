// libFuzzer target for the segment, frame and segment-index decoders.
//
// An input is, by default, the bytes of one segment file. It goes through every decoder that
// reads such bytes from disk (LogReader, the time index builder) and through the decoders
// called directly, and the results are checked against each other and against a plain walk of
// the frames written here; any disagreement or broken invariant traps. The first byte can
// select another mode, in which the rest of the input is:
//   'I'  the bytes of a segment index (.idx), fed to the index decoder alone. It skips the file
//        system, so the fuzzer explores that decoder much faster.
//   'C'  a segment whose checksums and chain links are recomputed before it is read, so that
//        mutations reach the checks that stand behind the checksum.
//
// With clang and -DLEDGER_FUZZ=ON this links with libFuzzer (scripts/fuzz); under g++ the
// corpus is replayed through the same function by tests/fuzz/replay_corpus_test.cpp.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_files.h"
#include "fuzz_support.h"
#include "store/format.h"
#include "store/log_reader.h"
#include "store/record.h"
#include "store/time_index.h"
#include "util/endian.h"

namespace {

namespace fs = std::filesystem;
using ledger::store::ByteView;
using ledger::store::FrameHeader;
using ledger::store::FrameRef;
using ledger::store::LogReader;
using ledger::store::Record;
using ledger::store::RecordIterator;
using ledger::store::SegmentHeader;
namespace store = ledger::store;

// A real segment starts with a checksum byte, so 1 in 128 of them would land in one of these
// modes: the seed corpus avoids both values, and for mutated inputs it only costs a little time.
constexpr uint8_t kIndexModeByte = 'I';
constexpr uint8_t kResealModeByte = 'C';

// A broken invariant is a bug in the decoders (or in this target): stop right here, so that
// libFuzzer saves the input and the stack points at the check that failed.
void check(bool holds) {
  if (!holds) __builtin_trap();
}

const fs::path& work_dir() {
  static const fs::path dir = ledger::fuzz::make_work_dir("ledger-fuzz");
  return dir;
}

// What decode_frame_header() promises about any header it accepts.
void check_frame_header(const FrameHeader& h) {
  check(h.count >= 1);
  check(h.length >= store::kFrameHeaderSize + store::kRecordHeaderSize);
  check(h.length <= store::kFrameSizeMax);
  check(h.count <= (h.length - store::kFrameHeaderSize) / store::kRecordHeaderSize);
  check((h.flags & ~store::kFlagsKnown) == 0);
  check(h.seq_first >= 1 && h.seq_last() >= h.seq_first);
  check(h.effective_min_ns <= h.effective_max_ns);
}

// What verify_frame() promises about a frame it accepts: RecordIterator can walk it without
// checks and meets exactly `count` records that fill it, within the header's effective range.
void check_records(const FrameHeader& h, ByteView frame) {
  check(frame.size() == h.length);
  RecordIterator it(frame);
  Record r;
  const unsigned char* expected_at = frame.data() + store::kFrameHeaderSize;
  uint64_t seen = 0;
  // Bounded by count + 1, so a walk that never ends is caught by the check below, not a hang.
  while (seen <= h.count && it.next(r)) {
    check(r.payload.data() == expected_at + store::kRecordHeaderSize);
    check(r.payload.size() <= store::kPayloadSizeMax);
    check(r.effective_ns >= h.effective_min_ns && r.effective_ns <= h.effective_max_ns);
    expected_at = r.payload.data() + r.payload.size();
    check(expected_at <= frame.data() + frame.size());
    ++seen;
  }
  check(seen == h.count);
  check(expected_at == frame.data() + frame.size());
}

struct WalkedFrame {
  uint64_t offset = 0;
  FrameHeader header;
};

// The frames that any reader must accept, found by calling the decoders one frame after another
// straight on the bytes, with the same chain, sequence and recorded-time rules as LogCursor. It
// stops at the first frame that is not valid, as a reader must.
std::vector<WalkedFrame> walk_frames(ByteView segment, const SegmentHeader& sh) {
  std::vector<WalkedFrame> frames;
  uint64_t offset = sh.size();
  uint64_t seq_next = sh.base_seq;
  uint64_t chain = sh.prev_checksum;
  int64_t recorded_ns = INT64_MIN;
  while (offset < segment.size()) {
    const ByteView rest = segment.subspan(offset);
    auto h = store::decode_frame_header(rest);
    if (!h) break;
    check_frame_header(*h);
    if (h->length > rest.size()) break;
    const ByteView bytes = rest.first(h->length);
    if (!store::verify_frame(*h, bytes)) break;
    check_records(*h, bytes);
    if (h->prev_checksum != chain || h->seq_first != seq_next || h->recorded_ns < recorded_ns) {
      break;
    }
    frames.push_back({offset, *h});
    offset += h->length;
    seq_next = h->seq_last() + 1;
    chain = h->checksum;
    recorded_ns = h->recorded_ns;
  }
  return frames;
}

// The frames up to and including the last one that ends a commit: all a reader may show.
size_t committed_prefix(const std::vector<WalkedFrame>& frames) {
  for (size_t n = frames.size(); n > 0; --n) {
    if (frames[n - 1].header.ends_commit()) return n;
  }
  return 0;
}

// (b) The fixed-header decoders called directly: the segment header, and the first frame at
// offset 64 whether or not the segment header is valid.
void fuzz_direct_decoders(ByteView input) {
  auto sh = store::decode_segment_header(input);
  if (sh) check(sh->base_seq >= 1 && sh->prev_last_seq + 1 == sh->base_seq);
  const size_t first_frame = sh ? sh->size() : store::kSegmentHeaderSizeV1;
  if (input.size() < first_frame) return;
  const ByteView rest = input.subspan(first_frame);
  auto h = store::decode_frame_header(rest);
  if (!h) return;
  check_frame_header(*h);
  // verify_frame must refuse a view of the wrong size rather than read past or short of it.
  if (store::verify_frame(*h, rest)) check(rest.size() == h->length);
  if (h->length <= rest.size() && store::verify_frame(*h, rest.first(h->length))) {
    check_records(*h, rest.first(h->length));
  }
}

// (c) An index decoder either refuses the bytes or accepts exactly what the encoder writes.
void fuzz_index_decoder(ByteView input) {
  auto idx = store::decode_segment_index(input);
  if (!idx) return;
  const store::Bytes again = store::encode_segment_index(*idx);
  check(again.size() == input.size() && std::equal(again.begin(), again.end(), input.begin()));
}

struct ReadOutcome {
  bool opened = false;
  bool clean_end = false;  // next() returned nullptr, not an error.
  size_t frames = 0;
};

// (a) The whole log through LogReader, each delivered frame compared with the plain walk.
ReadOutcome read_log(const fs::path& dir, ByteView input, const std::vector<WalkedFrame>& walked) {
  ReadOutcome out;
  auto reader = LogReader::open(dir);
  if (!reader) return out;
  out.opened = true;
  // Every frame is at least 80 bytes, so more frames than this means the reader is looping.
  const size_t frames_max = input.size() / (store::kFrameHeaderSize + store::kRecordHeaderSize);
  for (;;) {
    auto next = reader->next();
    if (!next) return out;
    const FrameRef* frame = *next;
    if (frame == nullptr) {
      out.clean_end = true;
      return out;
    }
    const FrameHeader& h = frame->header;
    check_frame_header(h);
    check(frame->bytes.size() == h.length);
    check(store::verify_frame(h, frame->bytes).is_ok());
    check_records(h, frame->bytes);
    check(frame->segment == 0);
    check(out.frames < walked.size() && out.frames < frames_max);
    const WalkedFrame& expected = walked[out.frames];
    check(frame->offset == expected.offset && h.checksum == expected.header.checksum);
    ++out.frames;
  }
}

// (c) The time index of the one segment, checked against the plain walk and round-tripped
// through its encoder and decoder.
bool index_segment(const fs::path& dir, const SegmentHeader& sh,
                   const std::vector<WalkedFrame>& walked) {
  auto segments = store::list_segments(dir);
  check(segments.is_ok() && segments->size() == 1);
  auto idx = store::build_segment_index(store::real_syscalls(), *segments, 0);
  if (!idx) return false;
  check(idx->base_seq == sh.base_seq);
  check(idx->frames == walked.size());
  check(idx->empty() == idx->entries.empty());
  if (walked.empty()) {
    check(idx->seq_last == sh.base_seq - 1 && idx->chain_last == sh.prev_checksum);
    check(idx->file_size == sh.size());
  } else {
    const WalkedFrame& last = walked.back();
    check(idx->seq_last == last.header.seq_last() && idx->chain_last == last.header.checksum);
    check(idx->file_size == last.offset + last.header.length);
    check(idx->entries.front().position.offset == sh.size());
    check(idx->recorded_min_ns <= idx->recorded_max_ns);
    check(idx->effective_min_ns <= idx->effective_max_ns);
  }
  for (size_t i = 1; i < idx->entries.size(); ++i) {
    check(idx->entries[i].position.offset >=
          idx->entries[i - 1].position.offset + store::kIndexStrideBytes);
  }
  auto decoded = store::decode_segment_index(store::encode_segment_index(*idx));
  check(decoded.is_ok() && *decoded == *idx);
  return true;
}

// Writes the input as the one segment of the work directory. A segment whose header starts
// later than sequence 1 is the first one left by a purge: it is named by its base_seq, with the
// PURGED marker that accounts for the history before it, so the reader goes on into its frames.
void place_segment(const fs::path& dir, ByteView input, const ledger::Result<SegmentHeader>& sh) {
  static uint64_t placed_base = 1;
  const uint64_t base = sh ? sh->base_seq : 1;
  std::error_code ec;
  if (base != placed_base) fs::remove(dir / store::segment_file_name(placed_base), ec);
  placed_base = base;
  ledger::fuzz::overwrite_file(dir / store::segment_file_name(base), input);
  const fs::path marker = dir / store::kPurgedFileName;
  if (base == 1) {
    fs::remove(marker, ec);
  } else {
    ledger::fuzz::overwrite_file(marker, store::encode_purge_marker({base, sh->prev_checksum}));
  }
}

void fuzz_segment(ByteView input) {
  const fs::path& dir = work_dir();
  auto sh = store::decode_segment_header(input);
  place_segment(dir, input, sh);

  fuzz_direct_decoders(input);
  fuzz_index_decoder(input);

  const std::vector<WalkedFrame> walked = sh ? walk_frames(input, *sh) : std::vector<WalkedFrame>{};
  const ReadOutcome read = read_log(dir, input, walked);
  // The reader starts where the segment header says, so it opens exactly when that decodes.
  check(read.opened == sh.is_ok());
  if (!sh) return;
  // A reader that reached the end cleanly showed every frame of every complete commit.
  if (read.clean_end) check(read.frames == committed_prefix(walked));
  // Both walk the one segment with the same cursor rules: the index builder accepts the
  // segment (a torn tail included) exactly when the reader finds no corruption in it.
  const bool indexed = index_segment(dir, *sh, walked);
  check(indexed == read.clean_end);
}

// Gives every frame the checksum and chain link a writer would have given it, and the segment
// header its checksum. A mutation fuzzer cannot guess a 64-bit hash, so without this nearly
// every mutation of a frame dies at its checksum and the structural checks behind it (records
// that overrun or underfill a frame, a wrong effective range, sequence gaps, recorded time going
// backwards, a commit that never ends) are only reached from the seeds. It stops where the
// bytes no longer frame as a header with a length that fits.
store::Bytes reseal(ByteView input) {
  using ledger::util::get;
  using ledger::util::put;
  store::Bytes bytes(input.begin(), input.end());
  if (bytes.size() < store::kSegmentHeaderSizeV1) return bytes;
  unsigned char* const p = bytes.data();
  // The header's own size: version 1 headers are the shorter.
  const size_t header_size = get<uint32_t>(p + 16) >= 2 ? store::kSegmentHeaderSize
                                                         : store::kSegmentHeaderSizeV1;
  if (bytes.size() < header_size) return bytes;
  if (header_size > store::kSegmentHeaderSizeV1) {
    put<uint64_t>(p + 56, store::checksum(ByteView(p + store::kSegmentHeaderSizeV1,
                                                   header_size - store::kSegmentHeaderSizeV1),
                                          0));
  }
  put<uint64_t>(p, store::checksum(ByteView(p + 8, store::kSegmentHeaderSizeV1 - 8), 0));
  uint64_t chain = get<uint64_t>(p + 40);  // The header's prev_checksum.
  size_t offset = header_size;
  while (bytes.size() - offset >= store::kFrameHeaderSize) {
    unsigned char* const frame = p + offset;
    const uint32_t length = get<uint32_t>(frame + 12);
    if (get<uint32_t>(frame + 8) != store::kFrameMagic || length < store::kFrameHeaderSize ||
        length > bytes.size() - offset) {
      break;
    }
    put<uint64_t>(frame + 16, chain);
    chain = store::checksum(ByteView(frame + 8, length - 8), chain);
    put<uint64_t>(frame, chain);
    offset += length;
  }
  return bytes;
}

}  // namespace

extern "C" int LEDGER_FUZZ_ENTRY(const uint8_t* data, size_t size) {
  const ByteView input(data, size);
  if (size > 0 && data[0] == kIndexModeByte) {
    fuzz_index_decoder(input.subspan(1));
    return 0;
  }
  if (size > 0 && data[0] == kResealModeByte) {
    fuzz_segment(reseal(input.subspan(1)));
    return 0;
  }
  fuzz_segment(input);
  return 0;
}
