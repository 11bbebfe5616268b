// `cmake --install` puts every file where users and their tools look: the binary in bin/, the
// man pages in share/man/man1 and man5, the completions where bash-completion and zsh find them.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "shell/run_shell.h"

namespace fs = std::filesystem;
using ledger::testing::run_shell;
using ledger::testing::shell_quote;

TEST_SUITE("install") {
  TEST_CASE("cmake --install --prefix puts binary, man pages and completions in place") {
    ledger::testing::TempDir prefix("ledger-install");
    const auto result = run_shell("cmake --install " + shell_quote(LEDGER_BUILD_DIR) +
                                  " --prefix " + shell_quote(prefix.path().string()));
    REQUIRE_MESSAGE(result.exit_code == 0, (result.out + result.err));
    const fs::path root = prefix.path();
    for (const char* file :
         {"bin/ledger", "share/man/man1/ledger.1", "share/man/man5/ledger-format.5",
          "share/bash-completion/completions/ledger", "share/zsh/vendor-completions/_ledger"}) {
      CAPTURE(file);
      CHECK(fs::is_regular_file(root / file));
    }
    // The installed files are the right ones: the binary runs, the pages are ours.
    const auto version = run_shell(shell_quote((root / "bin/ledger").string()) + " --version");
    CHECK(version.exit_code == 0);
    CHECK(version.out.rfind("ledger ", 0) == 0);
    CHECK(ledger::testing::slurp(root / "share/man/man1/ledger.1").find(".TH LEDGER 1") !=
          std::string::npos);
    CHECK(ledger::testing::slurp(root / "share/bash-completion/completions/ledger")
              .find("complete -F _ledger ledger") != std::string::npos);
    CHECK(ledger::testing::slurp(root / "share/zsh/vendor-completions/_ledger")
              .rfind("#compdef ledger", 0) == 0);
    const auto perms = fs::status(root / "bin/ledger").permissions();
    CHECK((perms & fs::perms::others_exec) != fs::perms::none);
  }
}
