// digest, prove and check-proof: the Merkle tree over the log, for people who keep a digest
// and for the auditors who hold the books to it (ledger(1), "Proving history").
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/context.h"
#include "cli/exit_codes.h"
#include "cli/table.h"

namespace ledger::cli {

namespace {

Table digest_table(const TreeHead& head) {
  Table t;
  t.columns = {{"digest", CellKind::kText},
               {"tree_size", CellKind::kInteger},
               {"root", CellKind::kText}};
  t.rows.push_back({digest_text(head), std::to_string(head.size), root_hex(head)});
  return t;
}

int run_digest(Context& context, std::optional<uint64_t> at_seq) {
  if (Status s = context.prepare(); !s) return context.fail(s);
  auto head = context.ledger().digest(at_seq);
  if (!head) return context.fail(head.status());
  // The line itself is what people keep; the machine formats give its parts too.
  if (context.format_given() && context.format() != OutputFormat::kTable) {
    context.emit(digest_table(*head));
  } else {
    fmt::print("{}\n", digest_text(*head));
  }
  return kExitOk;
}

Result<TreeHead> digest_option(const std::string& text) {
  auto head = parse_digest(text);
  if (!head) return Status(ErrorCode::kUsage, "--digest: " + head.status().message());
  return head;
}

int run_prove(Context& context, uint64_t seq, const std::string& digest) {
  if (Status s = context.prepare(); !s) return context.fail(s);
  auto at = digest_option(digest);
  if (!at) return context.fail(at.status());
  auto proof = context.ledger().prove(seq, *at);
  if (!proof) return context.fail(proof.status());
  fmt::print("{}", *proof);
  return kExitOk;
}

Result<std::string> read_proof(const std::string& path) {
  if (path == "-") {
    std::ostringstream in;
    in << std::cin.rdbuf();
    return in.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Status(ErrorCode::kNotFound, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  }
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) {
    return Status(ErrorCode::kIoError, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  return text;
}

// Needs no books: the proof and the digest are all it reads.
int run_check_proof(Context& context, const std::string& path, const std::string& digest) {
  auto at = digest_option(digest);
  if (!at) return context.fail(at.status());
  auto text = read_proof(path);
  if (!text) return context.fail(text.status());
  auto checked = check_proof(*text, *at);
  if (!checked) {
    const Status& s = checked.status();
    if (s.code() != ErrorCode::kInvalidArgument) {
      context.note(fmt::format("check-proof: FAILED: {}", s.message()));
      return kExitRefused;
    }
    return context.fail(Status(s.code(), fmt::format("{}: {}", path, s.message())));
  }
  context.say(fmt::format("check-proof: ok: {} is in the books of {}", checked->event,
                          digest_text(checked->head)));
  return kExitOk;
}

}  // namespace

void setup_tree_commands(CLI::App& app, Context& context, int& exit_code) {
  auto* digest = app.add_subcommand(
      "digest", "Print the digest of the log: one line to keep elsewhere, which later books "
                "can be proved to extend (the root of a Merkle tree over every event)");
  static std::optional<uint64_t> at_seq;
  digest->add_option("--at-seq", at_seq, "The digest of the first N events, not of all")
      ->check(CLI::Range(uint64_t{0}, UINT64_MAX));
  digest->footer(
      "The line is ledger-digest-v1:SIZE:ROOT: how many events, and the SHA-256 root of the "
      "RFC 9162 Merkle tree over them. Keep it where the books cannot reach (email, paper, "
      "another machine); `verify --digest` proves later that the books still extend it.\n"
      "Example:\n  ledger digest >> ~/kept-digests\n  ledger digest --at-seq 1000 --format json");
  digest->callback([&] { exit_code = run_digest(context, at_seq); });

  auto* prove = app.add_subcommand(
      "prove", "Print the proof (JSON) that an event is in the books of a digest: its leaf, "
               "its audit path and the tree head, for check-proof");
  static uint64_t seq = 0;
  static std::string prove_digest;
  prove->add_option("SEQ", seq, "The event's sequence number")->required()
      ->check(CLI::Range(uint64_t{1}, UINT64_MAX));
  prove->add_option("--digest", prove_digest, "A digest this log extends")->required();
  prove->footer(
      "Refused (exit 1) when the log does not extend the digest, or the event is after it.\n"
      "Example:\n  ledger prove 42 --digest \"$(tail -1 ~/kept-digests)\" > proof-42.json");
  prove->callback([&] { exit_code = run_prove(context, seq, prove_digest); });

  auto* check = app.add_subcommand(
      "check-proof", "Check a proof from `prove` against a digest you kept, without the books");
  static std::string file;
  static std::string check_digest;
  check->add_option("FILE", file, "The proof, or - for standard input")->required();
  check->add_option("--digest", check_digest, "The digest the proof must lead to")->required();
  check->footer(
      "Exit status 0 when the proof leads from its event to the digest's root, 1 when it does "
      "not, 65 when FILE is not a proof.\nExample:\n  ledger check-proof proof-42.json "
      "--digest ledger-digest-v1:1042:9f2c...");
  check->callback([&] { exit_code = run_check_proof(context, file, check_digest); });
}

}  // namespace ledger::cli
