#pragma once
// A stream buffer that gives back bytes already taken from a stream, then the rest of that
// stream: what lets a reader look at the start of its input (to tell JSON lines from CSV) when
// the input cannot seek back, as standard input often cannot.

#include <array>
#include <istream>
#include <streambuf>
#include <string>

namespace ledger::util {

class PrefixedStreambuf final : public std::streambuf {
 public:
  // `head`: what was read from `rest` so far; `rest` must outlive this buffer.
  PrefixedStreambuf(std::string head, std::istream& rest) : head_(std::move(head)), rest_(rest) {
    setg(head_.data(), head_.data(), head_.data() + head_.size());
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    rest_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    const std::streamsize count = rest_.gcount();
    // The stream reading through this buffer catches this and sets its badbit: a read error
    // must not pass for the end of the input.
    if (count <= 0 && rest_.bad()) throw std::ios_base::failure("read error");
    if (count <= 0) return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + count);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::string head_;
  std::istream& rest_;
  std::array<char, 64 * 1024> buffer_{};
};

}  // namespace ledger::util
