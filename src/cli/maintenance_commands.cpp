// verify and stats: ask the service about the data directory itself, and say what it found.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/postgres_helper.h"
#include "cli/progress.h"
#include "cli/terminal.h"
#include "cli/wording.h"
#include "util/time.h"

namespace ledger::cli {

namespace {

// "verified 1,234,567 events in 1,235 frames across 12 segments; chain intact; 12 indexes
// current".
std::string summary_of(const VerifyResult& r) {
  // A store of tables (PostgreSQL) has no frames, segments, indexes or snapshots to speak of,
  // and projections instead.
  if (std::find(r.checks.begin(), r.checks.end(), "projection") != r.checks.end()) {
    return fmt::format("verified {}; chain {}; {} replayed; the balance and posting tables {}",
                       plural(r.events, "event", "events"), r.chain_intact ? "intact" : "BROKEN",
                       plural(r.accounts, "account", "accounts"),
                       r.ok() ? "agree with the replay" : "checked against the replay");
  }
  std::string line =
      fmt::format("verified {} in {} across {}; {}", plural(r.events, "event", "events"),
                  plural(r.frames, "frame", "frames"), plural(r.segments, "segment", "segments"),
                  r.chain_intact ? "chain intact" : "chain BROKEN");
  line += fmt::format("; {} current", plural(r.indexes_current, "index", "indexes"));
  if (r.indexes_missing > 0) {
    line += fmt::format(" ({} not stored yet, built when needed)", grouped(r.indexes_missing));
  }
  if (r.indexes_skipped > 0) {
    line += fmt::format(" ({} not compared: {} damaged)", grouped(r.indexes_skipped),
                        r.indexes_skipped == 1 ? "its segment is" : "their segments are");
  }
  line += fmt::format("; {} replayed", plural(r.accounts, "account", "accounts"));
  if (r.archived_segments > 0) {
    line += fmt::format("; {} read from the archive",
                        plural(r.archived_segments, "segment", "segments"));
  }
  if (r.purged_before > 0) line += fmt::format("; history before {} purged", r.purged_before);
  line += fmt::format("; {} of {} compared with the replay", grouped(r.snapshots_compared),
                      plural(r.snapshots, "snapshot", "snapshots"));
  if (r.ref_index_covered_through > 0) {
    line += fmt::format("; ref index through {} checked", r.ref_index_covered_through);
  }
  line +=
      fmt::format("; {} checked", plural(r.account_indexes, "account index", "account indexes"));
  return line;
}

std::string seq_text(const VerifyProblem& p) {
  if (p.seq_first == 0) return "";
  if (p.seq_last <= p.seq_first) return fmt::format("sequence {}", p.seq_first);
  return fmt::format("sequence {}..{}", p.seq_first, p.seq_last);
}

std::string accounts_text(const VerifyProblem& p) {
  std::string text;
  for (const std::string& a : p.accounts) text += (text.empty() ? "" : " ") + a;
  return text;
}

// "00000000000000000001.seg offset 4242 (sequence 7..9): frame checksum mismatch; accounts
// ACC-001 ACC-002 (from damaged records, unverified); effective 2026-03-01 ... to ...".
std::string problem_line(const VerifyProblem& p) {
  std::string where = p.file;
  if (p.offset) where += fmt::format(" offset {}", *p.offset);
  if (const std::string seq = seq_text(p); !seq.empty()) {
    where += where.empty() ? seq : fmt::format(" ({})", seq);
  }
  // "segment X missing: ..." names its place itself.
  const bool placed = p.what.starts_with("segment " + p.file);
  std::string line = where.empty() || placed ? p.what : fmt::format("{}: {}", where, p.what);
  if (!p.accounts.empty()) {
    line += fmt::format("; accounts {}{}{}", accounts_text(p), p.accounts_more ? " and more" : "",
                        p.accounts_unverified ? " (read from damaged records, unverified)" : "");
  }
  if (p.effective_min_ns) {
    const int64_t max_ns = p.effective_max_ns.value_or(*p.effective_min_ns);
    line += fmt::format("; effective {}", util::format_time_human(*p.effective_min_ns));
    if (max_ns != *p.effective_min_ns)
      line += fmt::format(" to {}", util::format_time_human(max_ns));
    if (p.accounts_unverified) line += " (per its damaged header)";
  }
  return line;
}

std::string optional_time(const Context& context, const std::optional<int64_t>& ns) {
  return ns ? context.time_cell(*ns) : "";
}

// One row per finding: the summary first, then every problem and note.
Table verify_table(const Context& context, const VerifyResult& r) {
  Table t;
  t.columns = {{"type", CellKind::kText},          {"check", CellKind::kText},
               {"file", CellKind::kText},          {"offset", CellKind::kInteger},
               {"seq_first", CellKind::kInteger},  {"seq_last", CellKind::kInteger},
               {"effective_min", CellKind::kTime}, {"effective_max", CellKind::kTime},
               {"accounts", CellKind::kText},      {"events", CellKind::kInteger},
               {"frames", CellKind::kInteger},     {"segments", CellKind::kInteger},
               {"message", CellKind::kFreeText}};
  auto number = [](uint64_t n) { return n == 0 ? std::string() : std::to_string(n); };
  t.rows.push_back({r.ok() ? "ok" : "failed", "all", "", "", number(r.seq_first),
                    number(r.seq_last), "", "", "", std::to_string(r.events),
                    std::to_string(r.frames), std::to_string(r.segments), summary_of(r)});
  for (const VerifyProblem& p : r.problems) {
    t.rows.push_back(
        {"problem", p.check, p.file, p.offset ? std::to_string(*p.offset) : "", number(p.seq_first),
         number(p.seq_last), optional_time(context, p.effective_min_ns),
         optional_time(context, p.effective_max_ns), accounts_text(p), "", "", "", p.what});
  }
  for (const std::string& note : r.notes) {
    t.rows.push_back({"note", "", "", "", "", "", "", "", "", "", "", "", note});
  }
  return t;
}

// `verify --digest`, once per digest kept: each must be extended by today's log. With several,
// the first that fails and the last before it that holds bound where history was rewritten.
int check_digests(Context& context, std::vector<TreeHead> kept) {
  std::sort(kept.begin(), kept.end(),
            [](const TreeHead& a, const TreeHead& b) { return a.size < b.size; });
  std::optional<uint64_t> held_through;
  for (const TreeHead& head : kept) {
    auto check = context.ledger().check_digest(head);
    if (!check) return context.fail(check.status());
    if (check->extends) {
      // On stdout with the summary line; on stderr when stdout has the --format table.
      const std::string line = fmt::format(
          "verify: the log ({}) extends {}: consistency proof of {} checked",
          digest_text(check->now), digest_text(head),
          plural(check->proof_hashes, "hash", "hashes"));
      if (context.format_given()) {
        context.note(line);
      } else {
        context.say(line);
      }
      held_through = head.size;
      continue;
    }
    context.note(fmt::format("verify: FAILED: the log does not extend {}: {}", digest_text(head),
                             check->problem));
    if (held_through && *held_through >= head.size) {
      // Sorted by size: one of the same size held, with another root.
      context.note(fmt::format("verify: the digests given disagree: the one of {} events holds, "
                               "so this one was not kept from these books",
                               *held_through));
      return kExitRefused;
    }
    const uint64_t first = held_through.value_or(0) + 1;
    context.note(first == head.size || head.size == 0
                     ? fmt::format("verify: the first event that differs is {}", head.size)
                     : fmt::format("verify: the first event that differs is one of {} to {}{}",
                                   first, head.size,
                                   held_through ? fmt::format(" (the digest of {} holds)",
                                                              *held_through)
                                                : std::string(" (keep a digest after each "
                                                              "write to name it exactly)")));
    return kExitRefused;
  }
  return kExitOk;
}

int run_verify(Context& context, const std::vector<std::string>& digest_texts) {
  if (Status s = context.prepare(); !s) return context.fail(s);
  std::vector<TreeHead> digests;  // Read before the long checks, so that a typo fails at once.
  for (const std::string& text : digest_texts) {
    auto head = parse_digest(text);
    if (!head) {
      return context.fail(Status(ErrorCode::kUsage, "--digest: " + head.status().message()));
    }
    digests.push_back(*head);
  }
  const bool bar = stderr_is_terminal() && !context.quiet();
  std::optional<Progress> progress;  // Made at the first report, when the total is known.
  auto result = context.ledger().verify([&](uint64_t done, uint64_t total) {
    if (!progress) progress.emplace("verify", total, bar);
    progress->update(done);
  });
  if (progress) progress->finish();
  if (!result) return context.fail(result.status());
  const VerifyResult& r = *result;
  for (const VerifyProblem& p : r.problems)
    context.note(fmt::format("verify: {}", problem_line(p)));
  if (r.problems_total > r.problems.size()) {
    context.note(
        fmt::format("verify: ... and {} more problems", r.problems_total - r.problems.size()));
  }
  for (const std::string& note : r.notes) context.note(fmt::format("verify: note: {}", note));
  if (context.format_given()) {
    context.emit(verify_table(context, r));
  } else if (r.ok()) {
    context.say(summary_of(r));
  }
  if (r.ok()) return digests.empty() ? kExitOk : check_digests(context, digests);
  context.note(fmt::format("verify: FAILED: {} found; {}",
                           plural(r.problems_total, "problem", "problems"), summary_of(r)));
  return kExitRefused;
}

int run_stats(Context& context) {
  if (Status s = context.prepare(); !s) return context.fail(s);
  auto stats = context.ledger().stats();
  if (!stats) return context.fail(stats.status());
  const LedgerStats& s = *stats;
  auto number = [](uint64_t n) { return std::to_string(n); };
  // 0 means "none" for these: an empty cell (null in JSON), as for seq_first.
  auto optional_number = [](uint64_t n) { return n == 0 ? std::string() : std::to_string(n); };
  const std::vector<std::pair<Column, std::string>> cells = {
      {{"events", CellKind::kInteger}, number(s.events)},
      {{"frames", CellKind::kInteger}, number(s.frames)},
      {{"segments", CellKind::kInteger}, number(s.segments)},
      {{"segment_bytes", CellKind::kInteger}, number(s.segment_bytes)},
      {{"archive_segments", CellKind::kInteger}, number(s.archive_segments)},
      {{"archive_bytes", CellKind::kInteger}, number(s.archive_bytes)},
      {{"archive_bytes_uncompressed", CellKind::kInteger}, number(s.archive_bytes_uncompressed)},
      {{"purged_before", CellKind::kInteger}, optional_number(s.purged_before)},
      {{"snapshots", CellKind::kInteger}, number(s.snapshots)},
      {{"snapshot_bytes", CellKind::kInteger}, number(s.snapshot_bytes)},
      {{"snapshot_seq_oldest", CellKind::kInteger}, optional_number(s.snapshot_seq_oldest)},
      {{"snapshot_seq_newest", CellKind::kInteger}, optional_number(s.snapshot_seq_newest)},
      {{"ref_index_runs", CellKind::kInteger}, number(s.ref_index_runs)},
      {{"ref_index_entries", CellKind::kInteger}, number(s.ref_index_entries)},
      {{"ref_index_covered_through", CellKind::kInteger},
       optional_number(s.ref_index_covered_through)},
      {{"account_indexes", CellKind::kInteger}, number(s.account_indexes)},
      {{"account_index_bytes", CellKind::kInteger}, number(s.account_index_bytes)},
      {{"accounts_open", CellKind::kInteger}, number(s.accounts_open)},
      {{"accounts_closed", CellKind::kInteger}, number(s.accounts_closed)},
      {{"seq_first", CellKind::kInteger}, optional_number(s.seq_first)},
      {{"seq_last", CellKind::kInteger}, optional_number(s.seq_last)},
      {{"recorded_first", CellKind::kTime}, optional_time(context, s.recorded_first_ns)},
      {{"recorded_last", CellKind::kTime}, optional_time(context, s.recorded_last_ns)},
      {{"time_zone", CellKind::kText}, s.time_zone},
  };
  Table t;
  if (context.format() == OutputFormat::kTable) {
    // People read a column of names and values; programs get one record with a key per value.
    t.columns = {{"stat", CellKind::kText}, {"value", CellKind::kText}};
    for (const auto& [column, value] : cells) t.rows.push_back({column.name, value});
  } else {
    t.rows.emplace_back();
    for (const auto& [column, value] : cells) {
      t.columns.push_back(column);
      t.rows.back().push_back(value);
    }
  }
  context.emit(t);
  return 0;
}

int run_copy(Context& context, const std::string& to) {
  if (Status s = context.prepare(); !s) return context.fail(s);
  // A database on the other side needs ledger-postgres, as one on this side does.
  if (is_database_location(to) && !database_books_available()) {
    return context.fail(exec_postgres_helper());
  }
  Progress progress("copy", 0, stderr_is_terminal() && !context.quiet());
  auto result = context.ledger().copy_to(to, [&progress](uint64_t done) { progress.update(done); });
  progress.finish();
  if (!result) return context.fail(result.status());
  context.say(fmt::format("copied {} to {}; both answer the same ({} checked)",
                          plural(result->events, "event", "events"), shown_location(to),
                          plural(result->accounts, "account", "accounts")));
  return kExitOk;
}

}  // namespace

void setup_maintenance_commands(CLI::App& app, Context& context, int& exit_code) {
  auto* verify = app.add_subcommand(
      "verify",
      "Check every frame (archived ones too), the checksum chain, sequence numbers, time "
      "indexes, a replay of every event, snapshots, the ref index and account indexes; report "
      "every problem");
  verify->footer(
      "Takes no lock and writes nothing. Exit status 0 when all is well, 1 when a problem was "
      "found (each is printed on stderr), or when the log does not extend a --digest.\nExample:\n"
      "  ledger verify\n  ledger verify --format json | jq '.[] | select(.type == \"problem\")'\n"
      "  ledger verify --digest ledger-digest-v1:1042:9f2c...");
  static std::vector<std::string> digests;
  verify->add_option("--digest", digests,
                     "A digest kept earlier (`ledger digest`): prove that the log still extends "
                     "it; may be given several times");
  verify->callback([&] { exit_code = run_verify(context, digests); });

  auto* stats = app.add_subcommand(
      "stats",
      "Events, frames, segments, archive, purge, snapshots, indexes, accounts, first and last "
      "times");
  stats->footer("Example:\n  ledger stats\n  ledger stats --format json");
  stats->callback([&] { exit_code = run_stats(context); });

  auto* copy = app.add_subcommand(
      "copy",
      "Copy the whole log, with its sequence numbers and recorded times, to another location "
      "that holds no ledger (a directory or a PostgreSQL URI), then check that both answer the "
      "same");
  static std::string to;
  copy->add_option("--to", to, "Where to: a data directory or a postgresql:// URI")->required();
  copy->footer(
      "One commit on the other side: all or nothing. Every balance and every event (as export "
      "gives them) must then agree, or the copy fails with exit 74.\nExample:\n  ledger copy "
      "--to postgresql://db.example/books\n  ledger --dir postgresql://db.example/books copy "
      "--to ~/books-copy");
  copy->callback([&] { exit_code = run_copy(context, to); });
}

}  // namespace ledger::cli
