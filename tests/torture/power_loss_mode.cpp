#include "torture/modes.h"
namespace ledger::torture {
void run_power_loss_mode(const DriverOptions&, Tally&) {}
}
