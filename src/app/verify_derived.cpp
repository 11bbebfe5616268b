#include "app/verify_derived.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <tuple>

#include "app/account_index.h"
#include "app/ref_index.h"
#include "domain/state_codec.h"
#include "store/run_set.h"
#include "store/time_index.h"

namespace ledger::app {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSnapshotDerived =
    "; it is derived data: delete it and `ledger snapshot` takes a new one";
constexpr const char* kRefIndexDerived =
    "; the ref index is derived data: delete the refs folder and the next write rebuilds it "
    "from the log";
constexpr const char* kAccountIndexDerived =
    "; an account index is derived data: delete it and the next statement rebuilds it from its "
    "segment";

std::string name_of(const fs::path& path) { return path.filename().string(); }

// The store's messages name the snapshot file; the problem names it already.
std::string without_file_name(const std::string& message, const fs::path& path) {
  const std::string prefix = fmt::format("snapshot {}: ", name_of(path));
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

std::string amount(const domain::Account& a, int64_t minor) {
  return fmt::format("{} {}", format_amount(minor, a.currency.decimals), a.currency.code);
}

// How one account of a snapshot differs from the replay's, in words; empty when it does not.
std::string account_difference(const domain::Account& snap, const domain::Account& replay) {
  auto differ = [&](const char* field, const std::string& s, const std::string& r) {
    return fmt::format("account {} {} {} in the snapshot, {} by replay", snap.id, field, s, r);
  };
  if (snap.currency.code != replay.currency.code ||
      snap.currency.decimals != replay.currency.decimals) {
    return differ("currency", snap.currency.code, replay.currency.code);
  }
  if (snap.balance != replay.balance) {
    return differ("balance", amount(snap, snap.balance), amount(replay, replay.balance));
  }
  if (snap.closed != replay.closed) {
    return differ("status", snap.closed ? "closed" : "open", replay.closed ? "closed" : "open");
  }
  if (snap.owner != replay.owner) {
    return differ("owner", '"' + snap.owner + '"', '"' + replay.owner + '"');
  }
  if (snap.overdraft_limit != replay.overdraft_limit) {
    return differ("overdraft limit", amount(snap, snap.overdraft_limit),
                  amount(replay, replay.overdraft_limit));
  }
  if (snap.opened_effective_ns != replay.opened_effective_ns) {
    return differ("opened time", std::to_string(snap.opened_effective_ns),
                  std::to_string(replay.opened_effective_ns));
  }
  return {};
}

// The first difference between two states' accounts (by id), and how many accounts differ.
std::pair<std::string, size_t> state_difference(const domain::LedgerState& snap,
                                                const domain::LedgerState& replay) {
  const auto a = snap.sorted_accounts();
  const auto b = replay.sorted_accounts();
  std::string first;
  size_t count = 0;
  auto note = [&](std::string what) {
    if (count++ == 0) first = std::move(what);
  };
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i]->id < b[j]->id)) {
      note(fmt::format("account {} is in the snapshot, but not in the replay", a[i++]->id));
    } else if (i == a.size() || b[j]->id < a[i]->id) {
      note(fmt::format("account {} is in the replay, but not in the snapshot", b[j++]->id));
    } else {
      if (std::string d = account_difference(*a[i], *b[j]); !d.empty()) note(std::move(d));
      ++i;
      ++j;
    }
  }
  return {first, count};
}

}  // namespace

void SnapshotCheck::problem(store::VerifyReport& report, const store::SnapshotFileInfo& info,
                            std::string what) {
  ++problems_added_;
  report.add(store::make_problem(
      "snapshot", info.path, std::nullopt, info.meta.seq_last, info.meta.seq_last,
      fmt::format("snapshot {} {}{}", name_of(info.path), what, kSnapshotDerived)));
}

