#pragma once
// Records sorted in bounded memory, as sort(1) does. A record is a key, which the order compares
// and which is copied byte for byte, and a payload of any length that rides along with it.
//
// Records whose keys arrive in order (not less than the last such key) form one run that goes to
// a scratch file as it comes, unsorted: what is sorted here is mostly in order already (a log
// read in log order, a bank's file), and for such a set the sort costs one sequential write and
// one read. The other records fill a buffer that is sorted and written as a run whenever it holds
// its share of the memory. Reading merges the runs. A set that fits the memory never leaves it.
// Equal keys come out in the order they were added, since every record carries its arrival
// number. The sorted records can be read any number of times.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "util/scratch_bytes.h"
#include "util/scratch_file.h"

namespace ledger::util {

template <class Key, class Less = std::less<Key>>
class ExternalSort {
  static_assert(std::is_trivially_copyable_v<Key>, "keys go to a file byte for byte");

  // A record, in memory and on scratch: key, arrival (u64), payload (u32 size, bytes).
  static constexpr size_t kHeadBytes = sizeof(Key) + sizeof(uint64_t) + sizeof(uint32_t);

  // A sorted run: one of the sorter's buffers, or a range of a scratch file.
  struct Run {
    std::string ExternalSort::*memory = nullptr;
    const ScratchFile* file = nullptr;
    uint64_t begin = 0;
    uint64_t end = 0;
  };
  // An out-of-order record in the buffer: what sorting it needs, and where its bytes are.
  struct Waiting {
    Key key;
    uint64_t arrival;
    size_t offset;
  };

 public:
  static constexpr size_t kMemoryBytes = size_t{8} << 20;
  // The most each scratch run reads at a time while merging.
  static constexpr size_t kReadBytes = size_t{64} << 10;

  // About `memory_bytes` of records are held while adding (a quarter for the run in order, a
  // half for the others) and while reading (the runs' read windows).
  explicit ExternalSort(size_t memory_bytes = kMemoryBytes, Less less = Less())
      : memory_bytes_(memory_bytes), less_(less) {}

  Status add(const Key& key, std::string_view payload = {}) {
    if (payload.size() > std::numeric_limits<uint32_t>::max()) {
      return {ErrorCode::kInternal, "a record to sort is larger than 4 GiB"};
    }
    const bool in_order = !last_in_order_ || !less_(key, *last_in_order_);
    std::string& out = in_order ? in_order_ : out_of_order_;
    if (!in_order) waiting_.push_back({key, size_, out.size()});
    put_record(out, key, size_++, payload);
    if (in_order) {
      last_in_order_ = key;
      return in_order_.size() >= memory_bytes_ / 4 ? flush_in_order() : Status::ok();
    }
    const size_t held = out_of_order_.size() + waiting_.size() * sizeof(Waiting);
    return held >= memory_bytes_ / 2 ? spill() : Status::ok();
  }

  // Ends the adding: cursors read the records in order from here on.
  Status finish() {
    if (in_order_file_) {
      LEDGER_RETURN_IF_ERROR(flush_in_order());
      in_order_ = std::string();
      runs_.push_back({nullptr, in_order_file_.get(), 0, in_order_file_->size()});
    } else {
      runs_.push_back({&ExternalSort::in_order_, nullptr, 0, in_order_.size()});
    }
    for (const auto& [begin, end] : spilled_) {
      runs_.push_back({nullptr, out_of_order_file_.get(), begin, end});
    }
    rest_ = sorted_out_of_order();
    out_of_order_ = std::string();
    waiting_ = {};
    runs_.push_back({&ExternalSort::rest_, nullptr, 0, rest_.size()});
    return Status::ok();
  }

  uint64_t size() const { return size_; }
  // Runs that went to scratch files (for tests and for the curious).
  size_t scratch_runs() const { return scratch_runs_; }

