// `ledger snapshot`: takes a snapshot of the whole state now, and thins old ones.
#include <fmt/format.h>

#include "cli/context.h"

namespace ledger::cli {

void setup_snapshot(CLI::App& app, Context& context, int& exit_code) {
  auto* sub = app.add_subcommand(
      "snapshot",
      "Save the whole state at the head of the log, so that queries and writes start from it");
  sub->footer(
      "Writes take snapshots on their own (see --snapshot-every); this takes one now.\n"
      "Example:\n  ledger snapshot");
  sub->callback([&context, &exit_code] {
    if (Status s = context.prepare(); !s) {
      exit_code = context.fail(s);
      return;
    }
    auto result = context.ledger().snapshot();
    if (!result) {
      exit_code = context.fail(result.status());
      return;
    }
    if (result->already) {
      context.say(fmt::format("snapshot at event {} already exists ({} accounts)", result->seq,
                              result->accounts));
    } else {
      context.say(fmt::format("snapshot at event {}: {} accounts, {} bytes", result->seq,
                              result->accounts, result->size_bytes));
    }
    if (result->thinned > 0) {
      context.say(fmt::format("deleted {} older snapshots (retention)", result->thinned));
    }
  });
}

}  // namespace ledger::cli
