// `ledger snapshot` takes a snapshot of the whole state now (and thins old ones); `ledger
// compact` snapshots the head and moves older sealed segments to the archive, or deletes them.
#include <fmt/format.h>

#include <optional>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/terminal.h"
#include "cli/wording.h"

namespace ledger::cli {

namespace {


void setup_compact(CLI::App& app, Context& context, int& exit_code) {
  static bool purge = false;
  static bool yes = false;
  auto* sub = app.add_subcommand(
      "compact",
      "Snapshot the head, then move sealed segments before it to archive/ (zstd), or delete them");
  sub->add_flag("--purge", purge,
                "Delete those segments instead of archiving them: history before the snapshot is "
                "gone for good (needs --yes)");
  sub->add_flag("--yes", yes, "Confirm --purge (for scripts)");
  sub->footer(
      "Archived history stays readable: statements, history, --at and --known-at still work.\n"
      "After --purge, questions about the time before the oldest snapshot kept fail.\n"
      "Example:\n  ledger compact\n  ledger compact --purge --yes");
  sub->callback([&context, &exit_code] {
    if (Status s = context.prepare(); !s) {
      exit_code = context.fail(s);
      return;
    }
    if (purge && !yes) {
      (void)context.fail({ErrorCode::kInvalidArgument,
                          "--purge deletes history for good: add --yes to confirm"});
      exit_code = kExitUsage;
      return;
    }
    const bool bar = stderr_is_terminal() && !context.quiet();
    std::optional<Progress> progress;  // Made at the first report, when the total is known.
    auto result = context.ledger().compact(purge, [&](uint64_t done, uint64_t total) {
      if (!progress) progress.emplace("compact", total, bar);
      progress->update(done);
    });
    if (progress) progress->finish();
    if (!result) {
      exit_code = context.fail(result.status());
      return;
    }
    if (result->segments == 0) {
      context.say(fmt::format("snapshot at event {}; no sealed segment lies wholly before it",
                              result->snapshot_seq));
    } else if (result->purged) {
      context.say(fmt::format("snapshot at event {}; purged {} ({}): the log now begins at event {}",
                              result->snapshot_seq, plural(result->segments, "segment", "segments"),
                              size_text(result->bytes_in), result->first_seq));
    } else {
      context.say(fmt::format("snapshot at event {}; archived {}: {} -> {}", result->snapshot_seq,
                              plural(result->segments, "segment", "segments"),
                              size_text(result->bytes_in), size_text(result->bytes_out)));
    }
  });
}

}  // namespace

void setup_compaction(CLI::App& app, Context& context, int& exit_code) {
  setup_compact(app, context, exit_code);
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
      context.say(fmt::format("snapshot at event {} already exists ({})", result->seq,
                              plural(result->accounts, "account", "accounts")));
    } else {
      context.say(fmt::format("snapshot at event {}: {}, {}", result->seq,
                              plural(result->accounts, "account", "accounts"),
                              plural(result->size_bytes, "byte", "bytes")));
    }
    if (result->thinned > 0) {
      context.say(fmt::format("deleted {} (retention)",
                              plural(result->thinned, "older snapshot", "older snapshots")));
    }
  });
}

}  // namespace ledger::cli