  // Reads the records in order, after finish().
  class Cursor {
   public:
    // The next record's key, or nullopt after the last; an error if a scratch file fails.
    // payload() is that record's payload until the next call.
    Result<std::optional<Key>> next() {
      if (current_) {
        Reader& r = readers_[*current_];
        r.at += kHeadBytes + r.payload_bytes;
        LEDGER_RETURN_IF_ERROR(load(r));
        if (r.has) push(*current_);
        current_.reset();
      }
      if (heap_.empty()) return std::optional<Key>();
      std::pop_heap(heap_.begin(), heap_.end(), later());
      current_ = heap_.back();
      heap_.pop_back();
      return std::optional<Key>(readers_[*current_].key);
    }

    std::string_view payload() const {
      if (!current_) return {};
      const Reader& r = readers_[*current_];
      return {r.bytes() + r.at + kHeadBytes, r.payload_bytes};
    }

   private:
    friend class ExternalSort;
    // One run being read: its bytes in [at, size()), the whole run in memory or a window of it.
    struct Reader {
      const std::string* memory = nullptr;
      const ScratchFile* file = nullptr;
      uint64_t unread = 0;  // The part of the file not yet in the window: [unread, end).
      uint64_t end = 0;
      std::string window;
      size_t at = 0;
      Key key{};
      uint64_t arrival = 0;
      uint32_t payload_bytes = 0;
      bool has = false;
      const char* bytes() const { return memory ? memory->data() : window.data(); }
      size_t size() const { return memory ? memory->size() : window.size(); }
    };

    // Makes `n` bytes from the reader's position readable.
    Status need(Reader& r, size_t n) const {
      if (r.size() - r.at >= n) return Status::ok();
      if (r.file == nullptr) return damaged();
      r.window.erase(0, r.at);
      r.at = 0;
      const size_t have = r.window.size();
      const auto want = static_cast<size_t>(
          std::min<uint64_t>(std::max(read_bytes_, n - have), r.end - r.unread));
      r.window.resize(have + want);
      LEDGER_RETURN_IF_ERROR(r.file->read(r.unread, r.window.data() + have, want));
      r.unread += want;
      return r.window.size() >= n ? Status::ok() : damaged();
    }

    // The whole record at the reader's position, or `has` false at the end of its run.
    Status load(Reader& r) const {
      r.has = r.at < r.size() || (r.file != nullptr && r.unread < r.end);
      if (!r.has) return Status::ok();
      LEDGER_RETURN_IF_ERROR(need(r, kHeadBytes));
      const char* p = r.bytes() + r.at;
      r.key = get_bytes<Key>(p);
      r.arrival = get_bytes<uint64_t>(p);
      r.payload_bytes = get_bytes<uint32_t>(p);
      return need(r, kHeadBytes + r.payload_bytes);
    }

    // A heap of reader numbers whose top has the least key, the earliest arrival among equal
    // keys. The comparator is made afresh for each use: a cursor is moved, and must not point
    // at itself.
    auto later() const {
      return [this](size_t a, size_t b) {
        const Reader& x = readers_[a];
        const Reader& y = readers_[b];
        if (sorter_->less_(y.key, x.key)) return true;
        if (sorter_->less_(x.key, y.key)) return false;
        return y.arrival < x.arrival;
      };
    }
    void push(size_t i) {
      heap_.push_back(i);
      std::push_heap(heap_.begin(), heap_.end(), later());
    }

    explicit Cursor(const ExternalSort& sorter) : sorter_(&sorter) {
      size_t files = 0;
      for (const Run& run : sorter.runs_) files += run.file != nullptr ? 1 : 0;
      // The windows share a quarter of the memory, within bounds that keep reads large.
      read_bytes_ = std::clamp<size_t>(sorter.memory_bytes_ / 4 / std::max<size_t>(files, 1),
                                       size_t{4} << 10, kReadBytes);
    }
    Status start() {
      readers_.resize(sorter_->runs_.size());
      for (size_t i = 0; i < readers_.size(); ++i) {
        const Run& run = sorter_->runs_[i];
        Reader& r = readers_[i];
        if (run.memory != nullptr) r.memory = &(sorter_->*run.memory);
        r.file = run.file;
        r.unread = run.begin;
        r.end = run.end;
        LEDGER_RETURN_IF_ERROR(load(r));
        if (r.has) push(i);
      }
      return Status::ok();
    }

