#pragma once
// A check shared by the fuzz targets that end with a ledger state: encoded for a snapshot and
// decoded again, it is the same state, and encoding that gives the same bytes.

#include <span>
#include <string>
#include <vector>

#include "domain/ledger_state.h"
#include "domain/state_codec.h"
#include "fuzz_support.h"

namespace ledger::fuzz {

inline void check_same_accounts(const domain::LedgerState& a, const domain::LedgerState& b) {
  check(a.last_seq() == b.last_seq());
  const std::vector<const domain::Account*> x = a.sorted_accounts();
  const std::vector<const domain::Account*> y = b.sorted_accounts();
  check(x.size() == y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    check(x[i]->id == y[i]->id && x[i]->owner == y[i]->owner);
    check(x[i]->currency.code == y[i]->currency.code);
    check(x[i]->currency.decimals == y[i]->currency.decimals);
    check(x[i]->balance == y[i]->balance && x[i]->closed == y[i]->closed);
    check(x[i]->overdraft_limit == y[i]->overdraft_limit);
    check(x[i]->opened_effective_ns == y[i]->opened_effective_ns);
  }
}

inline std::span<const unsigned char> bytes_of(const std::string& s) {
  return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

inline void check_state_round_trip(const domain::LedgerState& state) {
  const std::string encoded = domain::encode_state(state);
  auto decoded = domain::decode_state(bytes_of(encoded), false);
  check(decoded.is_ok());
  check_same_accounts(state, *decoded);
  check(domain::encode_state(*decoded) == encoded);
  // Every account the decoded state holds can be found by its id.
  for (const domain::Account& account : decoded->accounts()) {
    check(decoded->find(account.id) != nullptr);
  }
}

}  // namespace ledger::fuzz
