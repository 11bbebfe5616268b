#pragma once
// The store's seeded simulation: random commits, reads, reopens, crashes and faults against a
// SimulatedDisk, checked after every step against a model of what was acknowledged. One seed
// gives one exact run, so a failure is reproduced by `store_sim --seed N`.
//
// The model is the list of commits in log order, each with its events, and a flag: certain
// (its commit() returned ok, or a later commit did, whose sync made everything before it
// durable), or uncertain (its commit() failed, so its data may or may not have reached the
// disk). Invariants:
//  1. A clean read (no read faults) returns every certain commit, whole and in order, with
//     exactly its events; an uncertain one whole or not at all; nothing else. The sequence
//     numbers run on without a gap from the log's first.
//  2. A read with bit flips returns the same as a clean read, or an error, or stops early at a
//     commit boundary: never other bytes, never part of a commit (ledger-format(5): nothing of
//     a commit is visible until its end frame is written and synced).
//  3. A commit that was never committed (a crash mid-commit, an abandoned one) is never seen.
//  4. After a failed write or sync, the writer refuses every later commit (sticky error), and a
//     new writer on a healthy disk opens, recovers and appends.
//  5. After a reopen, the writer's version (last_seq) is the last event a clean read returns.
// An uncertain commit that a reopen did not find is dropped from the model: its bytes were cut.
// Decisions where the format's contract is silent: a reader or a recovery that meets a flipped bit may
// refuse (corruption or I/O error), and a reader may stop early at a commit boundary (a flip in
// the last commit looks like a torn tail); a refused recovery must then succeed on a healthy
// disk. Not simulated yet: snapshot files, sorted runs, archive and purge; segment index files
// are written (under faults and crashes too) but nothing here reads them.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "log_fixture.h"
#include "sim_disk.h"
#include "store/log_reader.h"
#include "store/log_writer.h"

namespace ledger::store::testing {

struct SimEvent {
  uint16_t type = 0;
  int64_t effective_ns = 0;
  std::string payload;
  friend bool operator==(const SimEvent&, const SimEvent&) = default;
};

struct SimCommit {
  std::vector<SimEvent> events;
  bool certain = false;
};

struct SimResult {
  uint64_t ops = 0;
  uint64_t crashes = 0;
  uint64_t faults = 0;
  uint64_t checks = 0;
  std::string failure;  // Empty when every invariant held.
};

struct SimConfig {
  uint64_t ops = 2000;
  double read_flip = 0.05;    // Per pread, during flaky reads and flaky reopens.
  double write_error = 0.04;  // Per mutating call, during faulty appends.
  double sync_error = 0.1;    // Per sync, during faulty appends.
};

class Simulation {
 public:
  Simulation(uint64_t seed, SimConfig config)
      : seed_(seed), config_(config), rng_(seed), disk_(temp_.path(), seed ^ 0x9E3779B97F4A7C15ull),
        dir_(temp_.path() / "data"), clock_(stepping_clock()) {
    segment_size_ = 8192u << (rng_() % 4);  // 8 KiB .. 64 KiB: rolls every few dozen commits.
  }
  ~Simulation() { writer_.reset(); }

  SimResult run() {
    SimResult result;
    if (!open_writer_checked("first open")) return finish(result);
    for (op_ = 0; op_ < config_.ops && failure_.empty(); ++op_) step();
    if (failure_.empty()) check_clean_read("final read");
    return finish(result);
  }

 private:
  SimResult finish(SimResult result) {
    result.ops = op_;
    result.crashes = crashes_;
    result.faults = disk_.faults_injected();
    result.checks = checks_;
    result.failure = failure_;
    return result;
  }

  void fail(const std::string& what) {
    if (failure_.empty()) failure_ = fmt::format("op {} ({}): {}", op_, op_name_, what);
  }
  bool expect(bool ok, const std::string& what) {
    ++checks_;
    if (!ok) fail(what);
    return ok;
  }
  uint64_t pick(uint64_t n) { return rng_() % n; }