    const ExternalSort* sorter_;
    size_t read_bytes_ = kReadBytes;
    std::vector<Reader> readers_;
    std::vector<size_t> heap_;
    std::optional<size_t> current_;  // The reader whose record next() returned last.
  };

  Result<Cursor> cursor() const {
    Cursor c(*this);
    LEDGER_RETURN_IF_ERROR(c.start());
    return c;
  }

 private:
  static Status damaged() {
    return {ErrorCode::kInternal, "a scratch file does not read back as written"};
  }

  static void put_record(std::string& out, const Key& key, uint64_t arrival,
                         std::string_view payload) {
    put_bytes(out, key);
    put_bytes(out, arrival);
    put_text(out, payload);
  }

  static Result<std::unique_ptr<ScratchFile>> create_scratch() {
    auto file = ScratchFile::create();
    if (!file) return file.status();
    return std::make_unique<ScratchFile>(std::move(*file));
  }

  Status flush_in_order() {
    if (!in_order_file_) {
      auto file = create_scratch();
      if (!file) return file.status();
      in_order_file_ = std::move(*file);
      ++scratch_runs_;
    }
    LEDGER_RETURN_IF_ERROR(in_order_file_->append(in_order_.data(), in_order_.size()));
    in_order_.clear();
    return Status::ok();
  }

  // The out-of-order records, sorted, as one run's bytes; the buffer is left empty.
  std::string sorted_out_of_order() {
    std::sort(waiting_.begin(), waiting_.end(), [this](const Waiting& a, const Waiting& b) {
      if (less_(a.key, b.key)) return true;
      if (less_(b.key, a.key)) return false;
      return a.arrival < b.arrival;
    });
    std::string sorted;
    sorted.reserve(out_of_order_.size());
    for (const Waiting& w : waiting_) {
      const char* p = out_of_order_.data() + w.offset + kHeadBytes - sizeof(uint32_t);
      const auto payload_bytes = get_bytes<uint32_t>(p);
      sorted.append(out_of_order_, w.offset, kHeadBytes + payload_bytes);
    }
    out_of_order_.clear();
    waiting_.clear();
    return sorted;
  }

  Status spill() {
    if (!out_of_order_file_) {
      auto file = create_scratch();
      if (!file) return file.status();
      out_of_order_file_ = std::move(*file);
    }
    const std::string sorted = sorted_out_of_order();
    const uint64_t begin = out_of_order_file_->size();
    LEDGER_RETURN_IF_ERROR(out_of_order_file_->append(sorted.data(), sorted.size()));
    spilled_.emplace_back(begin, out_of_order_file_->size());
    ++scratch_runs_;
    return Status::ok();
  }

  size_t memory_bytes_;
  Less less_;
  uint64_t size_ = 0;
  size_t scratch_runs_ = 0;
  std::optional<Key> last_in_order_;
  std::string in_order_;  // Records in order not yet written to scratch.
  std::unique_ptr<ScratchFile> in_order_file_;
  std::string out_of_order_;  // Records in arrival order; `waiting_` indexes them.
  std::vector<Waiting> waiting_;
  std::unique_ptr<ScratchFile> out_of_order_file_;  // Every spilled run, back to back.
  std::vector<std::pair<uint64_t, uint64_t>> spilled_;  // Their [begin, end) there.
  std::string rest_;  // The out-of-order records left at finish(), sorted.
  std::vector<Run> runs_;
};

}  // namespace ledger::util
