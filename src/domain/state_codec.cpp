#include "domain/state_codec.h"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <fmt/format.h>
#include <algorithm>
#include <cstring>
#include <sstream>

#include "util/endian.h"

namespace ledger::domain {

namespace {

// Version 3: after Cereal's header and the version, the last sequence number, the account
// count and the heap's size (u64 each), then the records, then the heap. A record:
//   0 id offset, 4 id size, 8 owner offset, 12 owner size (u32, into the heap)
//   16 currency code (4 bytes, NUL-padded), 20 closed (0 or 1), 21-23 zero
//   24 overdraft limit, 32 balance, 40 opened, 48 closed at, 56 latest posting (i64)
constexpr size_t kTableHeaderBytes = 24;
constexpr size_t kRecordBytes = 64;

Status damaged(const std::string& what) {
  return {ErrorCode::kCorruption, "snapshot state: " + what};
}

// The schema version and where what follows it begins.
Result<std::pair<uint32_t, size_t>> version_of(std::span<const unsigned char> bytes) {
  // Cereal's header and a u32: a few bytes, read through Cereal itself.
  const std::string head(reinterpret_cast<const char*>(bytes.data()),
                         std::min<size_t>(bytes.size(), 16));
  std::istringstream in(head);
  uint32_t version = 0;
  try {
    cereal::PortableBinaryInputArchive archive(in);
    archive(version);
  } catch (const std::exception& e) {
    return damaged(fmt::format("undecodable: {}", e.what()));
  }
  if (version == 0 || version > kStateSchemaVersion) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("snapshot state version {} is not supported", version));
  }
  return std::pair<uint32_t, size_t>{version, static_cast<size_t>(in.tellg())};
}

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
  const std::vector<const Account*> accounts = state.sorted_accounts();
  std::string heap;
  for (const Account* a : accounts) heap += a->id + a->owner;
  std::ostringstream header;
  {
    cereal::PortableBinaryOutputArchive archive(header);
    archive(kStateSchemaVersion);
  }
  std::string out = std::move(header).str();
  const size_t table_at = out.size() + kTableHeaderBytes;
  out.resize(table_at + accounts.size() * kRecordBytes);
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  util::put<uint64_t>(p + table_at - kTableHeaderBytes, state.last_seq());
  util::put<uint64_t>(p + table_at - kTableHeaderBytes + 8, accounts.size());
  util::put<uint64_t>(p + table_at - kTableHeaderBytes + 16, heap.size());
  uint32_t at = 0;
  for (size_t i = 0; i < accounts.size(); ++i) {
    const Account& a = *accounts[i];
    unsigned char* r = p + table_at + i * kRecordBytes;
    util::put<uint32_t>(r + 0, at);
    util::put<uint32_t>(r + 4, static_cast<uint32_t>(a.id.size()));
    at += static_cast<uint32_t>(a.id.size());
    util::put<uint32_t>(r + 8, at);
    util::put<uint32_t>(r + 12, static_cast<uint32_t>(a.owner.size()));
    at += static_cast<uint32_t>(a.owner.size());
    std::memcpy(r + 16, a.currency.code.data(), std::min<size_t>(a.currency.code.size(), 4));
    r[20] = a.closed ? 1 : 0;
    util::put<int64_t>(r + 24, a.overdraft_limit);
    util::put<int64_t>(r + 32, a.balance);
    util::put<int64_t>(r + 40, a.opened_effective_ns);
    util::put<int64_t>(r + 48, a.closed_effective_ns);
    util::put<int64_t>(r + 56, a.last_posting_ns);
  }
  out += heap;
  return out;
}

