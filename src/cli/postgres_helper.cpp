#include "cli/postgres_helper.h"

#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

namespace ledger::cli {

namespace {
std::vector<char*> arguments;
}  // namespace

void remember_arguments(int argc, char** argv) { arguments.assign(argv, argv + argc); }

Status exec_postgres_helper() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return Status(ErrorCode::kInternal, fmt::format("cannot find this program: {}", ec.message()));
  }
  const std::filesystem::path candidates[] = {
      self.parent_path() / "ledger-postgres",
      self.parent_path().parent_path() / "libexec" / "ledger" / "ledger-postgres",
  };
  std::vector<char*> argv = arguments;
  argv.push_back(nullptr);
  for (const std::filesystem::path& helper : candidates) {
    if (::access(helper.c_str(), X_OK) != 0) continue;
    ::execv(helper.c_str(), argv.data());
    return Status(ErrorCode::kInternal,
                  fmt::format("cannot run {}: {}", helper.string(), std::strerror(errno)));
  }
  return Status(ErrorCode::kUsage,
                fmt::format("a PostgreSQL location needs ledger-postgres, which is not installed "
                            "(looked for {} and {})",
                            candidates[0].string(), candidates[1].string()));
}

}  // namespace ledger::cli
