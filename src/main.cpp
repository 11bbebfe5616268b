#include <malloc.h>

#include "cli/app.h"

int main(int argc, char** argv) {
  // Every command is a short process, and on a virtual machine each page it touches for the
  // first time is a fault that costs microseconds. By default glibc gives a block of 128 KiB or
  // more its own mapping and unmaps it when freed, so a vector that grows, or a buffer freed and
  // taken again, faults in fresh pages each time. Blocks under 4 MiB stay in the heap, where
  // freed memory is reused (docs/architecture.md); larger ones, an import's sort buffers, are
  // still given back, so that no command's peak grows (a threshold of 256 MiB raised an
  // import's from 39 to 42 MB).
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  return ledger::cli::run(argc, argv);
}
