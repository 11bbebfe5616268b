#include <malloc.h>

#include "cli/app.h"

int main(int argc, char** argv) {
  // Every command is a short process, and on a virtual machine each page it touches for the
  // first time is a fault that costs microseconds. By default glibc gives a block of 128 KiB or
  // more its own mapping and unmaps it when freed, so a vector that grows, or a buffer freed and
  // taken again, faults in fresh pages each time. Kept in the heap instead, freed memory is
  // reused: `balance` of 10,000 accounts took 1,548 faults instead of 1,931 (docs/architecture.md).
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  return ledger::cli::run(argc, argv);
}
