#pragma once
// Which subcommands a command line needs built. Every command is a new process, and CLI11 builds
// each subcommand's options (names, validators, callbacks, help text) before it parses: on a
// one-account question, building all fifteen cost about 15 page faults of the run's 135.
// So a command line that plainly names one command builds only that command's group; any other
// (help, a mistake, no command, a word that names a command of another group) builds them all.
// The one group built holds every command the line could reach, so the same command runs with
// the same options; a line it refuses is parsed again with all built (cli/app.cpp), so that the
// refusal is worded as it always was.

#include <CLI/CLI.hpp>

#include <span>
#include <string_view>

namespace ledger::cli {

class Context;

struct CommandGroup {
  std::span<const std::string_view> names;  // The subcommands that `setup` adds.
  void (*setup)(CLI::App& app, Context& context, int& exit_code);
};

// The one of `groups` that `args` (argv without the program name) needs, given the app with its
// global options already added; nullptr when it needs them all.
const CommandGroup* group_needed(std::span<const char* const> args, const CLI::App& app,
                                 std::span<const CommandGroup> groups);

}  // namespace ledger::cli
