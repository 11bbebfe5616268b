#pragma once
// Values as bytes in host order, for records that live only as long as the process (in memory
// and in scratch files): put appends one to a string, get reads one and moves past it. Nothing
// stored on disk for later uses these (see endian.h).

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

namespace ledger::util {

template <class T>
void put_bytes(std::string& out, const T& value) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
T get_bytes(const char*& at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  at += sizeof value;
  return value;
}

// A string as its length (u32) and its bytes.
inline void put_text(std::string& out, std::string_view s) {
  put_bytes(out, static_cast<uint32_t>(s.size()));
  out += s;
}

inline void get_text(const char*& at, std::string& s) {
  const auto size = get_bytes<uint32_t>(at);
  s.assign(at, size);
  at += size;
}

}  // namespace ledger::util
