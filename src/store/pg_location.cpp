#include "store/pg_location.h"

namespace ledger::store {

namespace {
bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}
}  // namespace

bool is_postgres_location(std::string_view location) {
  return starts_with(location, "postgresql://") || starts_with(location, "postgres://");
}

std::string redacted_location(std::string_view location) {
  std::string shown(location);
  // scheme://user:password@host/...: everything between the first ':' after the scheme and the
  // last '@' before the query (a password may hold '/', '?' or ':'; an '@' in it would have to
  // be percent-encoded).
  const size_t scheme_end = shown.find("://");
  if (scheme_end != std::string::npos) {
    const size_t authority = scheme_end + 3;
    const size_t at = shown.rfind('@', shown.find('?', authority));
    if (at != std::string::npos && at >= authority) {
      const size_t colon = shown.find(':', authority);
      if (colon != std::string::npos && colon < at) shown.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // ?password=..., &sslpassword=...: the value, up to the next parameter.
  for (std::string_view key : {"password=", "sslpassword="}) {
    for (size_t at = shown.find(key); at != std::string::npos; at = shown.find(key, at + 1)) {
      if (at == 0 || (shown[at - 1] != '?' && shown[at - 1] != '&')) continue;
      const size_t value = at + key.size();
      const size_t end = shown.find('&', value);
      shown.replace(value, (end == std::string::npos ? shown.size() : end) - value, "***");
    }
  }
  return shown;
}

}  // namespace ledger::store
