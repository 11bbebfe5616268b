#include "domain/event_codec.h"

#include "domain/event_view.h"

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <fmt/format.h>
#include <sstream>
#include <streambuf>

namespace ledger::domain {

// Field order is the schema: version 1 of each type. A new version appends or changes fields
// under a new number and decode_event keeps reading the old one.
template <class Archive>
void serialize(Archive& ar, RefKey& r) {
  ar(r.ref, r.digest);
}
template <class Archive>
void serialize(Archive& ar, AccountOpened& e) {
  ar(e.account, e.owner, e.currency, e.overdraft_limit, e.ref);
}
template <class Archive>
void serialize(Archive& ar, MoneyDeposited& e) {
  ar(e.account, e.amount, e.memo, e.ref);
}
template <class Archive>
void serialize(Archive& ar, MoneyWithdrawn& e) {
  ar(e.account, e.amount, e.memo, e.ref);
}
template <class Archive>
void serialize(Archive& ar, MoneyTransferred& e) {
  ar(e.from, e.to, e.amount, e.memo, e.ref);
}
template <class Archive>
void serialize(Archive& ar, AccountClosed& e) {
  ar(e.account, e.ref);
}

const RefKey& ref_of(const Event& event) {
  return std::visit([](const auto& e) -> const RefKey& { return e.ref; }, event);
}

const char* event_type_name(const Event& event) {
  static constexpr const char* kNames[] = {"AccountOpened", "MoneyDeposited", "MoneyWithdrawn",
                                           "MoneyTransferred", "AccountClosed"};
  return kNames[event.index()];
}

namespace {

// Reads from the payload bytes in place, without copying them into a string stream.
class SpanBuffer : public std::streambuf {
 public:
  void reset(std::span<const unsigned char> bytes) {
    char* begin = const_cast<char*>(reinterpret_cast<const char*>(bytes.data()));
    setg(begin, begin, begin + bytes.size());
  }
  bool exhausted() { return gptr() == egptr(); }
};

// Building a std::istream costs more than decoding a small event (locale set-up), so each
// thread keeps one and points it at each payload in turn.
struct Decoder {
  SpanBuffer buffer;
  std::istream in{&buffer};
};

template <class T>
Result<Event> read_v1(std::span<const unsigned char> payload) {
  thread_local Decoder decoder;
  decoder.buffer.reset(payload);
  decoder.in.clear();
  T event;
  try {
    cereal::PortableBinaryInputArchive archive(decoder.in);
    archive(event);
  } catch (const std::exception& e) {
    return Status(ErrorCode::kCorruption, fmt::format("undecodable event payload: {}", e.what()));
  }
  if (!decoder.buffer.exhausted()) {
    return Status(ErrorCode::kCorruption, "event payload has trailing bytes");
  }
  return Event(std::move(event));
}

}  // namespace

EncodedEvent encode_event(const Event& event) {
  thread_local std::ostringstream out;  // Reused for the reason Decoder is.
  out.str(std::string());
  out.clear();
  {
    cereal::PortableBinaryOutputArchive archive(out);
    std::visit([&archive](const auto& e) { archive(e); }, event);
  }
  return {static_cast<uint16_t>(event.index() + 1), kEventSchemaVersion, out.str()};
}

Result<Event> decode_event(uint16_t type, uint16_t version, std::span<const unsigned char> payload) {
  if (version == 0 || version > kEventSchemaVersion) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("event schema version {} of type {} is newer than this build reads",
                              version, type));
  }
  // Cereal trusts a string's length before it reads the string: damaged bytes could make it
  // reserve gigabytes. The view decoder bounds every length, so it vets the bytes first.
  EventView view;
  LEDGER_RETURN_IF_ERROR(decode_event_view(type, version, payload, view));
  // Only version 1 exists so far; an upcast from it would go here, per type.
  switch (static_cast<EventType>(type)) {
    case EventType::kAccountOpened: return read_v1<AccountOpened>(payload);
    case EventType::kMoneyDeposited: return read_v1<MoneyDeposited>(payload);
    case EventType::kMoneyWithdrawn: return read_v1<MoneyWithdrawn>(payload);
    case EventType::kMoneyTransferred: return read_v1<MoneyTransferred>(payload);
    case EventType::kAccountClosed: return read_v1<AccountClosed>(payload);
  }
  return Status(ErrorCode::kCorruption, fmt::format("unknown event type {}", type));
}

}  // namespace ledger::domain
