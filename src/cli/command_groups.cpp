#include "cli/command_groups.h"

#include <algorithm>
#include <string>

namespace ledger::cli {

namespace {

const CommandGroup* group_of(std::string_view word, std::span<const CommandGroup> groups) {
  for (const CommandGroup& group : groups) {
    if (std::find(group.names.begin(), group.names.end(), word) != group.names.end()) {
      return &group;
    }
  }
  return nullptr;
}

bool asks_for_help(std::string_view word) {
  return word == "-h" || word == "--help" || word == "--help-all";
}

}  // namespace

const CommandGroup* group_needed(std::span<const char* const> args, const CLI::App& app,
                                 std::span<const CommandGroup> groups) {
  // The global options before the command: each known, and its value skipped.
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string_view word = args[i];
    if (!word.starts_with('-') || word == "-") break;
    if (word == "--" || asks_for_help(word)) return nullptr;
    const CLI::Option* option =
        app.get_option_no_throw(std::string(word.substr(0, word.find('='))));
    if (option == nullptr) return nullptr;
    // CLI11 takes the next word as the value of "--dir" and of "--dir=" alike.
    const size_t equals = word.find('=');
    const bool inline_value = equals != std::string_view::npos && equals + 1 < word.size();
    if (!inline_value && option->get_items_expected_min() > 0) ++i;
  }
  if (i >= args.size()) return nullptr;  // No command, or an option missing its value.
  const CommandGroup* needed = group_of(args[i], groups);
  if (needed == nullptr) return nullptr;
  // A later word that is help, or that another group's command would claim, needs them all.
  for (; i < args.size(); ++i) {
    const std::string_view word = args[i];
    if (asks_for_help(word)) return nullptr;
    const CommandGroup* other = group_of(word, groups);
    if (other != nullptr && other != needed) return nullptr;
  }
  return needed;
}

}  // namespace ledger::cli
