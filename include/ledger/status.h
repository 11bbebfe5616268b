#pragma once
// Errors as values. A Status carries a code and a message that names what failed; Result<T>
// carries either a value or a failed Status. Only the CLI turns codes into exit statuses.

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace ledger {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,  // The caller asked for something malformed (bad input data).
  kNotFound,         // A file or record that should exist does not.
  kConflict,         // A stale expected version: another writer committed first.
  kRefused,          // A rule of the ledger refused the request (funds, unknown account, ref).
  kCorruption,       // Stored data failed a checksum or an invariant.
  kIoError,          // The operating system refused a read, write or sync.
  kLocked,           // Another writer holds the ledger.
  kInternal,         // A bug: an invariant of our own code did not hold.
  kUsage,            // The command line asks for something it cannot (exit 64).
  kIndexDamaged,     // A derived index failed its checks: the log can rebuild it.
};

// The part of a command (an import row's column) that an error is about, where one is.
enum class ErrorField {
  kNone, kOp, kAccount, kTo, kAmount, kDate, kCurrency, kOverdraftLimit, kRef, kOwner, kMemo
};

const char* error_code_name(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message, ErrorField field = ErrorField::kNone)
      : code_(code), message_(std::move(message)), field_(field) {}

  static Status ok() { return {}; }
  bool is_ok() const { return code_ == ErrorCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  ErrorField field() const { return field_; }
  // The same error, about `field`.
  Status about(ErrorField field) const { return Status(code_, message_, field); }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  ErrorField field_ = ErrorField::kNone;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design, like expected.
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.is_ok() && "a Result holding no value must hold an error");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  // By value, so that `for (auto& x : *make_result())` cannot dangle.
  T value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T operator*() && { return std::move(*value_); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace ledger

// Propagates a failed Status from an expression returning Status.
#define LEDGER_RETURN_IF_ERROR(expr)       \
  do {                                     \
    if (::ledger::Status s_ = (expr); !s_) \
      return s_;                           \
  } while (0)
