// RFC 9162 Merkle trees: the Certificate Transparency reference vectors (the tree heads of the
// eight leaves that RFC 6962's reference code and every CT log test, and their proofs), then
// every size up to 70 against an oracle written here from the RFC's recursive definitions.
#include "util/merkle.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <bit>
#include <string>
#include <vector>

using namespace ledger::util::merkle;

namespace {

std::vector<unsigned char> bytes_of(const std::string& hex) {
  std::vector<unsigned char> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

Hash h(const char* hex) {
  auto hash = from_hex(hex);
  REQUIRE(hash.has_value());
  return *hash;
}

const std::vector<std::string> kLeaves = {
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f"};

const char* const kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<Hash> reference_leaf_hashes() {
  std::vector<Hash> out;
  for (const auto& leaf : kLeaves) out.push_back(leaf_hash(bytes_of(leaf)));
  return out;
}

// The oracle: SHA-256 through EVP (not the code under test), and MTH, PATH and PROOF as the
// RFC writes them, over explicit lists.
Hash oracle_sha(const std::vector<unsigned char>& bytes) {
  Hash out;
  unsigned int n = 0;
  REQUIRE(EVP_Digest(bytes.data(), bytes.size(), out.data(), &n, EVP_sha256(), nullptr) == 1);
  return out;
}

Hash oracle_node(const Hash& l, const Hash& r) {
  std::vector<unsigned char> b{0x01};
  b.insert(b.end(), l.begin(), l.end());
  b.insert(b.end(), r.begin(), r.end());
  return oracle_sha(b);
}

uint64_t oracle_k(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

using Leaves = std::vector<Hash>;  // Leaf hashes.

Hash mth(const Leaves& d) {
  if (d.empty()) return oracle_sha({});
  if (d.size() == 1) return d[0];
  const uint64_t k = oracle_k(d.size());
  return oracle_node(mth(Leaves(d.begin(), d.begin() + k)), mth(Leaves(d.begin() + k, d.end())));
}

std::vector<Hash> path(uint64_t m, const Leaves& d) {
  if (d.size() <= 1) return {};
  const uint64_t k = oracle_k(d.size());
  const Leaves left(d.begin(), d.begin() + k);
  const Leaves right(d.begin() + k, d.end());
  std::vector<Hash> out = m < k ? path(m, left) : path(m - k, right);
  out.push_back(m < k ? mth(right) : mth(left));
  return out;
}

std::vector<Hash> subproof(uint64_t m, const Leaves& d, bool b) {
  if (m == d.size()) return b ? std::vector<Hash>{} : std::vector<Hash>{mth(d)};
  const uint64_t k = oracle_k(d.size());
  const Leaves left(d.begin(), d.begin() + k);
  const Leaves right(d.begin() + k, d.end());
  std::vector<Hash> out = m <= k ? subproof(m, left, b) : subproof(m - k, right, false);
  out.push_back(m <= k ? mth(right) : mth(left));
  return out;
}

// What a store does with *_ranges(): hashes each subtree.
std::vector<Hash> hashes_of(const std::vector<Range>& ranges, const Leaves& d) {
  std::vector<Hash> out;
  for (const Range& r : ranges) {
    RangeHasher hasher;
    for (uint64_t i = r.begin; i < r.end; ++i) hasher.push(d[i]);
    out.push_back(hasher.root());
  }
  return out;
}

Leaves pseudo_leaves(size_t n) {
  Leaves out;
  for (size_t i = 0; i < n; ++i) {
    const std::string text = "leaf " + std::to_string(i * 7919);
    out.push_back(leaf_hash({reinterpret_cast<const unsigned char*>(text.data()), text.size()}));
  }
  return out;
}

}  // namespace

TEST_CASE("the reference tree heads of the eight CT leaves, sizes 0 to 8") {
  const Leaves leaves = reference_leaf_hashes();
  CHECK(to_hex(empty_root()) == kRoots[0]);
  RangeHasher hasher;
  CHECK(to_hex(hasher.root()) == kRoots[0]);
  for (size_t n = 1; n <= leaves.size(); ++n) {
    hasher.push(leaves[n - 1]);
    CHECK(hasher.size() == n);
    CHECK(to_hex(hasher.root()) == kRoots[n]);
  }
}

TEST_CASE("the reference inclusion proofs") {
  const Leaves leaves = reference_leaf_hashes();
  struct Case {
    uint64_t index, size;
    std::vector<const char*> proof;
  };
  const Case cases[] = {
      {0, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5, 8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const Case& c : cases) {
    std::vector<Hash> want;
    for (const char* p : c.proof) want.push_back(h(p));
    CHECK(hashes_of(inclusion_ranges(c.index, c.size), leaves) == want);
    CHECK(verify_inclusion(c.index, c.size, leaves[c.index], want, h(kRoots[c.size])));
    CHECK_FALSE(verify_inclusion(c.index, c.size, leaves[c.index + 1], want, h(kRoots[c.size])));
  }
}

TEST_CASE("the reference consistency proofs") {
  const Leaves leaves = reference_leaf_hashes();
  struct Case {
    uint64_t first, second;
    std::vector<const char*> proof;
  };
  const Case cases[] = {
      {2, 8,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6, 8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const Case& c : cases) {
    std::vector<Hash> want;
    for (const char* p : c.proof) want.push_back(h(p));
    CHECK(hashes_of(consistency_ranges(c.first, c.second), leaves) == want);
    CHECK(verify_consistency(c.first, c.second, h(kRoots[c.first]), h(kRoots[c.second]), want));
    CHECK_FALSE(
        verify_consistency(c.first, c.second, h(kRoots[c.first - 1]), h(kRoots[c.second]), want));
  }
}

TEST_CASE("every size to 70: roots, and every proof as the RFC's recursion gives it") {
  const Leaves all = pseudo_leaves(70);
  std::vector<Hash> roots;
  RangeHasher hasher;
  roots.push_back(hasher.root());
  for (const Hash& leaf : all) {
    hasher.push(leaf);
    roots.push_back(hasher.root());
  }
  for (uint64_t n = 0; n <= all.size(); ++n) {
    const Leaves d(all.begin(), all.begin() + n);
    REQUIRE(roots[n] == mth(d));
    for (uint64_t m = 0; m < n; ++m) {
      const std::vector<Hash> proof = hashes_of(inclusion_ranges(m, n), d);
      REQUIRE(proof == path(m, d));
      REQUIRE(verify_inclusion(m, n, d[m], proof, roots[n]));
      CHECK_FALSE(verify_inclusion(m, n, d[m], proof, roots[n == 1 ? 0 : n - 1]));
      if (!proof.empty()) {
        std::vector<Hash> bad = proof;
        bad.back()[7] ^= 0x01;
        REQUIRE_FALSE(verify_inclusion(m, n, d[m], bad, roots[n]));
        bad = proof;
        bad.pop_back();
        REQUIRE_FALSE(verify_inclusion(m, n, d[m], bad, roots[n]));
        bad = proof;
        bad.push_back(proof.front());
        REQUIRE_FALSE(verify_inclusion(m, n, d[m], bad, roots[n]));
      }
    }
    CHECK_FALSE(verify_inclusion(n, n, all[0], {}, roots[n]));
    for (uint64_t m = 0; m <= n; ++m) {
      const std::vector<Hash> proof = hashes_of(consistency_ranges(m, n), d);
      if (m > 0 && m < n) REQUIRE(proof == subproof(m, d, true));
      REQUIRE(verify_consistency(m, n, roots[m], roots[n], proof));
      if (m > 0 && m < n) {
        std::vector<Hash> bad = proof;
        bad.front()[3] ^= 0x80;
        REQUIRE_FALSE(verify_consistency(m, n, roots[m], roots[n], bad));
        bad = proof;
        bad.pop_back();
        REQUIRE_FALSE(verify_consistency(m, n, roots[m], roots[n], bad));
        // The old tree's root changed: history before m was rewritten.
        REQUIRE_FALSE(verify_consistency(m, n, roots[m - 1], roots[n], proof));
      }
    }
  }
  CHECK_FALSE(verify_consistency(5, 4, roots[5], roots[4], {}));
  CHECK_FALSE(verify_consistency(4, 4, roots[4], roots[5], {}));
  CHECK_FALSE(verify_consistency(0, 8, roots[1], roots[8], {}));
}

TEST_CASE("hex: 64 digits, either case, nothing else") {
  const Hash root = h(kRoots[8]);
  CHECK(to_hex(root) == kRoots[8]);
  CHECK(from_hex("5DC9DA79A70659A9AD559CB701DED9A2AB9D823AAD2F4960CFE370EFF4604328") == root);
  CHECK_FALSE(from_hex("5dc9").has_value());
  CHECK_FALSE(from_hex(std::string(kRoots[8]) + "0").has_value());
  CHECK_FALSE(from_hex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff460432g"));
}