void SnapshotCheck::prepare(store::Syscalls& sys, const fs::path& dir,
                            const std::vector<store::SegmentFile>& segments,
                            const std::optional<store::LogPosition>& start,
                            store::VerifyReport& report) {
  report.ran("snapshots");
  sys_ = &sys;
  store::SnapshotListing listing = store::list_snapshots(sys, dir);
  for (const std::string& line : listing.problems) {
    ++problems_added_;
    report.add(store::make_problem("snapshot", store::snapshot_dir(dir), std::nullopt, 0, 0,
                                   line + kSnapshotDerived));
  }
  listed_ = listing.snapshots.size() + listing.problems.size();
  for (store::SnapshotFileInfo& info : listing.snapshots) {
    const store::SnapshotMeta& meta = info.meta;
    auto position = store::check_against_log(sys, segments, meta);
    // A snapshot that ends exactly where a purged log begins is proved by the chain the first
    // segment's header names.
    const bool at_purge_point =
        start && meta.seq_last + 1 == start->seq_next && meta.chain == start->chain;
    if (!position && !at_purge_point) {
      if (start && meta.seq_last + 1 < start->seq_next) {
        report.note(
            fmt::format("snapshot {} covers only history that was purged: it cannot be "
                        "checked against the log",
                        name_of(info.path)));
        continue;
      }
      problem(report, info,
              fmt::format("matches nothing in the log: {}", position.status().message()));
      continue;
    }
    if (auto payload = store::read_snapshot_payload(sys, info); !payload) {
      problem(
          report, info,
          fmt::format("is damaged: {}", without_file_name(payload.status().message(), info.path)));
      continue;
    }
    waiting_.push_back(std::move(info));
  }
  std::sort(waiting_.begin(), waiting_.end(),
            [](const store::SnapshotFileInfo& a, const store::SnapshotFileInfo& b) {
              return a.meta.seq_last < b.meta.seq_last;
            });
}

std::optional<ReplayStart> SnapshotCheck::take_start(uint64_t first_seq,
                                                     store::VerifyReport& report) {
  for (; next_ < waiting_.size(); ++next_) {
    const store::SnapshotFileInfo& info = waiting_[next_];
    if (info.meta.seq_last + 1 < first_seq) continue;
    auto payload = store::read_snapshot_payload(*sys_, info);
    auto state = payload ? domain::decode_state(*payload, false)
                         : Result<domain::LedgerState>(payload.status());
    if (!state || state->last_seq() != info.meta.seq_last) {
      problem(
          report, info,
          fmt::format("does not decode: {}", state ? "its state and header disagree on the sequence"
                                                   : state.status().message()));
      continue;
    }
    ReplayStart start{std::move(*state), info.meta.seq_last, info.meta.effective_max_ns};
    ++next_;
    return start;
  }
  ++problems_added_;
  report.add(store::make_problem(
      "snapshot", {}, std::nullopt, first_seq, first_seq,
      fmt::format("the log was purged before sequence {}, and no usable snapshot at or after "
                  "that point is left to start a replay from: the replay was not checked",
                  first_seq)));
  return std::nullopt;
}

void SnapshotCheck::reached(uint64_t seq, const domain::LedgerState& state,
                            int64_t effective_max_ns, bool incomplete,
                            store::VerifyReport& report) {
  for (; next_ < waiting_.size() && waiting_[next_].meta.seq_last <= seq; ++next_) {
    const store::SnapshotFileInfo& info = waiting_[next_];
    if (info.meta.seq_last < seq) {
      problem(report, info,
              fmt::format("ends at sequence {}, where the replay did not stop (it went "
                          "on to {})",
                          info.meta.seq_last, seq));
      continue;
    }
    if (incomplete) {
      ++not_compared_;
      continue;
    }
    compare(info, state, effective_max_ns, report);
  }
}

void SnapshotCheck::finish(store::VerifyReport& report) {
  if (not_compared_ > 0) {
    report.note(
        fmt::format("{} {} not compared with the replay: events before {} were lost to the "
                    "damage above",
                    not_compared_, not_compared_ == 1 ? "snapshot was" : "snapshots were",
                    not_compared_ == 1 ? "it" : "them"));
  }
  for (; next_ < waiting_.size(); ++next_) {
    problem(report, waiting_[next_],
            fmt::format("ends at sequence {}, which the replay never reached",
                        waiting_[next_].meta.seq_last));
  }
}

void SnapshotCheck::compare(const store::SnapshotFileInfo& info, const domain::LedgerState& state,
                            int64_t effective_max_ns, store::VerifyReport& report) {
  ++compared_;
  auto payload = store::read_snapshot_payload(*sys_, info);
  auto snap = payload ? domain::decode_state(*payload, false)
                      : Result<domain::LedgerState>(payload.status());
  if (!snap) {
    problem(report, info, fmt::format("does not decode: {}", snap.status().message()));
    return;
  }
  std::string what;
  if (snap->last_seq() != info.meta.seq_last) {
    what = fmt::format("its state ends at sequence {}, its header at {}", snap->last_seq(),
                       info.meta.seq_last);
  } else if (auto [first, count] = state_difference(*snap, state); count > 0) {
    what = count == 1 ? first : fmt::format("{} (and {} more accounts differ)", first, count - 1);
  } else if (info.meta.effective_max_ns != effective_max_ns) {
    what = fmt::format("its header records {} as the latest effective time, the replay {}",
                       info.meta.effective_max_ns, effective_max_ns);
  } else {
    return;
  }
  problem(report, info, "does not match a replay of the log: " + what);
}

