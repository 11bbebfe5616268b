// The maintenance side of the Ledger service: verify and stats. Both take no lock and write
// nothing.
#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <tuple>

#include "app/replay.h"
#include "domain/event_codec.h"
#include "domain/ledger_state.h"
#include "ledger/ledger.h"
#include "store/record.h"
#include "store/verify.h"

namespace ledger {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> accounts_of(const domain::Event& event) {
  return std::visit(
      [](const auto& e) -> std::vector<std::string> {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, domain::MoneyTransferred>) {
          return {e.from, e.to};
        } else {
          return {e.account};
        }
      },
      event);
}

// The accounts a record names, if it still decodes; nothing otherwise. Its bytes may be
// damaged, and the decoder refuses what does not decode to exactly one event.
std::vector<std::string> describe_record(const store::Record& record) {
  auto event = domain::decode_event(record.type, record.version, record.payload);
  return event ? accounts_of(*event) : std::vector<std::string>{};
}

// The domain's checks, fed every frame that passed the log's checks: each event decodes, and
// replaying it keeps every rule (LedgerState::check, then apply). Snapshot checks will compare
// this state with each snapshot at its sequence number.
class DomainCheck {
 public:
  void frame(const store::FrameRef& f, const fs::path& segment, store::VerifyReport& report) {
    store::RecordIterator records(f.bytes);
    store::Record r;
    uint64_t seq = f.header.seq_first;
    for (; records.next(r); ++seq) {
      auto event = domain::decode_event(r.type, r.version, r.payload);
      if (!event) {
        auto p = store::make_problem(
            "event", segment, f.offset, seq, seq,
            fmt::format("event {} does not decode: {}", seq, event.status().message()));
        p.effective_min_ns = p.effective_max_ns = r.effective_ns;
        add(report, std::move(p));
        continue;
      }
      domain::StoredEvent stored{seq, f.header.recorded_ns, r.effective_ns, std::move(*event)};
      if (Status s = state_.check(stored); !s) {
        auto p = store::make_problem("replay", segment, f.offset, seq, seq, s.message());
        p.effective_min_ns = p.effective_max_ns = r.effective_ns;
        p.subjects = accounts_of(stored.event);
        replay_failed(report, std::move(p));
        continue;
      }
      if (const domain::RefKey& ref = domain::ref_of(stored.event); !ref.ref.empty()) {
        const XXH128_hash_t digest = XXH3_128bits(ref.ref.data(), ref.ref.size());
        refs_.push_back({digest.low64, digest.high64, seq});
      }
      state_.apply(stored);
    }
  }

  // Once the log has lost events, the replay fails where later events needed them; those are
  // consequences of the damage already reported, so they are counted, not listed.
  void finish(store::VerifyReport& report) {
    check_refs(report);
    if (consequences_ == 0) return;
    report.note(
        fmt::format("{} later events could not be replayed because they depend on events "
                    "lost to the damage above",
                    consequences_));
  }

  const domain::LedgerState& state() const { return state_; }

 private:
  void add(store::VerifyReport& report, store::VerifyProblem problem) {
    ++own_problems_;
    report.add(std::move(problem));
  }
  void replay_failed(store::VerifyReport& report, store::VerifyProblem problem) {
    if (report.problems_total() > own_problems_) {
      ++consequences_;
      return;
    }
    add(report, std::move(problem));
  }

  // A ref names one event in the whole ledger. The state's own ref index would cost a hash-map
  // node per ref (about 75 bytes, and most of verify's time at a million events); a vector of
  // 128-bit digests sorted once at the end costs 24 bytes per ref.
  struct RefSeen {
    uint64_t low = 0;
    uint64_t high = 0;
    uint64_t seq = 0;
  };
  void check_refs(store::VerifyReport& report) {
    std::sort(refs_.begin(), refs_.end(), [](const RefSeen& a, const RefSeen& b) {
      return std::tie(a.low, a.high, a.seq) < std::tie(b.low, b.high, b.seq);
    });
    for (size_t i = 1; i < refs_.size(); ++i) {
      const RefSeen& a = refs_[i - 1];
      const RefSeen& b = refs_[i];
      if (a.low != b.low || a.high != b.high) continue;
      add(report,
          store::make_problem("replay", {}, std::nullopt, b.seq, b.seq,
                              fmt::format("event {} breaks a rule: its ref was already used by "
                                          "event {}",
                                          b.seq, a.seq)));
    }
    refs_ = {};
  }

