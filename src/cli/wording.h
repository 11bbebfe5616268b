#pragma once
// Counts and sizes in the sentences people read: "1 segment", "2 segments", "1,234,567 events",
// "8.6 KiB" (a small compaction said "0.0 MiB").

#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace ledger::cli {

// 1234567 -> "1,234,567".
inline std::string grouped(uint64_t n) {
  std::string digits = std::to_string(n);
  for (size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

// (1, "segment", "segments") -> "1 segment"; (2, ...) -> "2 segments".
inline std::string plural(uint64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", grouped(n), n == 1 ? one : many);
}

// 900 -> "900 bytes", 8800 -> "8.6 KiB", 9437184 -> "9.0 MiB", in binary units.
inline std::string size_text(uint64_t bytes) {
  if (bytes < 1024) return plural(bytes, "byte", "bytes");
  if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", bytes / 1024.0);
  if (bytes < uint64_t{1} << 30) return fmt::format("{:.1f} MiB", bytes / 1048576.0);
  return fmt::format("{:.1f} GiB", bytes / 1073741824.0);
}

}  // namespace ledger::cli
