// `export`: every event the cutoffs let through, in timeline order with running balances, for
// the CLI to write as a journal or as import rows. The cutoffs mean what they mean for
// balances() (ledger(1), TIMES): frames recorded after --known-at are not read, events effective
// after --at are left out.
//
// Two passes in bounded memory: the log is read once in log order, each event going as a record
// into an external sort (scratch files past options.export_memory_bytes) and its amounts into
// the per-account totals of an ExportBook; then the sorted records stream to the sink, which
// writes each as it comes. The totals are checked against balances() for the same cutoffs
// before the first event goes out, so a journal never asserts numbers that our own queries
// would not give and a disagreement writes nothing; after the last, the running balances that
// went out are checked against those totals (a failure then comes after the output).
#include <fmt/format.h>

#include <string>

#include "app/export_book.h"
#include "app/export_events.h"
#include "app/export_record.h"
#include "app/query_support.h"
#include "app/replay.h"
#include "app/state_loader.h"
#include "ledger/ledger.h"
#include "store/log_cursor.h"
#include "util/external_sort.h"

namespace ledger {

namespace {

// Reporting progress for every event would cost more than the export itself.
constexpr uint64_t kProgressEveryEvents = 4096;

using ExportSort = util::ExternalSort<app::ExportKey>;

// Books the event's accounts and amounts, and adds its record to the sort.
Status take_event(const domain::EventAt& e, app::ExportBook& book, ExportSort& sorted,
                  std::string& record) {
  const domain::EventView& v = e.event;
  const app::ExportKey key = app::export_key_of(e);
  app::ExportAccountNumbers numbers{book.number(app::export_account_of(v)), 0};
  if (v.type == domain::EventType::kAccountOpened) book.open(numbers.account, v.currency);
  const int64_t amount = v.amount;
  switch (v.type) {
    case domain::EventType::kMoneyDeposited:
      book.touch(numbers.account, key, 0, amount);
      break;
    case domain::EventType::kMoneyWithdrawn:
      book.touch(numbers.account, key, 0, -amount);
      break;
    case domain::EventType::kMoneyTransferred:
      numbers.to = book.number(v.to);
      book.touch(numbers.account, key, 0, -amount);
      book.touch(numbers.to, key, 1, amount);
      break;
    default:
      book.touch(numbers.account, key, 0, 0);
      break;
  }
  record.clear();
  app::encode_export_record(record, e, numbers);
  return sorted.add(key, record);
}

// The sorted records to the sink, in order, with their balances.
Status write_sorted(const ExportSort& sorted, app::ExportBook& book, ExportSink& sink) {
  auto cursor = sorted.cursor();
  if (!cursor) return cursor.status();
  ExportEvent x;  // Reused: its strings keep their capacity.
  for (;;) {
    auto key = cursor->next();
    if (!key) return key.status();
    if (!*key) return Status::ok();
    const auto numbers = app::decode_export_record(**key, cursor->payload(), x);
    LEDGER_RETURN_IF_ERROR(book.apply(x, numbers));
    LEDGER_RETURN_IF_ERROR(sink.event(x));
  }
}

}  // namespace

namespace app {

Status export_from(const EventFeed& feed, const Cutoffs& cutoffs, size_t memory_bytes,
                   const std::function<Result<std::vector<AccountView>>()>& balances,
                   ExportSink& sink, const std::function<void(uint64_t)>& progress) {
  app::ExportBook book;
  ExportSort sorted(memory_bytes);
  std::string record;
  uint64_t read = 0;
  LEDGER_RETURN_IF_ERROR(feed([&](const domain::EventAt& e) {
    if (progress && ++read % kProgressEveryEvents == 0) progress(read);
    if (cutoffs.effective_at_ns && e.effective_ns > *cutoffs.effective_at_ns) {
      return Status::ok();
    }
    return take_event(e, book, sorted, record);
  }));
  LEDGER_RETURN_IF_ERROR(sorted.finish());
  LEDGER_RETURN_IF_ERROR(book.check_opened());
  // The same books through the query path (snapshots and all): they must agree.
  auto views = balances();
  if (!views) return views.status();
  LEDGER_RETURN_IF_ERROR(book.check_totals(*views));
  LEDGER_RETURN_IF_ERROR(sink.begin({sorted.size(), book.accounts()}));
  LEDGER_RETURN_IF_ERROR(write_sorted(sorted, book, sink));
  return book.check_written();
}

}  // namespace app

const char* op_name(EntryOp op) {
  switch (op) {
    case EntryOp::kOpen: return "open";
    case EntryOp::kDeposit: return "deposit";
    case EntryOp::kWithdraw: return "withdraw";
    case EntryOp::kTransfer: return "transfer";
    case EntryOp::kClose: return "close";
  }
  return "open";
}

Status Ledger::export_events(const Cutoffs& cutoffs, ExportSink& sink,
                             const std::function<void(uint64_t)>& progress) const {
  if (books_) return books_->export_events(cutoffs, sink, progress);
  auto segments = store::list_segments(options_.dir);
  if (!segments) return segments.status();
  if (segments->empty()) return app::no_ledger(options_.dir);
  auto base = app::purge_base(options_.dir, *segments);
  if (!base) return base.status();
  if (*base) {
    return Status(ErrorCode::kRefused,
                  fmt::format("cannot export: the history before event {} was purged (`compact "
                              "--purge`), and an export needs every event from the first",
                              (*base)->first_seq));
  }
  // A frame whose events are all effective after --at holds nothing for the export; its
  // openings are not needed either, since nothing exported can touch those accounts.
  auto skip = [&cutoffs](const app::FrameSummary& f) {
    return cutoffs.effective_at_ns && f.effective_min_ns > *cutoffs.effective_at_ns;
  };
  const app::EventFeed feed = [&](const app::EventVisit& visit) {
    return app::replay_events(options_.dir, cutoffs.known_at_ns, visit, skip);
  };
  return app::export_from(feed, cutoffs, options_.export_memory_bytes,
                          [&] { return balances({}, cutoffs); }, sink, progress);
}

}  // namespace ledger
