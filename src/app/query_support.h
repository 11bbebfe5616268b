#pragma once
// What the query side of the Ledger service shares: an account as the API shows it, and the
// refusal for an account that is not there (with "did you mean").

#include <filesystem>
#include <string>

#include "domain/ledger_state.h"
#include "ledger/ledger.h"

namespace ledger::app {

AccountView view_of(const domain::Account& account);
// The refusal for `id`, which a state of a few accounts did not find: "did you mean" needs every
// id, so every account is loaded, only for the refusal.
Status unknown_account(const std::filesystem::path& dir, const std::string& id,
                       const Cutoffs& cutoffs);

}  // namespace ledger::app