namespace {

void ref_problem(store::VerifyReport& report, const fs::path& file, uint64_t seq,
                 std::string what) {
  report.add(store::make_problem("refs", file, std::nullopt, seq, seq, what + kRefIndexDerived));
}

// One run against the refs of its events, both in key order.
Status compare_run(const store::SortedRun& run, const RefsSeen& refs, uint64_t seq_known_after,
                   store::VerifyReport& report) {
  const store::RunMeta meta = run.meta();
  auto in_run = [&](uint64_t seq) {
    return seq > seq_known_after && seq >= meta.seq_first && seq <= meta.seq_last;
  };
  // The replay's refs of this run, streamed in key order; of a ref used twice, the run keeps
  // the later event's.
  auto cursor = refs.cursor();
  if (!cursor) return cursor.status();
  Status scratch;  // The first error of the cursor, which ends the stream.
  std::optional<RefSeen> lookahead;
  std::optional<RefSeen> current;
  const RefSeen* expected = nullptr;
  auto pull = [&]() -> std::optional<RefSeen> {
    for (;;) {
      auto next = scratch ? cursor->next() : Result<std::optional<RefSeen>>(std::nullopt);
      if (!next) {
        scratch = next.status();
        return std::nullopt;
      }
      if (!*next || in_run((*next)->seq)) return *next;
    }
  };
  lookahead = pull();
  auto advance = [&] {
    current = lookahead;
    expected = nullptr;
    if (!current) return;
    for (lookahead = pull(); lookahead && lookahead->low == current->low &&
                             lookahead->high == current->high;
         lookahead = pull()) {
      current = lookahead;
    }
    expected = &*current;
  };
  auto expected_key = [&] { return store::RunKey{expected->low, expected->high}; };
  advance();
  size_t wrong = 0;
  std::string first;
  auto differ = [&](std::string what) {
    if (wrong++ == 0) first = std::move(what);
  };
  auto missing = [&](const RefSeen& r) {
    differ(fmt::format("the ref of event {} is not in it", r.seq));
  };
  Status read = run.for_each([&](const store::RunEntry& e) {
    if (!in_run(e.value_b)) {
      if (e.value_b <= seq_known_after && e.value_b >= meta.seq_first) return Status::ok();
      differ(fmt::format("it holds a ref of event {}, outside its range", e.value_b));
      return Status::ok();
    }
    const store::RunKey key = e.key();
    for (; expected != nullptr && expected_key() < key; advance()) missing(*expected);
    if (expected == nullptr || key < expected_key()) {
      differ(fmt::format("it holds a ref (of event {}) that the log does not have", e.value_b));
      return Status::ok();
    }
    const RefSeen r = *expected;  // A copy: advance() moves on.
    advance();
    if (e.value_a != r.digest || e.value_b != r.seq) {
      differ(
          fmt::format("the ref of event {} is recorded for event {} with content digest "
                      "{:016x}, the log has {:016x}",
                      r.seq, e.value_b, e.value_a, r.digest));
    }
    return Status::ok();
  });
  if (!scratch) return scratch;
  if (!read) {
    ref_problem(
        report, run.path(), 0,
        fmt::format("ref index run {} does not read: {}", name_of(run.path()), read.message()));
    return Status::ok();
  }
  for (; expected != nullptr; advance()) missing(*expected);
  if (!scratch) return scratch;
  if (wrong == 0) return Status::ok();
  ref_problem(report, run.path(), 0,
              fmt::format("ref index run {} (events {}..{}) does not match the log: {}{}",
                          name_of(run.path()), meta.seq_first, meta.seq_last, first,
                          wrong > 1 ? fmt::format(" ({} differences in all)", wrong) : ""));
  return Status::ok();
}

bool segment_damaged(const store::VerifyReport& report, const fs::path& segment) {
  const auto& problems = report.problems();
  return std::any_of(problems.begin(), problems.end(), [&](const store::VerifyProblem& p) {
    return p.file == segment &&
           (p.check == "frame" || p.check == "chain" || p.check == "sequence" ||
            p.check == "segment" || p.check == "time");
  });
}

// How a stored account index differs from one built from its segment; empty when it does not.
std::string run_difference(const store::SortedRun& stored, const store::SortedRun& built) {
  if (!(stored.meta() == built.meta())) {
    return fmt::format("it covers events {}..{}, the segment {}..{}", stored.meta().seq_first,
                       stored.meta().seq_last, built.meta().seq_first, built.meta().seq_last);
  }
  if (stored.entry_count() != built.entry_count()) {
    return fmt::format("it holds {} entries, the segment makes {}", stored.entry_count(),
                       built.entry_count());
  }
  store::SortedRun::Cursor a(stored);
  store::SortedRun::Cursor b(built);
  for (uint64_t n = 0;; ++n) {
    auto x = a.next();
    auto y = b.next();
    if (!x) return fmt::format("it does not read: {}", x.status().message());
    if (!y) return {};  // The fresh build failed to read back: not the stored file's fault.
    if (!*x && !*y) return {};
    if (!*x || !*y || !(**x == **y)) return fmt::format("entry {} differs", n);
  }
}

}  // namespace

