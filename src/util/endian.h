#pragma once
// Little-endian fixed-width encoding. Every integer on disk is little-endian whatever the host.

#include <bit>
#include <cstdint>
#include <cstring>

namespace ledger::util {

template <class T>
inline T to_little(T v) {
  if constexpr (std::endian::native == std::endian::big) {
    if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
    if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
    if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
  }
  return v;
}

template <class T>
inline void put(unsigned char* dst, T v) {
  v = to_little(v);
  std::memcpy(dst, &v, sizeof v);
}

template <class T>
inline T get(const unsigned char* src) {
  T v;
  std::memcpy(&v, src, sizeof v);
  return to_little(v);
}

}  // namespace ledger::util
