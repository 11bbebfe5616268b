// store_sim: runs the store's seeded simulation (tests/store/store_sim.h) seed after seed.
//
//   store_sim --seed N                one seed (reproduces a failure that named it)
//   store_sim --seconds S [--seed N]  seeds N, N+1, ... until S seconds have passed
//   store_sim ... --ops K             operations per seed (default 2000)
//
// Prints one torture-failure line per failed seed, then the torture-summary line; exits 1 if
// any seed failed.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "store/store_sim.h"

namespace {

int usage() {
  std::fputs("usage: store_sim [--seed N] [--seconds S] [--ops K]\n", stderr);
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ledger::store::testing;
  uint64_t seed = 1;
  double seconds = 0;
  bool seed_given = false;
  SimConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    char* end = nullptr;
    if (arg == "--seed") {
      seed = std::strtoull(value, &end, 10);
      seed_given = true;
    } else if (arg == "--seconds") {
      seconds = std::strtod(value, &end);
    } else if (arg == "--ops") {
      config.ops = std::strtoull(value, &end, 10);
    } else {
      return usage();
    }
    if (end == value || *end != '\0') return usage();
  }
  if (!seed_given && seconds <= 0) seconds = 10;

  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  uint64_t runs = 0, ops = 0, crashes = 0, faults = 0, checks = 0, failures = 0;
  do {
    const SimResult r = run_simulation(seed, config);
    ++runs;
    ops += r.ops;
    crashes += r.crashes;
    faults += r.faults;
    checks += r.checks;
    if (!r.failure.empty()) {
      ++failures;
      fmt::print("torture-failure: store_sim seed={} {}\n", seed, r.failure);
      std::fflush(stdout);
    }
    ++seed;
  } while (elapsed() < seconds);
  fmt::print(
      "torture-summary: store_sim seconds={:.0f} runs={} ops={} crashes={} faults={} checks={} "
      "failures={}\n",
      elapsed(), runs, ops, crashes, faults, checks, failures);
  return failures == 0 ? 0 : 1;
}
