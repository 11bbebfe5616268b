// `copy --to`: moves books between stores (a data directory and PostgreSQL, either way, or two
// of a kind). The events go over as they are, with their sequence numbers and both times, in one
// commit on the other side; then both sides must answer the same, or the copy fails (and what
// was written stays, for the user to look at: a copy never touches its source).
#include <fmt/format.h>
#include <xxhash.h>

#include <climits>
#include <memory>

#include "app/event_log.h"
#include "app/query_support.h"
#include "app/replay.h"
#include "domain/event_codec.h"
#include "ledger/ledger.h"
#include "store/log_cursor.h"
#include "store/log_writer.h"

namespace ledger {

namespace app {

EventLog::~EventLog() = default;

namespace {

// An import's frames hold this many events; a copy's do too.
constexpr uint64_t kCopyFrameEvents = 64;
constexpr uint64_t kProgressEvery = 4096;

// The data directory's log.
class DirectoryLog : public EventLog {
 public:
  explicit DirectoryLog(const LedgerOptions& options) : options_(options) {}

  Status read_events(const EventVisit& visit) override {
    LEDGER_RETURN_IF_ERROR(require_ledger(options_.dir));
    return replay_events(options_.dir, std::nullopt, visit);
  }

  Result<uint64_t> write_events(const EventFeed& feed, const std::string& zone,
                                const std::function<void(uint64_t)>& progress) override {
    auto segments = store::list_segments(options_.dir);
    if (!segments) return segments.status();
    if (!segments->empty()) return holds_a_ledger(options_.dir.string());
    std::unique_ptr<store::LogWriter> writer;
    int64_t clock_ns = 0;
    uint64_t written = 0;
    LEDGER_RETURN_IF_ERROR(feed([&](const domain::EventAt& e) -> Status {
      if (!writer) {
        store::LogOptions log;
        log.zone = zone;
        log.segment_size_bytes_max = options_.segment_size_bytes_max;
        log.lock_wait = options_.lock_wait;
        clock_ns = e.recorded_ns;
        log.clock_ns = [&clock_ns] { return clock_ns; };
        store::RecoveryReport report;
        auto opened = store::LogWriter::open(options_.dir, log, report);
        if (!opened) return opened.status();
        writer = std::move(*opened);
        LEDGER_RETURN_IF_ERROR(writer->begin(0));
      }
      LEDGER_RETURN_IF_ERROR(writer->set_recorded_ns(e.recorded_ns));
      const domain::EncodedEvent encoded = domain::encode_event(domain::to_event(e.event));
      LEDGER_RETURN_IF_ERROR(writer->add(
          {encoded.type, encoded.version, e.effective_ns,
           {reinterpret_cast<const unsigned char*>(encoded.payload.data()),
            encoded.payload.size()}}));
      if (++written % kCopyFrameEvents == 0) writer->end_frame();
      if (progress && written % kProgressEvery == 0) progress(written);
      return Status::ok();
    }));
    if (!writer) return written;
    auto committed = writer->commit();
    if (!committed) return committed.status();
    writer.reset();  // Its lock, for the snapshot's writer.
    // The indexes of its sealed segments, the ref index and a snapshot of the head, as a write
    // would have left them.
    auto snapshot = Ledger(options_).snapshot();
    if (!snapshot) return snapshot.status();
    return written;
  }

 private:
  LedgerOptions options_;
};

// Hashes every event an export gives, in its order: two stores agree when the digests do.
class ExportDigest : public ExportSink {
 public:
  Status begin(const ExportSummary& summary) override {
    events_ = summary.events;
    return Status::ok();
  }
  Status event(const ExportEvent& x) override {
    const std::string line = fmt::format(
        "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}", x.seq, x.recorded_ns, x.effective_ns,
        op_name(x.op), x.account, x.to, x.amount, x.currency, x.owner, x.overdraft_limit, x.memo,
        x.ref, x.balance, x.to_balance);
    digest_ = XXH3_64bits_withSeed(line.data(), line.size(), digest_);
    return Status::ok();
  }
  uint64_t events() const { return events_; }
  uint64_t digest() const { return digest_; }

