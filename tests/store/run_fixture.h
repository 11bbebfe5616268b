#pragma once
// Helpers shared by the sorted run and run set tests: entries with pseudo-random keys, writing a
// run in one call, and byte-level damage of a file.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "store/sorted_run.h"

namespace ledger::store::testing {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The entry numbered `i`: a pseudo-random key, and values that say which entry it is.
inline RunEntry entry_number(uint64_t i, uint64_t value_tag = 0) {
  return {splitmix64(2 * i), splitmix64(2 * i + 1), i, value_tag};
}

// Entries numbered [first, first + count), sorted by key.
inline std::vector<RunEntry> sorted_entries(uint64_t first, uint64_t count, uint64_t tag = 0) {
  std::vector<RunEntry> entries;
  entries.reserve(count);
  for (uint64_t i = first; i < first + count; ++i) entries.push_back(entry_number(i, tag));
  std::sort(entries.begin(), entries.end(),
            [](const RunEntry& a, const RunEntry& b) { return a.key() < b.key(); });
  return entries;
}

inline Status write_run(const std::filesystem::path& path, const std::vector<RunEntry>& entries,
                        RunMeta meta = {1, 1}, Syscalls& sys = real_syscalls(),
                        uint32_t block_entries = kRunBlockEntries) {
  auto writer = SortedRunWriter::create(sys, path, meta, block_entries);
  if (!writer) return writer.status();
  for (const RunEntry& e : entries) LEDGER_RETURN_IF_ERROR(writer->add(e));
  return writer->finish();
}

// Flips bit `bit` of the byte at `offset`.
inline void flip_byte_bit(const std::filesystem::path& path, uint64_t offset, int bit = 0) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(c);
  REQUIRE(f);
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace ledger::store::testing
