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
  // scheme://user:password@host: everything between the first ':' after the scheme and '@'.
  const size_t scheme_end = shown.find("://");
  if (scheme_end != std::string::npos) {
    const size_t authority = scheme_end + 3;
    const size_t at = shown.find('@', authority);
    const size_t slash = shown.find('/', authority);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const size_t colon = shown.find(':', authority);
      if (colon != std::string::npos && colon < at) shown.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // ?password=... or &password=...
  for (std::string_view key : {"?password=", "&password="}) {
    const size_t at = shown.find(key);
    if (at == std::string::npos) continue;
    const size_t value = at + key.size();
    const size_t end = shown.find('&', value);
    shown.replace(value, (end == std::string::npos ? shown.size() : end) - value, "***");
  }
  return shown;
}

}  // namespace ledger::store
