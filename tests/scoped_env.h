#pragma once
// An environment variable set for one test and put back as it was, whatever the test does.

#include <doctest/doctest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace ledger::testing {

class ScopedEnv {
 public:
  explicit ScopedEnv(const char* name) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
  }
  ScopedEnv(const char* name, const char* value) : ScopedEnv(name) { set(value); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() { restore(); }

  void set(const char* value) { REQUIRE(::setenv(name_, value, 1) == 0); }
  void unset() { REQUIRE(::unsetenv(name_) == 0); }
  void restore() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace ledger::testing