  LogOptions options() {
    LogOptions o;
    o.segment_size_bytes_max = segment_size_;
    o.lock_wait = std::chrono::milliseconds(100);
    o.syscalls = &disk_;
    o.clock_ns = clock_;
    return o;
  }

  void step() {
    const uint64_t roll = pick(100);
    if (roll < 30) return op_append(false);
    if (roll < 45) return op_multi_frame();
    if (roll < 58) return op_clean_read();
    if (roll < 66) return op_flaky_read();
    if (roll < 72) return op_reopen();
    if (roll < 80) return op_crash();
    if (roll < 84) return op_crash_mid_commit();
    if (roll < 87) return op_abandon();
    if (roll < 95) return op_append(true);
    return op_flaky_reopen();
  }

  // A commit of random events; `frames` > 1 ends frames along the way (some flushed early).
  SimCommit make_commit(size_t frames) {
    SimCommit commit;
    const size_t events = frames == 1 ? 1 + pick(4) : frames + pick(frames * 3);
    for (size_t i = 0; i < events; ++i) {
      SimEvent e;
      e.type = static_cast<uint16_t>(1 + pick(5));
      e.payload = fmt::format("c{}e{}:", next_commit_id_, i);
      const size_t extra = pick(8) == 0 ? pick(1500) : pick(120);
      for (size_t b = 0; b < extra; ++b) e.payload.push_back(static_cast<char>(rng_()));
      commit.events.push_back(std::move(e));
    }
    ++next_commit_id_;
    return commit;
  }