Result<uint64_t> verify_ref_index(const fs::path& dir, const RefsSeen& refs,
                          uint64_t seq_known_after, uint64_t seq_last, bool replay_complete,
                          store::VerifyReport& report) {
  report.ran("ref index");
  const fs::path refs_dir = dir / kRefIndexDirName;
  std::error_code ec;
  if (!fs::exists(refs_dir, ec)) return 0;  // None yet: the next write builds it.
  auto runs = store::RunSet::open(refs_dir);
  if (!runs) {
    ref_problem(report, refs_dir, 0,
                fmt::format("ref index does not open: {}", runs.status().message()));
    return 0;
  }
  if (Status s = runs->verify(); !s) {
    ref_problem(report, refs_dir, 0, fmt::format("ref index is damaged: {}", s.message()));
    return runs->covered_through();
  }
  if (runs->covered_through() > seq_last) {
    ref_problem(report, refs_dir, runs->covered_through(),
                fmt::format("ref index covers events through {}, but the log ends at {}",
                            runs->covered_through(), seq_last));
  }
  if (!replay_complete) {
    report.note(
        "the ref index was not compared with the log: events were lost to the damage above");
    return runs->covered_through();
  }
  for (const store::SortedRun& run : runs->runs()) {
    LEDGER_RETURN_IF_ERROR(compare_run(run, refs, seq_known_after, report));
  }
  return runs->covered_through();
}

uint64_t verify_account_indexes(store::Syscalls& sys,
                                const std::vector<store::SegmentFile>& segments,
                                const std::function<void(uint64_t)>& progress,
                                store::VerifyReport& report) {
  report.ran("account indexes");
  const fs::path temp_dir = fs::temp_directory_path() / fmt::format("ledger-verify-{}", ::getpid());
  uint64_t done = 0;
  uint64_t compared = 0;
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    const fs::path path = account_index_path(segments[i]);
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    if (segment_damaged(report, segments[i].path)) continue;  // Already reported.
    auto problem = [&](std::string what) {
      report.add(store::make_problem(
          "index", path, std::nullopt, segments[i].base_seq, 0,
          fmt::format("account index {}: {}{}", name_of(path), what, kAccountIndexDerived)));
    };
    auto stored = store::SortedRun::open(sys, path);
    if (!stored) {
      problem(fmt::format("does not open: {}", stored.status().message()));
      continue;
    }
    if (Status s = stored->verify(); !s) {
      problem(fmt::format("is damaged: {}", s.message()));
      continue;
    }
    if (!is_current_format(*stored)) {
      report.note(fmt::format("account index {} is of an older format, which queries pass over; "
                              "`ledger snapshot` builds it again",
                              name_of(path)));
      continue;
    }
    fs::create_directories(temp_dir, ec);
    const fs::path built_path = temp_dir / name_of(path);
    Status built = build_account_index(sys, segments, i, built_path, false);
    auto fresh = built ? store::SortedRun::open(sys, built_path) : Result<store::SortedRun>(built);
    if (fresh) {
      ++compared;
      if (std::string d = run_difference(*stored, *fresh); !d.empty()) {
        problem("does not describe its segment: " + d);
      }
      // Its effective-order companion (.eff), built with it, must match too.
      auto stored_effective = store::SortedRun::open(sys, effective_index_path(path));
      auto fresh_effective = store::SortedRun::open(sys, effective_index_path(built_path));
      if (!stored_effective) {
        problem(fmt::format("its .eff does not open: {}", stored_effective.status().message()));
      } else if (Status s = stored_effective->verify(); !s) {
        problem(fmt::format("its .eff is damaged: {}", s.message()));
      } else if (fresh_effective) {
        if (std::string d = run_difference(*stored_effective, *fresh_effective); !d.empty()) {
          problem("its .eff does not describe its segment: " + d);
        }
      }
    } else {
      report.note(
          fmt::format("account index {} was not compared: its segment could not be "
                      "indexed ({})",
                      name_of(path), fresh.status().message()));
    }
    fs::remove(built_path, ec);
    fs::remove(effective_index_path(built_path), ec);
    const uint64_t size = fs::file_size(segments[i].path, ec);
    done += ec ? 0 : size;
    if (progress) progress(done);
  }
  std::error_code ec;
  fs::remove_all(temp_dir, ec);
  return compared;
}

}  // namespace ledger::app
