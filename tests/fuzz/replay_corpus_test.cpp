// Replays the seed corpus of the segment decoder fuzz target under the ordinary (g++) build, so
// that every saved input, regressions included, runs on each test run without clang. A broken
// invariant traps inside the target and fails the test run.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<unsigned char> read_input(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Sorted, so that a failure names the same file on every run.
std::vector<fs::path> corpus_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_SUITE("fuzz") {
  TEST_CASE("every saved segment decoder input runs without breaking an invariant") {
    const fs::path dir = LEDGER_TEST_DATA "/fuzz/corpus/segment_decoder/";
    REQUIRE(fs::is_directory(dir));
    const std::vector<fs::path> files = corpus_files(dir);
    // A handful of inputs proves little; an empty or misplaced corpus must not pass.
    CHECK(files.size() >= 20);
    for (const fs::path& file : files) {
      INFO("input: ", file.filename().string());
      const std::vector<unsigned char> bytes = read_input(file);
      CHECK(LLVMFuzzerTestOneInput(bytes.data(), bytes.size()) == 0);
    }
  }
}
