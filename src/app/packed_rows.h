#pragma once
// Import rows held until they can be applied in timeline order, compactly: each row's fields as
// length-prefixed bytes in 1 MiB chunks (about 70 bytes a row of a bank export, where the
// commands themselves take about 230), so that a large import holds its rows in a fraction of
// the memory, and never two copies of them while the buffer grows.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ledger/ledger.h"

namespace ledger::app {

class PackedRows {
 public:
  void add(const ImportRow& row);
  size_t size() const { return places_.size(); }
  // The row added `index`-th, rebuilt.
  ImportRow at(size_t index) const;

 private:
  static constexpr size_t kChunkBytes = size_t{1} << 20;
  void put(const void* data, size_t size);
  void put_text(const std::string& text);

  std::vector<std::string> chunks_;
  std::vector<uint64_t> places_;  // Chunk << 32 | offset of each row.
};

}  // namespace ledger::app