// Versions 1 and 2: Cereal's archive, an account after another.
static Result<LedgerState> decode_archived_state(std::span<const unsigned char> bytes, bool track_refs) {
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::istringstream in(text);
  uint32_t version = 0;
  uint64_t last_seq = 0;
  uint64_t count = 0;
  std::vector<Account> accounts;
  try {
    cereal::PortableBinaryInputArchive archive(in);
    archive(version);
    if (version == 0 || version > 2) {
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
  // No account twice: a state never holds one id twice, and the table it is written to next
  // could not.
  std::vector<std::string_view> ids;
  for (const Account& a : accounts) ids.push_back(a.id);
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) return damaged("an id twice");
  LedgerState state(track_refs);
  state.restore(std::move(accounts), last_seq);
  return state;
}

Result<StateTable> StateTable::open(std::span<const unsigned char> bytes) {
  auto table = open_at(bytes, bytes.size());
  if (table) table->whole_ = bytes;
  return table;
}

Result<StateTable> StateTable::open(const StateBytes& bytes) {
  // Cereal's header, the version and the table's header lie in the first 64 bytes.
  auto head = bytes.read(0, std::min<uint64_t>(bytes.size(), 64));
  if (!head) return head.status();
  auto table = open_at(*head, bytes.size());
  if (table) table->source_ = &bytes;
  return table;
}

Result<StateTable> StateTable::open_at(std::span<const unsigned char> head, uint64_t size) {
  auto version = version_of(head);
  if (!version) return version.status();
  if (version->first < 3) return Status(ErrorCode::kNotFound, "an archived state, not a table");
  const size_t at = version->second;
  if (head.size() < at + kTableHeaderBytes) return damaged("truncated header");
  StateTable table;
  const unsigned char* p = head.data() + at;
  table.last_seq_ = util::get<uint64_t>(p);
  table.count_ = util::get<uint64_t>(p + 8);
  table.heap_bytes_ = util::get<uint64_t>(p + 16);
  const uint64_t room = size - at - kTableHeaderBytes;
  if (table.count_ > room / kRecordBytes || table.heap_bytes_ != room - table.count_ * kRecordBytes) {
    return damaged("its account count and heap do not add up to its size");
  }
  table.records_at_ = at + kTableHeaderBytes;
  table.heap_at_ = table.records_at_ + table.count_ * kRecordBytes;
  return table;
}

Result<std::span<const unsigned char>> StateTable::bytes(uint64_t offset, uint64_t size) const {
  if (source_ != nullptr) return source_->read(offset, size);
  return whole_.subspan(offset, size);
}

Result<const unsigned char*> StateTable::record(uint64_t index) const {
  auto r = bytes(records_at_ + index * kRecordBytes, kRecordBytes);
  if (!r) return r.status();
  return r->data();
}

Result<std::string_view> StateTable::heap_text(uint64_t offset, uint64_t size,
                                               const char* what) const {
  if (offset > heap_bytes_ || size > heap_bytes_ - offset) {
    return damaged(fmt::format("{} outside the heap", what));
  }
  auto text = bytes(heap_at_ + offset, size);
  if (!text) return text.status();
  return std::string_view(reinterpret_cast<const char*>(text->data()), size);
}

Result<std::string_view> StateTable::id_at(uint64_t index) const {
  auto r = record(index);
  if (!r) return r.status();
  return heap_text(util::get<uint32_t>(*r), util::get<uint32_t>(*r + 4), "an id");
}

Result<Account> StateTable::at(uint64_t index) const {
  auto record_at = record(index);
  if (!record_at) return record_at.status();
  const unsigned char* r = *record_at;
  auto id = heap_text(util::get<uint32_t>(r), util::get<uint32_t>(r + 4), "an id");
  if (!id) return id.status();
  auto owner = heap_text(util::get<uint32_t>(r + 8), util::get<uint32_t>(r + 12), "an owner");
  if (!owner) return owner.status();
  const auto* code = reinterpret_cast<const char*>(r + 16);
  auto currency = find_currency(std::string_view(code, strnlen(code, 4)));
  if (!currency) return damaged(currency.status().message());
  if (r[20] > 1 || r[21] != 0 || r[22] != 0 || r[23] != 0) return damaged("a bad closed flag");
  Account a;
  a.id = *id;
  a.owner = *owner;
  a.currency = *currency;
  a.closed = r[20] == 1;
  a.overdraft_limit = util::get<int64_t>(r + 24);
  a.balance = util::get<int64_t>(r + 32);
  a.opened_effective_ns = util::get<int64_t>(r + 40);
  a.closed_effective_ns = util::get<int64_t>(r + 48);
  a.last_posting_ns = util::get<int64_t>(r + 56);
  return a;
}

Result<std::optional<Account>> StateTable::find(std::string_view id) const {
  uint64_t low = 0;
  uint64_t high = count_;
  while (low < high) {
    const uint64_t mid = low + (high - low) / 2;
    auto at_mid = id_at(mid);
    if (!at_mid) return at_mid.status();
    if (*at_mid == id) {
      auto account = at(mid);
      if (!account) return account.status();
      return std::optional<Account>(std::move(*account));
    }
    if (*at_mid < id) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return std::optional<Account>();
}

Result<LedgerState> decode_state(std::span<const unsigned char> bytes, bool track_refs) {
  auto table = StateTable::open(bytes);
  if (!table && table.status().code() == ErrorCode::kNotFound) {
    return decode_archived_state(bytes, track_refs);
  }
  if (!table) return table.status();
  std::vector<Account> accounts;
  accounts.reserve(table->size());
  for (uint64_t i = 0; i < table->size(); ++i) {
    auto account = table->at(i);
    if (!account) return account.status();
    // Strictly in order: what a binary search finds is then the only account with its id.
    if (i > 0 && !(accounts.back().id < account->id)) return damaged("ids out of order");
    accounts.push_back(std::move(*account));
  }
  LedgerState state(track_refs);
  state.restore(std::move(accounts), table->last_seq());
  return state;
}

}  // namespace ledger::domain
