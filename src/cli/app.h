#pragma once
// The command line: builds the CLI11 application, parses argv, runs the chosen subcommand and
// returns the process exit status. It alone prints errors and chooses exit codes.

namespace ledger::cli {

int run(int argc, char** argv);

}  // namespace ledger::cli
