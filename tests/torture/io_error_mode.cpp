#include "torture/modes.h"
namespace ledger::torture {
void run_io_error_mode(const DriverOptions&, Tally&) {}
}
