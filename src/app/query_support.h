#pragma once
// What the sides of the Ledger service share: an account as the API shows it, the amount a write
// confirms, the refusal for an account that is not there (with "did you mean"), and the one for
// a location that holds no ledger at all.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "domain/event_view.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"

namespace ledger::app {

AccountView view_of(const domain::Account& account);
AccountView view_of(domain::Account&& account);
// The line an event makes in `id`'s statement, if it moves money of that account.
std::optional<StatementLine> line_of(const domain::EventAt& e, std::string_view id);
// The amount `command` moves, as `state` reads it ("5.00 USD"), for its confirmation; empty for
// a command that moves none. Called once the command was decided, so its amount is valid.
std::string amount_moved(const domain::LedgerState& state, const Command& command);
// The refusal for `id`, which a state of a few accounts did not find: "did you mean" needs every
// id, so every account is loaded, only for the refusal.
Status unknown_account(const std::filesystem::path& dir, const std::string& id,
                       const Cutoffs& cutoffs);
// The same refusal, "did you mean" from the accounts of `state` (known as of `cutoffs`).
Status unknown_account_among(const domain::LedgerState& state, const std::string& id,
                             const Cutoffs& cutoffs);

// Ok when `dir` holds a ledger: a segment file, live or archived (the first write makes one, and
// neither compaction nor a purge removes the newest). A missing directory, an empty one, or one
// of other files holds none, and a query of it is refused as missing input (kNotFound): an
// empty answer would let a mistyped --dir pass for an empty ledger.
Status require_ledger(const std::filesystem::path& dir);
// The refusal itself, for a caller that has listed the segments already and found none.
Status no_ledger(const std::filesystem::path& dir);

}  // namespace ledger::app
