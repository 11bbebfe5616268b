#include "domain/event_view.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "domain/event_codec.h"

namespace ledger::domain {

namespace {

// Reads the bytes that Cereal's PortableBinaryOutputArchive writes: a 1-byte flag (1: the
// writer was little-endian), then each field in order. Integers are 8 bytes in the writer's
// byte order, which Cereal's reader swaps when the flag is anything but 1; strings are a
// uint64 length followed by that many bytes. Every read checks the bounds; the first failing
// one makes `ok` false and every later read a no-op.
class PortableReader {
 public:
  explicit PortableReader(std::span<const unsigned char> bytes)
      : next_(bytes.data()), end_(bytes.data() + bytes.size()) {
    if (next_ == end_) {
      ok_ = false;
      return;
    }
    swap_ = *next_++ != 1;
  }

  uint64_t u64() {
    if (!ok_ || end_ - next_ < 8) {
      ok_ = false;
      return 0;
    }
    uint64_t v;
    std::memcpy(&v, next_, 8);
    next_ += 8;
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return swap_ ? __builtin_bswap64(v) : v;
  }
  int64_t i64() { return static_cast<int64_t>(u64()); }

  std::string_view str() {
    const uint64_t size = u64();
    if (!ok_ || static_cast<uint64_t>(end_ - next_) < size) {
      ok_ = false;
      return {};
    }
    const std::string_view s(reinterpret_cast<const char*>(next_), size);
    next_ += size;
    return s;
  }

  void ref(EventView& out) {
    out.ref = str();
    out.ref_digest = u64();
  }

  bool ok() const { return ok_; }
  bool exhausted() const { return next_ == end_; }

 private:
  const unsigned char* next_;
  const unsigned char* end_;
  bool swap_ = false;
  bool ok_ = true;
};

// Field order is the schema (version 1 of each type), as event_codec.cpp's serialize() has it.
bool read_fields(PortableReader& in, EventView& out) {
  switch (out.type) {
    case EventType::kAccountOpened:
      out.account = in.str();
      out.owner = in.str();
      out.currency = in.str();
      out.overdraft_limit = in.i64();
      in.ref(out);
      return true;
    case EventType::kMoneyDeposited:
    case EventType::kMoneyWithdrawn:
      out.account = in.str();
      out.amount = in.i64();
      out.memo = in.str();
      in.ref(out);
      return true;
    case EventType::kMoneyTransferred:
      out.from = in.str();
      out.to = in.str();
      out.amount = in.i64();
      out.memo = in.str();
      in.ref(out);
      return true;
    case EventType::kAccountClosed:
      out.account = in.str();
      in.ref(out);
      return true;
  }
  return false;
}

}  // namespace

Status decode_event_view(uint16_t type, uint16_t version, std::span<const unsigned char> payload,
                         EventView& out) {
  if (version == 0 || version > kEventSchemaVersion) [[unlikely]] {
    return Status(ErrorCode::kCorruption,
                  fmt::format("event schema version {} of type {} is newer than this build reads",
                              version, type));
  }
  out = EventView{};
  out.type = static_cast<EventType>(type);
  PortableReader in(payload);
  if (!read_fields(in, out)) [[unlikely]] {
    return Status(ErrorCode::kCorruption, fmt::format("unknown event type {}", type));
  }
  if (!in.ok()) [[unlikely]] {
    return Status(ErrorCode::kCorruption, "undecodable event payload: it ends inside a field");
  }
  if (!in.exhausted()) [[unlikely]] {
    return Status(ErrorCode::kCorruption, "event payload has trailing bytes");
  }
  return Status::ok();
}

Event to_event(const EventView& v) {
  const RefKey ref{std::string(v.ref), v.ref_digest};
  switch (v.type) {
    case EventType::kAccountOpened:
      return AccountOpened{std::string(v.account), std::string(v.owner), std::string(v.currency),
                           v.overdraft_limit, ref};
    case EventType::kMoneyDeposited:
      return MoneyDeposited{std::string(v.account), v.amount, std::string(v.memo), ref};
    case EventType::kMoneyWithdrawn:
      return MoneyWithdrawn{std::string(v.account), v.amount, std::string(v.memo), ref};
    case EventType::kMoneyTransferred:
      return MoneyTransferred{std::string(v.from), std::string(v.to), v.amount, std::string(v.memo),
                              ref};
    case EventType::kAccountClosed:
      return AccountClosed{std::string(v.account), ref};
  }
  return AccountClosed{std::string(v.account), ref};  // Unreachable: decode refuses other types.
}

EventView view_of(const Event& event) {
  struct ToView {
    EventView operator()(const AccountOpened& e) const {
      EventView v = base(EventType::kAccountOpened, e.ref);
      v.account = e.account;
      v.owner = e.owner;
      v.currency = e.currency;
      v.overdraft_limit = e.overdraft_limit;
      return v;
    }
    EventView operator()(const MoneyDeposited& e) const {
      return money(EventType::kMoneyDeposited, e.account, e.amount, e.memo, e.ref);
    }
    EventView operator()(const MoneyWithdrawn& e) const {
      return money(EventType::kMoneyWithdrawn, e.account, e.amount, e.memo, e.ref);
    }
    EventView operator()(const MoneyTransferred& e) const {
      EventView v = money(EventType::kMoneyTransferred, {}, e.amount, e.memo, e.ref);
      v.from = e.from;
      v.to = e.to;
      return v;
    }
    EventView operator()(const AccountClosed& e) const {
      EventView v = base(EventType::kAccountClosed, e.ref);
      v.account = e.account;
      return v;
    }
    static EventView base(EventType type, const RefKey& ref) {
      EventView v;
      v.type = type;
      v.ref = ref.ref;
      v.ref_digest = ref.digest;
      return v;
    }
    static EventView money(EventType type, std::string_view account, int64_t amount,
                           std::string_view memo, const RefKey& ref) {
      EventView v = base(type, ref);
      v.account = account;
      v.amount = amount;
      v.memo = memo;
      return v;
    }
  };
  return std::visit(ToView{}, event);
}

}  // namespace ledger::domain