 private:
  uint64_t events_ = 0;
  uint64_t digest_ = 0;
};

Result<ExportDigest> export_digest(const Ledger& ledger, const Cutoffs& cutoffs) {
  ExportDigest digest;
  LEDGER_RETURN_IF_ERROR(ledger.export_events(cutoffs, digest));
  return digest;
}

}  // namespace

Status holds_a_ledger(const std::string& location) {
  return Status(ErrorCode::kRefused,
                fmt::format("{} holds a ledger already; copy writes only where there is none",
                            location));
}

}  // namespace app

namespace {

bool same_books(const std::vector<AccountView>& a, const std::vector<AccountView>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].balance != b[i].balance || a[i].closed != b[i].closed ||
        a[i].currency != b[i].currency || a[i].owner != b[i].owner ||
        a[i].overdraft_limit != b[i].overdraft_limit || a[i].opened_ns != b[i].opened_ns) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<CopyResult> Ledger::copy_to(const std::filesystem::path& destination,
                                   const std::function<void(uint64_t)>& progress) const {
  LedgerOptions to_options = options_;
  to_options.dir = destination;
  const Ledger target(to_options);
  // A database's Books is its own log; a directory's is read and written here.
  auto log_of = [](const Ledger& ledger) -> std::shared_ptr<app::EventLog> {
    if (!ledger.books_) return std::make_shared<app::DirectoryLog>(ledger.options_);
    return std::shared_ptr<app::EventLog>(ledger.books_,
                                          dynamic_cast<app::EventLog*>(ledger.books_.get()));
  };
  const std::shared_ptr<app::EventLog> from = log_of(*this), to = log_of(target);
  if (!from || !to) return Status(ErrorCode::kInternal, "this store cannot be copied");
  // (A log from before zones were recorded has the zone the command line settled on.)
  auto zone = recorded_time_zone();
  if (!zone) return zone.status();
  // The events go over in log order, numbered from 1: a log purged of its beginning cannot.
  uint64_t expected = 1;
  int64_t last_recorded_ns = INT64_MIN;
  const app::EventFeed feed = [&](const app::EventVisit& visit) {
    return from->read_events([&](const domain::EventAt& e) -> Status {
      if (e.seq != expected) {
        return Status(ErrorCode::kRefused,
                      fmt::format("cannot copy: the log begins at event {} (the history before it "
                                  "was purged), and a copy needs every event from the first",
                                  e.seq));
      }
      ++expected;
      last_recorded_ns = e.recorded_ns;
      return visit(e);
    });
  };
  auto written = to->write_events(feed, zone->value_or(options_.timezone), progress);
  if (!written) return written.status();
  // Both sides must answer the same: every balance, and every event as export gives it, as
  // known when the last event copied was recorded: writes to the books since then (a copy
  // takes no lock on them) are not in the copy, and are not asked about.
  const Cutoffs copied{std::nullopt, last_recorded_ns};
  auto here = balances({}, copied);
  if (!here) return here.status();
  auto there = target.balances({}, copied);
  if (!there) return there.status();
  auto here_events = app::export_digest(*this, copied);
  if (!here_events) return here_events.status();
  auto there_events = app::export_digest(target, copied);
  if (!there_events) return there_events.status();
  if (!same_books(*here, *there) || here_events->digest() != there_events->digest() ||
      here_events->events() != there_events->events()) {
    return Status(ErrorCode::kCorruption,
                  fmt::format("the copy at {} does not answer as the books at {} do (the copy is "
                              "left there to look at)",
                              shown_location(destination), shown_location(options_.dir)));
  }
  return CopyResult{*written, here->size()};
}

}  // namespace ledger
