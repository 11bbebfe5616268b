// Which command group a command line needs: the one its command belongs to when the line plainly
// names one, and every group (nullptr) for anything else, so that help, mistakes and words that
// another group would claim parse as they do with every command built.
#include "cli/command_groups.h"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

using namespace ledger::cli;

namespace {

constexpr std::string_view kMoves[] = {"pay", "refund"};
constexpr std::string_view kLooks[] = {"show"};
constexpr CommandGroup kGroups[] = {{kMoves, nullptr}, {kLooks, nullptr}};

// The group `line` needs, against an app with options like the ledger's global ones.
const CommandGroup* needed(const std::string& line) {
  CLI::App app;
  std::string dir;
  std::string format;
  bool quiet = false;
  app.add_option("--dir", dir);
  app.add_option("--format", format);
  app.add_flag("-q,--quiet", quiet);
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string word; in >> word;) words.push_back(word);
  std::vector<const char*> args;
  for (const std::string& word : words) args.push_back(word.c_str());
  return group_needed(args, app, kGroups);
}

}  // namespace

TEST_SUITE("command groups") {
  TEST_CASE("a line that names a command needs that command's group") {
    CHECK(needed("pay A 5") == &kGroups[0]);
    CHECK(needed("refund A 5 --memo x") == &kGroups[0]);
    CHECK(needed("show A") == &kGroups[1]);
    CHECK(needed("show") == &kGroups[1]);
  }

  TEST_CASE("global options before the command are passed over with their values") {
    CHECK(needed("--dir /data show A") == &kGroups[1]);
    CHECK(needed("--dir=/data --format csv pay A 5") == &kGroups[0]);
    CHECK(needed("-q --quiet pay A 5") == &kGroups[0]);
    // The value of --dir is not the command, even when it is a command's name.
    CHECK(needed("--dir show pay A 5") == &kGroups[0]);
    CHECK(needed("--dir pay") == nullptr);
    // An empty inline value leaves CLI11 to take the next word as the value.
    CHECK(needed("--dir= show pay A 5") == &kGroups[0]);
    CHECK(needed("--dir= show") == nullptr);
  }

  TEST_CASE("help, mistakes and no command need every group") {
    CHECK(needed("") == nullptr);
    CHECK(needed("--dir") == nullptr);
    CHECK(needed("--format csv") == nullptr);
    CHECK(needed("--help") == nullptr);
    CHECK(needed("-h show") == nullptr);
    CHECK(needed("show --help") == nullptr);
    CHECK(needed("pay A 5 --help-all") == nullptr);
    CHECK(needed("--bogus show") == nullptr);
    CHECK(needed("shwo A") == nullptr);
    CHECK(needed("-- show") == nullptr);
    CHECK(needed("- show") == nullptr);
  }

  TEST_CASE("a later word that another group's command would claim needs every group") {
    CHECK(needed("pay show 5") == nullptr);
    CHECK(needed("show A pay") == nullptr);
    // Within the group, it parses as it would with every group built.
    CHECK(needed("pay refund 5") == &kGroups[0]);
  }
}
