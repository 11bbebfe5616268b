// digest, verify --digest and prove: the Merkle tree over the log (app/log_tree.h), whichever
// store holds it.
#include <fmt/format.h>

#include "app/log_tree.h"
#include "app/query_support.h"
#include "ledger/ledger.h"

namespace ledger {

namespace {

Result<std::unique_ptr<app::TreeSource>> tree_of(const std::shared_ptr<Books>& books,
                                                  const std::filesystem::path& dir) {
  if (!books) {
    LEDGER_RETURN_IF_ERROR(app::require_ledger(dir));
    return app::directory_tree(dir);
  }
  return app::books_tree(books);
}

}  // namespace

Result<TreeHead> Ledger::digest(std::optional<uint64_t> size) const {
  auto tree = tree_of(books_, options_.dir);
  if (!tree) return tree.status();
  return app::tree_head_of(**tree, size);
}

Result<uint64_t> Ledger::tree_size() const {
  auto tree = tree_of(books_, options_.dir);
  if (!tree) return tree.status();
  return (*tree)->size();
}

Result<TreeHead> Ledger::digest_known_at(std::optional<int64_t> known_at_ns) const {
  auto tree = tree_of(books_, options_.dir);
  if (!tree) return tree.status();
  return app::tree_head_known_at(**tree, known_at_ns);
}

Result<DigestCheck> Ledger::check_digest(const TreeHead& kept) const {
  auto tree = tree_of(books_, options_.dir);
  if (!tree) return tree.status();
  return app::check_digest_of(**tree, kept);
}

Result<std::string> Ledger::prove(uint64_t seq, const TreeHead& at) const {
  auto tree = tree_of(books_, options_.dir);
  if (!tree) return tree.status();
  return app::prove_of(**tree, seq, at);
}

}  // namespace ledger
