#include <cstdlib>

#include "ledger/ledger.h"
#include "store/pg_location.h"

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

bool is_database_location(const std::filesystem::path& location) {
  return store::is_postgres_location(location.native());
}

std::string shown_location(const std::filesystem::path& location) {
  return is_database_location(location) ? store::redacted_location(location.native())
                                        : location.string();
}

namespace {
BooksFactory database_books = nullptr;
}  // namespace

void set_database_books(BooksFactory factory) { database_books = factory; }
bool database_books_available() { return database_books != nullptr; }

Ledger::Ledger(LedgerOptions options) : options_(std::move(options)) {
  if (database_books != nullptr && is_database_location(options_.dir)) {
    books_ = database_books(options_);
  }
}

void Ledger::use_time_zone(const std::string& zone) {
  options_.timezone = zone;
  if (books_) books_->use_time_zone(zone);
}

}  // namespace ledger
