#pragma once
// Files for the targets that read from disk: a private work directory per target, and a way to
// write each input into it fast.

#include <stdlib.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <system_error>

namespace ledger::fuzz {

namespace detail {
// The directories' names are kept in plain arrays because the atexit handler runs after static
// objects have been destroyed. Two targets read from disk; the g++ replay links both.
inline char g_work_dirs[2][4096];
inline size_t g_work_dir_count = 0;

inline void remove_work_dirs() {
  for (size_t i = 0; i < g_work_dir_count; ++i) {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(g_work_dirs[i]), ec);
  }
}
}  // namespace detail

// Makes a private directory named after `prefix` in the temporary folder, removed at a normal
// exit (a crash leaves it, holding the input), so parallel fuzzing jobs and test runs never see
// each other's files. Call it once per target, from a function-local static.
inline std::filesystem::path make_work_dir(const char* prefix) {
  using detail::g_work_dir_count;
  using detail::g_work_dirs;
  const std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (g_work_dir_count == std::size(g_work_dirs) || pattern.size() >= sizeof g_work_dirs[0]) {
    std::abort();
  }
  char* name = g_work_dirs[g_work_dir_count];
  pattern.copy(name, pattern.size());
  if (mkdtemp(name) == nullptr) {
    std::perror("fuzz: mkdtemp");
    std::abort();
  }
  if (g_work_dir_count++ == 0) std::atexit(detail::remove_work_dirs);
  return std::filesystem::path(name);
}

// Overwrites the file in place and then cuts it to size. Opening it with O_TRUNC instead made
// every input wait for the disk: ext4 flushes a file truncated to zero and rewritten when it is
// closed (auto_da_alloc), which more than doubled the time of each input. A failed write is the
// environment's fault, not a finding: abort rather than trap.
inline void overwrite_file(const std::filesystem::path& path, std::span<const unsigned char> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::in | std::ios::out);
  if (!out.is_open()) out.open(path, std::ios::binary);  // The first input creates the file.
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  std::error_code ec;
  std::filesystem::resize_file(path, bytes.size(), ec);
  if (!out || ec) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

}  // namespace ledger::fuzz
