#include <cstdlib>

#include "ledger/ledger.h"

namespace ledger {

namespace {
const char* non_empty_env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}
}  // namespace

std::filesystem::path resolve_data_dir(const std::optional<std::string>& flag) {
  if (flag && !flag->empty()) return *flag;
  if (const char* dir = non_empty_env("LEDGER_DIR")) return dir;
  if (const char* xdg = non_empty_env("XDG_DATA_HOME")) return std::filesystem::path(xdg) / "ledger";
  const char* home = non_empty_env("HOME");
  return std::filesystem::path(home ? home : ".") / ".local" / "share" / "ledger";
}

}  // namespace ledger
