// Replays the seed corpus of every fuzz target under the ordinary (g++) build, so that every
// saved input, regressions included, runs on each test run without clang. A broken invariant
// traps inside the target and fails the test run. Each target is linked in here with an entry
// point of its own name (tests/CMakeLists.txt sets LEDGER_FUZZ_ENTRY per file).

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" {
int ledger_fuzz_segment_decoder(const uint8_t* data, size_t size);
int ledger_fuzz_snapshot(const uint8_t* data, size_t size);
int ledger_fuzz_csv_import(const uint8_t* data, size_t size);
int ledger_fuzz_jsonl_import(const uint8_t* data, size_t size);
int ledger_fuzz_amount(const uint8_t* data, size_t size);
int ledger_fuzz_date(const uint8_t* data, size_t size);
int ledger_fuzz_proof(const uint8_t* data, size_t size);
}

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

using Entry = int (*)(const uint8_t*, size_t);

// Runs every input of tests/fuzz/corpus/<target>/ through the target's entry point.
void replay(const char* target, Entry entry) {
  const fs::path dir = fs::path(LEDGER_TEST_DATA "/fuzz/corpus") / target;
  INFO("target: ", target);
  REQUIRE(fs::is_directory(dir));
  const std::vector<fs::path> files = corpus_files(dir);
  // A handful of inputs proves little; an empty or misplaced corpus must not pass.
  CHECK(files.size() >= 20);
  for (const fs::path& file : files) {
    INFO("input: ", file.filename().string());
    const std::vector<unsigned char> bytes = read_input(file);
    CHECK(entry(bytes.data(), bytes.size()) == 0);
  }
}

}  // namespace

TEST_SUITE("fuzz") {
  TEST_CASE("every saved segment decoder input runs without breaking an invariant") {
    replay("segment_decoder", ledger_fuzz_segment_decoder);
  }
  TEST_CASE("every saved snapshot input runs without breaking an invariant") {
    replay("snapshot", ledger_fuzz_snapshot);
  }
  TEST_CASE("every saved CSV import input runs without breaking an invariant") {
    replay("csv_import", ledger_fuzz_csv_import);
  }
  TEST_CASE("every saved JSON-lines import input runs without breaking an invariant") {
    replay("jsonl_import", ledger_fuzz_jsonl_import);
  }
  TEST_CASE("every saved amount input runs without breaking an invariant") {
    replay("amount", ledger_fuzz_amount);
  }
  TEST_CASE("every saved date input runs without breaking an invariant") {
    replay("date", ledger_fuzz_date);
  }
  TEST_CASE("every saved digest and proof input runs without breaking an invariant") {
    replay("proof", ledger_fuzz_proof);
  }
}
