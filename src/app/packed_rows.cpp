#include "app/packed_rows.h"

#include <cstring>
#include <type_traits>

namespace ledger::app {

namespace {

// Reads back, in order, what PackedRows::put wrote.
class Unpacker {
 public:
  explicit Unpacker(const char* at) : at_(at) {}
  template <class T>
  T value() {
    T v;
    std::memcpy(&v, at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  std::string text() {
    const auto size = value<uint32_t>();
    std::string s(at_, size);
    at_ += size;
    return s;
  }

 private:
  const char* at_;
};

// The string fields of each command, in one order for packing and unpacking.
template <class C, class F>
void fields(C& c, F f) {
  using T = std::remove_const_t<C>;
  if constexpr (std::is_same_v<T, OpenAccount>) {
    f(c.account), f(c.owner), f(c.currency), f(c.overdraft_limit), f(c.ref);
  } else if constexpr (std::is_same_v<T, Transfer>) {
    f(c.from), f(c.to), f(c.amount), f(c.memo), f(c.ref);
  } else if constexpr (std::is_same_v<T, CloseAccount>) {
    f(c.account), f(c.ref);
  } else {  // Deposit, Withdraw.
    f(c.account), f(c.amount), f(c.memo), f(c.ref);
  }
}

}  // namespace

void PackedRows::put(const void* data, size_t size) {
  std::string& chunk = chunks_.back();
  chunk.append(static_cast<const char*>(data), size);
}

void PackedRows::put_text(const std::string& text) {
  const auto size = static_cast<uint32_t>(text.size());
  put(&size, sizeof size);
  put(text.data(), text.size());
}

void PackedRows::add(const ImportRow& row) {
  // A row never spans two chunks; a chunk is started when the next row might not fit (a row
  // holds at most a few fields of at most one line each, far below a chunk).
  size_t size = 32;
  std::visit([&size](const auto& c) { fields(c, [&size](const std::string& s) { size += 4 + s.size(); }); },
             row.command);
  if (chunks_.empty() || chunks_.back().size() + size > chunks_.back().capacity()) {
    chunks_.emplace_back();
    chunks_.back().reserve(std::max(kChunkBytes, size));
  }
  places_.push_back(uint64_t{chunks_.size() - 1} << 32 | chunks_.back().size());
  const auto kind = static_cast<uint8_t>(row.command.index());
  const uint64_t line = row.line;
  put(&kind, sizeof kind);
  put(&line, sizeof line);
  const auto& effective = std::visit([](const auto& c) -> const std::optional<EffectiveTime>& {
    return c.effective;
  }, row.command);
  const uint8_t has = effective ? (effective->date ? 2 : 1) : 0;
  put(&has, sizeof has);
  if (effective) put(&effective->ns, sizeof effective->ns);
  std::visit([this](const auto& c) { fields(c, [this](const std::string& s) { put_text(s); }); },
             row.command);
}

ImportRow PackedRows::at(size_t index) const {
  const uint64_t place = places_[index];
  Unpacker in(chunks_[place >> 32].data() + (place & 0xFFFFFFFFu));
  const auto kind = in.value<uint8_t>();
  ImportRow row;
  row.line = static_cast<size_t>(in.value<uint64_t>());
  const auto has = in.value<uint8_t>();
  std::optional<EffectiveTime> effective;
  if (has != 0) effective = EffectiveTime{in.value<int64_t>(), has == 2};
  auto fill = [&](auto command) {
    command.effective = effective;
    fields(command, [&in](std::string& s) { s = in.text(); });
    row.command = std::move(command);
  };
  switch (kind) {
    case 0: fill(OpenAccount{}); break;
    case 1: fill(Deposit{}); break;
    case 2: fill(Withdraw{}); break;
    case 3: fill(Transfer{}); break;
    default: fill(CloseAccount{}); break;
  }
  return row;
}

}  // namespace ledger::app
