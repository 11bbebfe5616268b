#pragma once
// Fixed-size records sorted in bounded memory, as sort(1) does: records fill a buffer, each full
// buffer is sorted and written to a scratch file as a run, and reading merges the runs. A set
// that fits the buffer never leaves memory. The sorted records can be read any number of times.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

#include "util/scratch_file.h"

namespace ledger::util {

template <class T, class Less = std::less<T>>
class ExternalSort {
  static_assert(std::is_trivially_copyable_v<T>, "records go to a file byte for byte");

  struct RunFile {
    const ScratchFile* file;
    uint64_t begin;
    uint64_t end;
  };

 public:
  static constexpr size_t kMemoryBytes = size_t{16} << 20;
  // What each run reads from the scratch file at a time while merging.
  static constexpr size_t kReadBytes = size_t{64} << 10;

  explicit ExternalSort(size_t memory_bytes = kMemoryBytes, Less less = Less())
      : capacity_(std::max<size_t>(1, memory_bytes / sizeof(T))), less_(less) {}

  Status add(const T& record) {
    if (buffer_.size() == capacity_) {
      if (Status s = spill(); !s) return s;
    }
    if (buffer_.capacity() == 0) buffer_.reserve(std::min<size_t>(capacity_, 4096));
    buffer_.push_back(record);
    ++size_;
    return Status::ok();
  }

  // Ends the adding: cursors read the records in order from here on.
  Status finish() {
    if (runs_.empty()) {
      std::stable_sort(buffer_.begin(), buffer_.end(), less_);
      return Status::ok();
    }
    if (!buffer_.empty()) {
      if (Status s = spill(); !s) return s;
    }
    buffer_ = {};
    return Status::ok();
  }

  uint64_t size() const { return size_; }
  size_t scratch_runs() const { return runs_.size(); }

  // Reads the records in order, after finish(). Equal records come in no particular order.
  class Cursor {
   public:
    // The next record, or nullopt after the last; an error if the scratch file fails.
    Result<std::optional<T>> next() {
      if (sorter_->runs_.empty()) {
        if (at_ == sorter_->buffer_.size()) return std::optional<T>();
        return std::optional<T>(sorter_->buffer_[at_++]);
      }
      if (heap_.empty()) return std::optional<T>();
      std::pop_heap(heap_.begin(), heap_.end(), later());
      const size_t i = heap_.back();
      heap_.pop_back();
      const T record = heads_[i].current;
      if (Status s = heads_[i].advance(sorter_->runs_[i]); !s) return s;
      if (heads_[i].has) push(i);
      return std::optional<T>(record);
    }

   private:
    friend class ExternalSort;
    struct Head {
      uint64_t offset = 0;  // Of the next record of the run not yet in `window`.
      std::vector<T> window;
      size_t at = 0;
      T current{};
      bool has = false;
      Status advance(const RunFile& run) {
        if (at == window.size()) {
          const uint64_t left = (run.end - offset) / sizeof(T);
          window.resize(std::min<uint64_t>(left, std::max<size_t>(1, kReadBytes / sizeof(T))));
          at = 0;
          if (window.empty()) {
            has = false;
            return Status::ok();
          }
          const size_t bytes = window.size() * sizeof(T);
          LEDGER_RETURN_IF_ERROR(run.file->read(offset, window.data(), bytes));
          offset += bytes;
        }
        current = window[at++];
        has = true;
        return Status::ok();
      }
    };
    // A heap of run numbers whose top is the run with the least current record. The
    // comparator is made afresh for each use: a cursor is moved, and must not point at itself.
    auto later() const {
      return [this](size_t a, size_t b) {
        return sorter_->less_(heads_[b].current, heads_[a].current);
      };
    }
    void push(size_t i) {
      heap_.push_back(i);
      std::push_heap(heap_.begin(), heap_.end(), later());
    }

    explicit Cursor(const ExternalSort& sorter) : sorter_(&sorter), heads_(sorter.runs_.size()) {}
    Status start() {
      for (size_t i = 0; i < heads_.size(); ++i) {
        heads_[i].offset = sorter_->runs_[i].begin;
        if (Status s = heads_[i].advance(sorter_->runs_[i]); !s) return s;
        if (heads_[i].has) push(i);
      }
      return Status::ok();
    }

    const ExternalSort* sorter_;
    size_t at_ = 0;  // In the sorter's buffer, when nothing was spilled.
    std::vector<Head> heads_;
    std::vector<size_t> heap_;
  };

  Result<Cursor> cursor() const {
    Cursor c(*this);
    if (Status s = c.start(); !s) return s;
    return c;
  }

 private:
  Status spill() {
    std::sort(buffer_.begin(), buffer_.end(), less_);
    if (!scratch_) {
      auto file = ScratchFile::create();
      if (!file) return file.status();
      scratch_ = std::make_unique<ScratchFile>(std::move(*file));
    }
    const uint64_t begin = scratch_->size();
    if (Status s = scratch_->append(buffer_.data(), buffer_.size() * sizeof(T)); !s) return s;
    runs_.push_back({scratch_.get(), begin, scratch_->size()});
    buffer_.clear();
    return Status::ok();
  }

  size_t capacity_;
  Less less_;
  std::vector<T> buffer_;
  std::unique_ptr<ScratchFile> scratch_;  // Every run, back to back.
  std::vector<RunFile> runs_;
  uint64_t size_ = 0;
};

}  // namespace ledger::util
