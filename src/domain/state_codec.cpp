#include "domain/state_codec.h"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <fmt/format.h>
#include <sstream>

namespace ledger::domain {

namespace {

// Field order is the schema: version 1 ends at opened_effective_ns.
struct StoredAccount {
  std::string id;
  std::string owner;
  std::string currency;
  int64_t overdraft_limit = 0;
  int64_t balance = 0;
  bool closed = false;
  int64_t opened_effective_ns = 0;
  int64_t closed_effective_ns = 0;
  int64_t last_posting_ns = 0;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, owner, currency, overdraft_limit, balance, closed, opened_effective_ns,
       closed_effective_ns, last_posting_ns);
  }
};

// Reads what StoredAccount::serialize writes, in the same order. Cereal would size each string
// by the length it reads, so a damaged length could ask for gigabytes: a string longer than the
// bytes left in the payload is refused before anything is allocated for it.
void load_account(cereal::PortableBinaryInputArchive& archive, std::istringstream& in,
                  uint64_t payload_size, uint32_t version, StoredAccount& s) {
  auto load_string = [&](std::string& out) {
    cereal::size_type size = 0;
    archive(cereal::make_size_tag(size));
    const auto at = static_cast<uint64_t>(in.tellg());
    if (at > payload_size || size > payload_size - at) {
      throw cereal::Exception("a string is longer than the bytes left");
    }
    out.resize(size);
    archive(cereal::binary_data(out.data(), size));
  };
  load_string(s.id);
  load_string(s.owner);
  load_string(s.currency);
  // A bool is one byte, and any value but 0 or 1 in it would be undefined behaviour.
  uint8_t closed = 0;
  archive(s.overdraft_limit, s.balance, closed, s.opened_effective_ns);
  if (closed > 1) throw cereal::Exception("the closed flag is neither 0 nor 1");
  s.closed = closed == 1;
  if (version >= 2) {
    archive(s.closed_effective_ns, s.last_posting_ns);
  } else {
    s.closed_effective_ns = s.closed ? INT64_MIN : INT64_MAX;
    s.last_posting_ns = kPostingTimeUnknown;
  }
}

}  // namespace

std::string encode_state(const LedgerState& state) {
  std::ostringstream out;
  {
    cereal::PortableBinaryOutputArchive archive(out);
    const std::vector<const Account*> accounts = state.sorted_accounts();
    archive(kStateSchemaVersion, state.last_seq(), static_cast<uint64_t>(accounts.size()));
    for (const Account* a : accounts) {
      StoredAccount stored{a->id,      a->owner,  a->currency.code,     a->overdraft_limit,
                           a->balance, a->closed, a->opened_effective_ns, a->closed_effective_ns,
                           a->last_posting_ns};
      archive(stored);
    }
  }
  return std::move(out).str();
}

Result<LedgerState> decode_state(std::span<const unsigned char> bytes, bool track_refs) {
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::istringstream in(text);
  uint32_t version = 0;
  uint64_t last_seq = 0;
  uint64_t count = 0;
  std::vector<Account> accounts;
  try {
    cereal::PortableBinaryInputArchive archive(in);
    archive(version);
    if (version == 0 || version > kStateSchemaVersion) {
      return Status(ErrorCode::kCorruption,
                    fmt::format("snapshot state version {} is not supported", version));
    }
    archive(last_seq, count);
    // Each account takes at least a few bytes: a count beyond that is damage, not a reason to
    // reserve gigabytes.
    if (count > bytes.size()) return Status(ErrorCode::kCorruption, "impossible account count");
    accounts.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      StoredAccount s;
      load_account(archive, in, bytes.size(), version, s);
      auto currency = find_currency(s.currency);
      if (!currency) return Status(ErrorCode::kCorruption, currency.status().message());
      Account& a = accounts.emplace_back();
      a.id = std::move(s.id);
      a.owner = std::move(s.owner);
      a.currency = *currency;
      a.overdraft_limit = s.overdraft_limit;
      a.balance = s.balance;
      a.closed = s.closed;
      // Version 1 kept the instant of the opening; an account is open from the start of its day.
      a.opened_effective_ns =
          version >= 2 ? s.opened_effective_ns : opening_day_start(s.opened_effective_ns);
      a.closed_effective_ns = s.closed_effective_ns;
      a.last_posting_ns = s.last_posting_ns;
    }
  } catch (const std::exception& e) {
    return Status(ErrorCode::kCorruption, fmt::format("undecodable snapshot state: {}", e.what()));
  }
  if (in.peek() != std::char_traits<char>::eof()) {
    return Status(ErrorCode::kCorruption, "snapshot state has trailing bytes");
  }
  LedgerState state(track_refs);
  state.restore(std::move(accounts), last_seq);
  return state;
}

}  // namespace ledger::domain
