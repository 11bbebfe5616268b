#pragma once
// What the query side of the Ledger service shares: an account as the API shows it, and the
// refusal for an account that is not there (with "did you mean").

#include <string>

#include "domain/ledger_state.h"
#include "ledger/ledger.h"

namespace ledger::app {

AccountView view_of(const domain::Account& account);
Status unknown_account(const domain::LedgerState& state, const std::string& id,
                       const Cutoffs& cutoffs);

}  // namespace ledger::app
