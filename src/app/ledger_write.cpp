// The write side of the Ledger service: lock, recover, rebuild, decide, commit.
#include <fmt/format.h>

#include "app/replay.h"
#include "domain/event_codec.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "store/log_writer.h"
#include "util/time.h"

namespace ledger {

namespace {

// Events per frame of an import: large enough to amortize frame headers, small enough that a
// reader's buffer stays modest.
constexpr size_t kImportFrameEvents = 1000;

struct OpenLog {
  std::unique_ptr<store::LogWriter> writer;
  domain::LedgerState state;
  std::string recovery;
};

Result<OpenLog> open_for_writing(const LedgerOptions& options) {
  store::LogOptions log_options;
  log_options.segment_size_bytes_max = options.segment_size_bytes_max;
  log_options.lock_wait = options.lock_wait;
  log_options.clock_ns = options.clock_ns;
  store::RecoveryReport report;
  auto writer = store::LogWriter::open(options.dir, log_options, report);
  if (!writer) return writer.status();
  OpenLog log{std::move(*writer), domain::LedgerState(true), report.describe()};
  LEDGER_RETURN_IF_ERROR(app::replay_events(
      options.dir, std::nullopt, [&log](const app::EventRef& e) { log.state.apply(e); }));
  if (log.state.last_seq() != log.writer->last_seq()) {
    return Status(ErrorCode::kInternal, "the log's reader and writer disagree on its end");
  }
  return log;
}

Status add_event(store::LogWriter& writer, const domain::PendingEvent& pending) {
  const domain::EncodedEvent encoded = domain::encode_event(pending.event);
  return writer.add({encoded.type, encoded.version, pending.effective_ns,
                     {reinterpret_cast<const unsigned char*>(encoded.payload.data()),
                      encoded.payload.size()}});
}

// Which import column a refusal is about, so that the CLI can point at it.
std::string column_of(const std::string& message) {
  static const std::pair<const char*, const char*> kClues[] = {
      {"insufficient funds", "amount"}, {"invalid amount", "amount"},
      {"invalid overdraft limit", "overdraft_limit"}, {"date ", "date"},
      {"currenc", "currency"}, {"ref \"", "ref"}};
  for (const auto& [clue, column] : kClues) {
    if (message.find(clue) != std::string::npos) return column;
  }
  return "account";
}

}  // namespace

int64_t Ledger::now_ns() const { return options_.clock_ns ? options_.clock_ns() : util::now_ns(); }

Result<WriteResult> Ledger::execute(const Command& command) {
  auto log = open_for_writing(options_);
  if (!log) return log.status();
  store::LogWriter& writer = *log->writer;
  LEDGER_RETURN_IF_ERROR(writer.begin(writer.last_seq()));
  auto decision = domain::decide(log->state, command, writer.commit_recorded_ns());
  if (!decision || !decision->event) {
    (void)writer.abandon();
    if (!decision) return decision.status();
    return WriteResult{false, decision->recorded_seq, log->recovery};
  }
  if (Status s = add_event(writer, *decision->event); !s) {
    (void)writer.abandon();
    return s;
  }
  auto info = writer.commit();
  if (!info) return info.status();
  return WriteResult{true, info->seq_first, log->recovery};
}

Result<ImportResult> Ledger::import(ImportSource& rows, bool dry_run, size_t issues_max,
                                    const std::function<void(size_t)>& progress) {
  // A dry run on a ledger that does not exist yet checks against the empty ledger and creates
  // nothing: the directory is made on the first write.
  std::error_code ec;
  const bool absent = dry_run && !std::filesystem::exists(options_.dir, ec);
  Result<OpenLog> log = absent ? Result<OpenLog>(OpenLog{nullptr, domain::LedgerState(true), ""})
                               : open_for_writing(options_);
  if (!log) return log.status();
  store::LogWriter* writer = log->writer.get();
  if (writer != nullptr) LEDGER_RETURN_IF_ERROR(writer->begin(writer->last_seq()));
  const int64_t now = writer != nullptr ? writer->commit_recorded_ns() : now_ns();
  ImportResult result;
  result.recovery = log->recovery;
  uint64_t seq = log->state.last_seq();
  // Rows are written as they pass, so memory stays bounded; the first bad row stops writing
  // (the commit is abandoned at the end) but checking goes on to report every bad row.
  bool writing = !dry_run;
  ImportRow row;
  while (rows.next(row)) {
    ++result.rows;
    if (progress && result.rows % 4096 == 0) progress(result.rows);
    auto decision = domain::decide(log->state, row.command, now);
    if (!decision) {
      writing = false;
      ++result.issues_total;
      if (result.issues.size() < issues_max) {
        result.issues.push_back({row.line, column_of(decision.status().message()),
                                 decision.status().message()});
      }
      continue;
    }
    if (!decision->event) {
      ++result.already_recorded;
      continue;
    }
    log->state.apply({++seq, now, decision->event->effective_ns, decision->event->event});
    ++result.recorded;
    if (!writing) continue;
    if (Status s = add_event(*writer, *decision->event); !s) {
      (void)writer->abandon();
      return s;
    }
    if (result.recorded % kImportFrameEvents == 0) writer->end_frame();
  }
  if (writer == nullptr) return result;
  if (!writing || rows.failed() || result.recorded == 0) {
    LEDGER_RETURN_IF_ERROR(writer->abandon());
    return result;
  }
  auto info = writer->commit();
  if (!info) return info.status();
  return result;
}

}  // namespace ledger