  // Writes the events of `commit` into the open commit of the writer; false on an error.
  Status add_events(SimCommit& commit, size_t frames) {
    const int64_t recorded = writer_->commit_recorded_ns();
    const size_t per_frame = (commit.events.size() + frames - 1) / frames;
    for (size_t i = 0; i < commit.events.size(); ++i) {
      SimEvent& e = commit.events[i];
      e.effective_ns = recorded - static_cast<int64_t>(pick(1'000'000'000));
      const Record r{e.type, 1, e.effective_ns, bytes_of(e.payload)};
      LEDGER_RETURN_IF_ERROR(writer_->add(r));
      if (frames > 1 && (i + 1) % per_frame == 0 && i + 1 < commit.events.size()) {
        if (pick(3) == 0) {
          LEDGER_RETURN_IF_ERROR(writer_->flush_frame());
        } else {
          writer_->end_frame();
        }
      }
    }
    return Status::ok();
  }

  Status write_commit(SimCommit& commit, size_t frames) {
    LEDGER_RETURN_IF_ERROR(writer_->begin(writer_->last_seq()));
    if (Status s = add_events(commit, frames); !s) {
      (void)writer_->abandon();
      return s;
    }
    auto info = writer_->commit();
    if (!info) return info.status();
    return Status::ok();
  }

  void acknowledge(SimCommit commit) {
    // The commit's sync covered every byte before it in the log (a roll syncs the segment it
    // leaves), so every commit still in the model is durable now.
    for (SimCommit& c : model_) c.certain = true;
    commit.certain = true;
    model_.push_back(std::move(commit));
  }

  void op_append(bool faulty) {
    op_name_ = faulty ? "faulty append" : "append";
    const size_t frames = pick(3) == 0 ? 2 + pick(4) : 1;
    SimCommit commit = make_commit(frames);
    if (faulty) disk_.set_faults({0, config_.write_error, config_.sync_error});
    Status s = write_commit(commit, frames);
    disk_.set_faults({});
    if (s) return acknowledge(std::move(commit));
    if (!faulty) return fail(fmt::format("append failed on a healthy disk: {}", s.message()));
    commit.certain = false;
    model_.push_back(std::move(commit));
    // Sticky: the state of the file is unknown, so the writer refuses from now on.
    SimCommit next = make_commit(1);
    Status again = write_commit(next, 1);
    if (!expect(!again, "the writer accepted a commit after a failed write or sync")) return;
    writer_.reset();
    if (pick(2) == 0) {
      crash();
    }
    if (open_writer_checked("reopen after a failed write")) check_after_reopen();
  }

  void op_multi_frame() {
    op_name_ = "multi-frame commit";
    const size_t frames = 2 + pick(6);
    SimCommit commit = make_commit(frames);
    Status s = write_commit(commit, frames);
    if (!s) return fail(fmt::format("multi-frame commit failed on a healthy disk: {}", s.message()));
    acknowledge(std::move(commit));
  }

  void op_abandon() {
    op_name_ = "abandon";
    const size_t frames = 1 + pick(4);
    SimCommit commit = make_commit(frames);
    if (Status s = writer_->begin(); !s) return fail(s.message());
    if (Status s = add_events(commit, frames); !s) return fail(s.message());
    if (Status s = writer_->flush_frame(); !s) return fail(s.message());
    if (Status s = writer_->abandon(); !s) return fail("abandon failed: " + s.message());
    check_clean_read("read after abandon");
  }

  void op_clean_read() {
    op_name_ = "read";
    check_clean_read("read");
  }

  void op_flaky_read() {
    op_name_ = "read with bit flips";
    disk_.set_faults({config_.read_flip, 0, 0});
    std::string error;
    auto commits = read_log(error);
    disk_.set_faults({});
    if (!error.empty()) {
      ++checks_;
      return;  // Reporting the damage it saw is what a reader should do.
    }
    const std::string problem = match(commits, true);
    expect(problem.empty(), "a read with bit flips returned other data: " + problem);
  }

  void op_reopen() {
    op_name_ = "reopen";
    writer_.reset();
    if (open_writer_checked("reopen")) check_after_reopen();
  }

  void op_flaky_reopen() {
    op_name_ = "reopen with bit flips";
    writer_.reset();
    disk_.set_faults({config_.read_flip, 0, 0});
    RecoveryReport report;
    auto writer = LogWriter::open(dir_, options(), report);
    disk_.set_faults({});
    ++checks_;
    if (writer) {
      writer_ = std::move(*writer);
      check_after_reopen();
      return;
    }
    // Refusing to open on what looks like damage is allowed; a healthy disk must then open.
    if (open_writer_checked("reopen after a refused flaky reopen")) check_after_reopen();
  }

  void op_crash() {
    op_name_ = "crash";
    disk_.power_off();
    writer_.reset();
    crash();
    if (open_writer_checked("reopen after crash")) check_after_reopen();
  }

  void op_crash_mid_commit() {
    op_name_ = "crash mid-commit";
    const size_t frames = 1 + pick(5);
    SimCommit commit = make_commit(frames);
    if (Status s = writer_->begin(); !s) return fail(s.message());
    if (Status s = add_events(commit, frames); !s) return fail(s.message());
    if (Status s = writer_->flush_frame(); !s) return fail(s.message());
    disk_.power_off();
    writer_.reset();
    crash();
    if (open_writer_checked("reopen after crash mid-commit")) check_after_reopen();
  }

  void crash() {
    disk_.power_off();
    if (!expect(disk_.open_files() == 0, "files still open at the crash")) return;
    disk_.reboot(rng_);
    ++crashes_;
  }

  bool open_writer_checked(const std::string& what) {
    RecoveryReport report;
    auto writer = LogWriter::open(dir_, options(), report);
    if (!expect(writer.is_ok(), what + " failed: " + (writer ? "" : writer.status().message()))) {
      return false;
    }
    writer_ = std::move(*writer);
    return true;
  }

  // After a reopen: a clean read matches the model; uncertain commits it did not find are gone
  // for good; the writer's version is the end of the log.
  void check_after_reopen() {
    auto commits = check_clean_read("read after reopen");
    if (!failure_.empty()) return;
    std::vector<SimCommit> kept;
    size_t next = 0;
    uint64_t events = 0;
    for (SimCommit& c : model_) {
      if (next < commits.size() && commits[next] == c.events) {
        events += c.events.size();
        ++next;
        kept.push_back(std::move(c));
      }
    }
    model_ = std::move(kept);
    expect(writer_->last_seq() == first_seq_ - 1 + events,
           fmt::format("the writer's version is {}, the log holds {} events", writer_->last_seq(),
                       events));
  }

  std::vector<std::vector<SimEvent>> check_clean_read(const std::string& what) {
    std::string error;
    auto commits = read_log(error);
    if (!expect(error.empty(), what + " failed on a healthy disk: " + error)) return {};
    const std::string problem = match(commits, false);
    expect(problem.empty(), what + ": " + problem);
    return commits;
  }

  // The visible commits of the log, grouped by their end frames. A trailing group without an
  // end frame is reported as an error of its own kind.
  std::vector<std::vector<SimEvent>> read_log(std::string& error) {
    std::vector<std::vector<SimEvent>> commits;
    auto reader = LogReader::open(dir_, &disk_);
    if (!reader) {
      error = reader.status().message();
      return commits;
    }
    first_seq_ = reader->first_seq();
    uint64_t seq_next = first_seq_;
    std::vector<SimEvent> open;
    for (;;) {
      auto frame = reader->next();
      if (!frame) {
        error = frame.status().message();
        return commits;
      }
      if (*frame == nullptr) break;
      const FrameRef& f = **frame;
      if (f.header.seq_first != seq_next) {
        partial_ = fmt::format("frame starts at sequence {}, expected {}", f.header.seq_first,
                               seq_next);
      }
      seq_next = f.header.seq_last() + 1;
      RecordIterator it(f.bytes);
      Record r;
      while (it.next(r)) {
        open.push_back({r.type, r.effective_ns,
                        std::string(reinterpret_cast<const char*>(r.payload.data()),
                                    r.payload.size())});
      }
      if (f.header.ends_commit()) commits.push_back(std::move(open)), open.clear();
    }
    if (!open.empty()) partial_ = fmt::format("{} events of an unfinished commit", open.size());
    return commits;
  }

  // "" when `commits` is what the model allows: the certain commits in order, uncertain ones
  // whole or absent, nothing else. With `prefix`, the read may stop early at a commit boundary.
  std::string match(const std::vector<std::vector<SimEvent>>& commits, bool prefix) {
    if (!partial_.empty()) {
      std::string p = std::exchange(partial_, {});
      return "the reader returned part of a commit: " + p;
    }
    size_t next = 0;
    for (size_t i = 0; i < model_.size(); ++i) {
      if (next < commits.size() && commits[next] == model_[i].events) {
        ++next;
        continue;
      }
      if (!model_[i].certain) continue;
      if (next == commits.size() && prefix) return "";
      return fmt::format("acknowledged commit {} of {} ({} events) is {}", i, model_.size(),
                         model_[i].events.size(),
                         next == commits.size() ? "missing" : "not what was written");
    }
    if (next != commits.size()) {
      return fmt::format("{} commits that were never acknowledged are visible",
                         commits.size() - next);
    }
    return "";
  }

  uint64_t seed_;
  SimConfig config_;
  std::mt19937_64 rng_;
  TempDir temp_;
  SimulatedDisk disk_;
  std::filesystem::path dir_;
  std::function<int64_t()> clock_;
  uint64_t segment_size_ = 4096;
  std::unique_ptr<LogWriter> writer_;
  std::vector<SimCommit> model_;
  uint64_t next_commit_id_ = 0;
  uint64_t first_seq_ = 1;
  uint64_t op_ = 0;
  const char* op_name_ = "start";
  uint64_t crashes_ = 0;
  uint64_t checks_ = 0;
  std::string failure_;
  std::string partial_;
};

inline SimResult run_simulation(uint64_t seed, SimConfig config = {}) {
  return Simulation(seed, config).run();
}

}  // namespace ledger::store::testing