  domain::LedgerState state_{false};  // Refs are checked apart: see RefSeen.
  std::vector<RefSeen> refs_;
  size_t own_problems_ = 0;
  uint64_t consequences_ = 0;
};

bool breaks_chain(const store::VerifyProblem& p) {
  return p.check == "frame" || p.check == "chain" || p.check == "sequence" ||
         p.check == "segment" || p.check == "time";
}

VerifyProblem public_problem(const store::VerifyProblem& p) {
  VerifyProblem out;
  out.check = p.check;
  out.file = p.file.filename().string();
  out.offset = p.offset;
  out.seq_first = p.seq_first;
  out.seq_last = p.seq_last;
  out.effective_min_ns = p.effective_min_ns;
  out.effective_max_ns = p.effective_max_ns;
  out.accounts = p.subjects;
  out.accounts_unverified = p.subjects_unverified;
  out.accounts_more = p.subjects_more;
  out.what = p.what;
  return out;
}

VerifyResult result_of(const store::VerifyReport& report, const domain::LedgerState& state) {
  const store::VerifyCounts& c = report.counts;
  VerifyResult r;
  r.events = c.events;
  r.frames = c.frames;
  r.segments = c.segments;
  r.segment_bytes = c.segment_bytes;
  r.seq_first = c.seq_first;
  r.seq_last = c.seq_last;
  r.indexes_checked = c.indexes_checked;
  r.indexes_current = c.indexes_current;
  r.indexes_missing = c.indexes_missing;
  r.indexes_skipped = c.indexes_skipped;
  r.accounts = state.sorted_accounts().size();
  r.checks = report.checks();
  r.notes = report.notes();
  r.problems_total = report.problems_total();
  for (const store::VerifyProblem& p : report.problems()) {
    if (breaks_chain(p)) r.chain_intact = false;
    r.problems.push_back(public_problem(p));
  }
  if (r.problems_total > r.problems.size()) r.chain_intact = false;  // Unknown: say so.
  return r;
}

}  // namespace

Result<VerifyResult> Ledger::verify(const std::function<void(uint64_t, uint64_t)>& progress) const {
  auto segments = store::list_segments(options_.dir);
  if (!segments) return segments.status();
  store::Syscalls& sys = store::real_syscalls();
  store::VerifyReport report;
  DomainCheck domain;
  store::VerifyHooks hooks;
  hooks.describe = describe_record;
  hooks.frame = [&domain](const store::FrameRef& f, const fs::path& segment,
                          store::VerifyReport& r) { domain.frame(f, segment, r); };
  hooks.progress = progress;
  // The store's checks, then the domain's. The log check feeds the domain check as it goes,
  // so the log is read once; snapshot and archive checks join this list when they land.
  LEDGER_RETURN_IF_ERROR(store::verify_log(sys, *segments, hooks, report));
  report.ran("events");
  report.ran("replay");
  domain.finish(report);
  LEDGER_RETURN_IF_ERROR(store::verify_indexes(sys, *segments, report));
  std::error_code ec;
  if (!fs::exists(options_.dir, ec)) {
    report.note(fmt::format("there is no ledger in {} yet (the directory does not exist)",
                            options_.dir.string()));
  }
  return result_of(report, domain.state());
}

Result<LedgerStats> Ledger::stats() const {
  auto segments = store::list_segments(options_.dir);
  if (!segments) return segments.status();
  auto log = store::log_stats(store::real_syscalls(), *segments);
  if (!log) return log.status();
  LedgerStats s{log->events,
                log->frames,
                log->segments,
                log->segment_bytes,
                log->archive_segments,
                log->archive_bytes,
                log->snapshots,
                0,
                0,
                log->seq_first,
                log->seq_last,
                log->recorded_first_ns,
                log->recorded_last_ns};
  // The accounts need the state: a full replay for now. Loading the newest snapshot (and
  // replaying only the tail after it) replaces this once snapshots land.
  domain::LedgerState state(false);
  LEDGER_RETURN_IF_ERROR(
      app::for_each_event(options_.dir, std::nullopt, [&state](const domain::StoredEvent& e) {
        state.apply(e);
        return Status::ok();
      }));
  for (const domain::Account* a : state.sorted_accounts()) {
    ++(a->closed ? s.accounts_closed : s.accounts_open);
  }
  return s;
}

}  // namespace ledger
