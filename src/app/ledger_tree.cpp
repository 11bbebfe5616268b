// digest, verify --digest and prove: the Merkle tree over the log (app/log_tree.h), whichever
// store holds it.
#include <fmt/format.h>

#include "app/log_tree.h"
#include "app/query_support.h"
#include "ledger/ledger.h"

namespace ledger {

namespace {

app::LeafFeed leaves_of(const std::shared_ptr<Books>& books, const std::filesystem::path& dir) {
  if (!books) return app::directory_leaves(dir);
  return [books](uint64_t limit, const app::LeafVisit& visit) {
    return books->visit_leaves(limit, visit);
  };
}

}  // namespace

Result<TreeHead> Ledger::digest(std::optional<uint64_t> size) const {
  if (!books_) LEDGER_RETURN_IF_ERROR(app::require_ledger(options_.dir));
  return app::tree_head_of(leaves_of(books_, options_.dir), size);
}

Result<DigestCheck> Ledger::check_digest(const TreeHead& kept) const {
  if (!books_) LEDGER_RETURN_IF_ERROR(app::require_ledger(options_.dir));
  return app::check_digest_of(leaves_of(books_, options_.dir), kept);
}

Result<std::string> Ledger::prove(uint64_t seq, const TreeHead& at) const {
  if (!books_) LEDGER_RETURN_IF_ERROR(app::require_ledger(options_.dir));
  auto decimals = [this](const std::string& account) -> Result<int> {
    auto views = balances({account}, Cutoffs{});
    if (!views) return views.status();
    return views->empty() ? 2 : views->front().decimals;
  };
  return app::prove_of(leaves_of(books_, options_.dir), seq, at, decimals);
}

}  // namespace ledger
