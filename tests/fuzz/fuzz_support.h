#pragma once
// What the libFuzzer targets share: the entry point's name, the trap, and byte helpers.
//
// Under clang (scripts/fuzz) each target is its own executable and its entry point is
// LLVMFuzzerTestOneInput. The g++ test build links every target into one corpus replay test
// (replay_corpus_test.cpp), so there each file is compiled with LEDGER_FUZZ_ENTRY set to a name
// of its own, e.g. ledger_fuzz_snapshot.

#include <cstddef>
#include <cstdint>
#include <string_view>

#ifndef LEDGER_FUZZ_ENTRY
#define LEDGER_FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

namespace ledger::fuzz {

// A broken invariant is a bug in the code under test (or in the target): stop right here, so
// that libFuzzer saves the input and the stack points at the check that failed.
inline void check(bool holds) {
  if (!holds) __builtin_trap();
}

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Whether `s` is valid UTF-8 (no overlong forms, surrogates or code points beyond U+10FFFF),
// written here independently of the code under test.
inline bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    size_t length = 1;
    uint32_t cp = lead;
    if (lead >= 0x80) {
      if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        cp = lead & 0x1F;
      } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        cp = lead & 0x0F;
      } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        cp = lead & 0x07;
      } else {
        return false;
      }
      if (s.size() - i < length) return false;
      for (size_t k = 1; k < length; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) return false;
        cp = (cp << 6) | (c & 0x3F);
      }
      const uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
      if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace ledger::fuzz
