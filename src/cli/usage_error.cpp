#include "cli/usage_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "util/similar_words.h"

namespace ledger::cli {

namespace {

// The subcommand that was parsed, if any (one at most: require_subcommand(0, 1)).
const CLI::App* chosen_command(const CLI::App& app) {
  const auto parsed = app.get_subcommands();
  return parsed.empty() ? nullptr : parsed.front();
}

// "ledger" or "ledger deposit": what `--help` is asked of.
std::string command_line_of(const CLI::App* command) {
  return command == nullptr ? "ledger" : "ledger " + command->get_name();
}

std::string see_help(const CLI::App* command) {
  return fmt::format("(see `{} --help`)", command_line_of(command));
}

// The help that documents option `name` ("--color: ..."): the command's, unless the option is
// one of the ledger's own, which only `ledger --help` lists.
std::string see_help_for(const CLI::App* command, const std::string& name) {
  const bool own = command != nullptr && command->get_option_no_throw(name) != nullptr;
  return see_help(own ? command : nullptr);
}

// "ledger deposit ACC AMOUNT [options]", "ledger balance [ACC...] [options]": the words a
// command takes, in order, those it can do without in brackets.
std::string usage_of(const CLI::App& command) {
  std::string usage = command_line_of(&command);
  for (const CLI::Option* option : command.get_options()) {
    if (!option->get_positional()) continue;
    std::string word = option->get_name();
    if (option->get_expected_max() > 1) word += "...";
    usage += " " + (option->get_required() ? word : "[" + word + "]");
  }
  return usage + " [options]";
}

// Every long option a command line can hold at this point: the command's own and, since global
// options may follow the command, the app's. One-letter options are too short to suggest: any
// mistyped letter is one edit from each of them.
std::vector<std::string> option_names(const CLI::App& app, const CLI::App* command) {
  std::vector<std::string> names;
  auto add = [&names](const CLI::App& from) {
    for (const CLI::Option* option : from.get_options()) {
      for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    }
  };
  if (command != nullptr) add(*command);
  add(app);
  return names;
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(command->get_name());
  }
  return names;
}

// `unknown option "--memmo"; did you mean "--memo"?`, else where to look.
std::string unknown_option(const CLI::App& app, const CLI::App* command, std::string word) {
  word = word.substr(0, word.find('='));  // --memmo=x: the option is --memmo.
  const auto names = option_names(app, command);
  const auto near = word.starts_with("--") ? util::nearest_word(word, names) : std::nullopt;
  if (near) return fmt::format("unknown option \"{}\"; did you mean \"{}\"?", word, *near);
  if (command == nullptr) return fmt::format("unknown option \"{}\" {}", word, see_help(command));
  return fmt::format("unknown option \"{}\" for {} {}", word, command->get_name(),
                     see_help(command));
}

std::string unknown_command(const CLI::App& app, const std::string& word) {
  const auto names = command_names(app);
  if (auto near = util::nearest_word(word, names)) {
    return fmt::format("unknown command \"{}\"; did you mean \"{}\"?", word, *near);
  }
  return fmt::format("unknown command \"{}\" {}", word, see_help(nullptr));
}

// Words CLI11 could not place, in the order they were typed: the first one is named.
std::string unexpected(const CLI::App& app) {
  const CLI::App* command = chosen_command(app);
  const auto extras = app.remaining();
  if (extras.empty()) return fmt::format("unexpected arguments {}", see_help(command));
  const std::string& word = extras.front();
  if (word.size() > 1 && word[0] == '-') return unknown_option(app, command, word);
  if (command == nullptr) return unknown_command(app, word);
  return fmt::format("unexpected argument \"{}\" (usage: {})", word, usage_of(*command));
}

// An option given more often than it may be: `--memo given twice`.
std::string given_too_often(const CLI::App& app, const CLI::ParseError& error) {
  const CLI::App* command = chosen_command(app);
  for (const CLI::App* from : {command, &app}) {
    if (from == nullptr) continue;
    for (const CLI::Option* option : from->get_options()) {
      const auto count = option->count();
      if (option->get_positional() || count <= 1 ||
          static_cast<int>(count) <= option->get_expected_max()) {
        continue;
      }
      const std::string times = count == 2 ? "twice" : fmt::format("{} times", count);
      return fmt::format("{} given {} (it takes one value)", option->get_name(), times);
    }
  }
  // CLI11 says "--memo: 1 required TEXT missing" for an option at the end of the line.
  const std::string what = error.what();
  const std::string name = what.substr(0, what.find(':'));
  if (what.find("missing") != std::string::npos && name.starts_with("-")) {
    return fmt::format("{} needs a value {}", name, see_help_for(command, name));
  }
  return fmt::format("{} {}", what, see_help_for(command, name));
}

// A word the command needs and did not get: `missing AMOUNT (usage: ledger deposit ACC AMOUNT)`.
std::string missing(const CLI::App& app, const CLI::ParseError& error) {
  const CLI::App* command = chosen_command(app);
  if (command != nullptr) {
    for (const CLI::Option* option : command->get_options()) {
      if (option->get_required() && option->count() == 0) {
        return fmt::format("missing {} (usage: {})", option->get_name(), usage_of(*command));
      }
    }
  }
  return fmt::format("{} {}", error.what(), see_help(command));
}

std::string joined(std::initializer_list<const char*> words, const char* separator) {
  std::string text;
  for (const char* word : words) text += (text.empty() ? "" : separator) + std::string(word);
  return text;
}

}  // namespace

std::string usage_message(const CLI::App& app, const CLI::ParseError& error) {
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) return unexpected(app);
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) != nullptr) {
    return given_too_often(app, error);
  }
  if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr) return missing(app, error);
  // Validation errors already speak our words: the validators below, and those of app.cpp.
  const std::string what = error.what();
  return fmt::format("{} {}", what,
                     see_help_for(chosen_command(app), what.substr(0, what.find(':'))));
}

CLI::Validator one_of(std::initializer_list<const char*> choices) {
  const std::vector<std::string> allowed(choices.begin(), choices.end());
  std::string list = joined(choices, ", ");
  return CLI::Validator(
      [allowed, list](std::string& value) {
        if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return std::string();
        return fmt::format("\"{}\" is not one of {}", value, list);
      },
      "{" + joined(choices, ",") + "}");
}

CLI::Validator whole_number_between(uint64_t min, uint64_t max) {
  return CLI::Validator(
      [min, max](std::string& value) {
        uint64_t n = 0;
        const char* end = value.data() + value.size();
        const auto [ptr, ec] = std::from_chars(value.data(), end, n);
        if (ec == std::errc() && ptr == end && n >= min && n <= max) return std::string();
        return fmt::format("expected a whole number from {} to {}, not {}", min, max, value);
      },
      fmt::format("UINT in [{} - {}]", min, max));
}

}  // namespace ledger::cli
