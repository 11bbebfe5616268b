#pragma once
// An event as the store sees it: a type and schema version owned by the domain, the effective
// time (the store keeps both times so that it can skip frames by time), and opaque payload bytes.

#include <cstdint>

#include "store/file.h"
#include "store/format.h"

namespace ledger::store {

struct Record {
  uint16_t type = 0;
  uint16_t version = 0;
  int64_t effective_ns = 0;
  ByteView payload;
};

// Walks the records of a frame that verify_frame() accepted.
class RecordIterator {
 public:
  explicit RecordIterator(ByteView frame)
      : next_(frame.data() + kFrameHeaderSize), end_(frame.data() + frame.size()) {}

  bool next(Record& record) {
    if (next_ == end_) return false;
    const RecordHeader h = decode_record_header(next_);
    record = {h.type, h.version, h.effective_ns,
              ByteView(next_ + kRecordHeaderSize, h.payload_size)};
    next_ += kRecordHeaderSize + h.payload_size;
    return true;
  }

 private:
  const unsigned char* next_;
  const unsigned char* end_;
};

}  // namespace ledger::store
