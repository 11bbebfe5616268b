#include "torture/modes.h"
namespace ledger::torture {
void run_concurrency_mode(const DriverOptions&, Tally&) {}
}
