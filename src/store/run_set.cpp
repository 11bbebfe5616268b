#include "store/run_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

namespace ledger::store {

namespace fs = std::filesystem;

namespace {

constexpr size_t kSeqDigits = 20;
constexpr size_t kRunNameSize = kSeqDigits + 1 + kSeqDigits + 4;

std::optional<uint64_t> parse_seq(std::string_view digits) {
  uint64_t v = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

bool is_temp_name(std::string_view name) {
  return name.size() > 4 && name.ends_with(".tmp") && name.find(".run.") != std::string_view::npos;
}

struct Listing {
  std::vector<std::pair<RunMeta, fs::path>> runs;
  std::vector<fs::path> temps;
};

Result<Listing> list_dir(const fs::path& dir) {
  Listing listing;
  Status listed = for_each_name(dir, [&](std::string_view name) {
    if (auto meta = parse_run_file_name(name)) {
      listing.runs.emplace_back(*meta, dir / name);
    } else if (is_temp_name(name)) {
      listing.temps.push_back(dir / name);
    }
  });
  if (listed.code() == ErrorCode::kNotFound) return Listing{};
  if (!listed) return listed;
  return listing;
}

Status bad_set(const fs::path& dir, const std::string& what) {
  return {ErrorCode::kCorruption, fmt::format("run set {}: {}", dir.string(), what)};
}

}  // namespace

std::string run_file_name(uint64_t seq_first, uint64_t seq_last) {
  return fmt::format("{:020}-{:020}{}", seq_first, seq_last, kRunSuffix);
}

std::optional<RunMeta> parse_run_file_name(std::string_view name) {
  if (name.size() != kRunNameSize || name[kSeqDigits] != '-' || !name.ends_with(kRunSuffix)) {
    return std::nullopt;
  }
  const auto first = parse_seq(name.substr(0, kSeqDigits));
  const auto last = parse_seq(name.substr(kSeqDigits + 1, kSeqDigits));
  if (!first || !last || *first == 0 || *last < *first) return std::nullopt;
  return RunMeta{*first, *last};
}

Result<RunSet> RunSet::open(Syscalls& sys, const fs::path& dir) {
  // A run listed and then gone was deleted by a writer that had just merged it into a new run,
  // which a second listing finds. The writer merges at most a few times per add, so a few
  // attempts suffice.
  constexpr int kAttemptsMax = 4;
  for (int attempt = 1;; ++attempt) {
    auto set = open_once(sys, dir);
    if (set || set.status().code() != ErrorCode::kNotFound || attempt == kAttemptsMax) return set;
  }
}

Result<RunSet> RunSet::open_once(Syscalls& sys, const fs::path& dir) {
  auto listing = list_dir(dir);
  if (!listing) return listing.status();
  auto& found = listing->runs;
  if (found.size() > kRunSetRunsMax) {
    return bad_set(dir, fmt::format("{} runs (at most {})", found.size(), kRunSetRunsMax));
  }
  // Oldest first and, of runs starting together, the widest first, so that a run nested in
  // another comes after it.
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    if (a.first.seq_first != b.first.seq_first) return a.first.seq_first < b.first.seq_first;
    return a.first.seq_last > b.first.seq_last;
  });
  RunSet set(sys, dir);
  set.temps_ = std::move(listing->temps);
  uint64_t covered = 0;
  for (const auto& [meta, path] : found) {
    if (!set.runs_.empty() && meta.seq_last <= covered) {
      set.obsolete_.push_back(path);  // Inside the range of a run already kept.
      continue;
    }
    if (meta.seq_first != covered + 1) {
      return bad_set(dir, fmt::format("{} does not follow sequence number {}",
                                      path.filename().string(), covered));
    }
    auto run = SortedRun::open(sys, path);
    if (!run) return run.status();
    if (run->meta() != meta) {
      return bad_set(dir, fmt::format("{} holds sequence numbers {}..{}", path.filename().string(),
                                      run->meta().seq_first, run->meta().seq_last));
    }
    covered = meta.seq_last;
    set.runs_.push_back(std::move(*run));
  }
  return set;
}

Status RunSet::remove_all(Syscalls& sys, const fs::path& dir) {
  auto listing = list_dir(dir);
  if (!listing) return listing.status();
  if (listing->runs.empty() && listing->temps.empty()) return Status::ok();
  for (const auto& [meta, path] : listing->runs) {
    if (sys.unlink(path.c_str()) != 0 && errno != ENOENT)
      return errno_status("unlink", path, errno);
  }
  for (const fs::path& path : listing->temps) {
    if (sys.unlink(path.c_str()) != 0 && errno != ENOENT)
      return errno_status("unlink", path, errno);
  }
  return sync_dir(sys, dir);
}

Status RunSet::remove_all() {
  runs_.clear();  // Closes the files before they go.
  obsolete_.clear();
  temps_.clear();
  return remove_all(*sys_, dir_);
}

Result<std::optional<RunEntry>> RunSet::lookup(RunKey key) const {
  for (auto run = runs_.rbegin(); run != runs_.rend(); ++run) {
    auto found = run->lookup(key);
    if (!found || *found) return found;
  }
  return std::optional<RunEntry>();
}

RunSet::Sweep::Sweep(const RunSet& set) {
  for (auto run = set.runs_.rbegin(); run != set.runs_.rend(); ++run) runs_.emplace_back(*run);
}

Result<std::optional<RunEntry>> RunSet::Sweep::find(RunKey key) {
  for (SortedRun::Sweep& run : runs_) {
    auto found = run.find(key);
    if (!found || *found) return found;
  }
  return std::optional<RunEntry>();
}

Status RunSet::verify() const {
  for (const SortedRun& run : runs_) LEDGER_RETURN_IF_ERROR(run.verify());
  return Status::ok();
}

Status RunSet::tidy() {
  if (obsolete_.empty() && temps_.empty()) return Status::ok();
  // The runs that made the obsolete ones obsolete must outlive them: sync their renames first.
  LEDGER_RETURN_IF_ERROR(sync_dir(*sys_, dir_));
  for (const std::vector<fs::path>* paths : {&obsolete_, &temps_}) {
    for (const fs::path& path : *paths) {
      if (sys_->unlink(path.c_str()) != 0 && errno != ENOENT) {
        return errno_status("unlink", path, errno);
      }
    }
  }
  obsolete_.clear();
  temps_.clear();
  return sync_dir(*sys_, dir_);
}

Status RunSet::check_open() const {
  if (!failed_) return failed_;
  if (runs_.size() >= kRunSetRunsMax) {
    return bad_set(dir_, fmt::format("{} runs (at most {})", runs_.size(), kRunSetRunsMax));
  }
  return Status::ok();
}

Status RunSet::add(const std::vector<RunEntry>& sorted_entries, uint64_t seq_first,
                   uint64_t seq_last) {
  size_t at = 0;
  return add_streamed(
      [&]() -> Result<std::optional<RunEntry>> {
        if (at == sorted_entries.size()) return std::optional<RunEntry>();
        return std::optional<RunEntry>(sorted_entries[at++]);
      },
      seq_first, seq_last);
}

Status RunSet::add_streamed(const EntrySource& next, uint64_t seq_first, uint64_t seq_last) {
  LEDGER_RETURN_IF_ERROR(check_open());
  if (seq_first != covered_through() + 1 || seq_last < seq_first) {
    return {ErrorCode::kInvalidArgument,
            fmt::format("run set {}: cannot add sequence numbers {}..{} to a set covering 1..{}",
                        dir_.string(), seq_first, seq_last, covered_through())};
  }
  if (Status s = create_private_dir(*sys_, dir_); !s) return failed_ = s;
  if (Status s = tidy(); !s) return failed_ = s;

  const fs::path path = dir_ / run_file_name(seq_first, seq_last);
  auto writer = SortedRunWriter::create(*sys_, path, {seq_first, seq_last});
  if (!writer) return failed_ = writer.status();
  for (;;) {
    auto entry = next();
    if (!entry) return entry.status();  // The writer removes its temp file.
    if (!*entry) break;
    if (Status s = writer->add(**entry); !s) {
      // Bad input leaves the directory as it was (the writer removes its temp file).
      if (s.code() != ErrorCode::kInvalidArgument) failed_ = s;
      return s;
    }
  }
  if (Status s = writer->finish(); !s) return failed_ = s;
  auto run = SortedRun::open(*sys_, path);
  if (!run) return failed_ = run.status();
  runs_.push_back(std::move(*run));

  while (runs_.size() >= 2 &&
         2 * runs_.back().entry_count() >= runs_[runs_.size() - 2].entry_count()) {
    if (Status s = merge_newest_two(); !s) return failed_ = s;
  }
  return Status::ok();
}

Status RunSet::merge_newest_two() {
  const size_t n = runs_.size();
  const SortedRun* inputs[] = {&runs_[n - 2], &runs_[n - 1]};
  const fs::path output =
      dir_ / run_file_name(inputs[0]->meta().seq_first, inputs[1]->meta().seq_last);
  auto merged = merge_runs(*sys_, inputs, output);
  if (!merged) return merged.status();
  // The merged run is durable (merge_runs synced its rename), so its inputs may go. Until they
  // are gone they are obsolete, and a set opened meanwhile ignores them.
  obsolete_ = {inputs[0]->path(), inputs[1]->path()};
  runs_.pop_back();
  runs_.back() = std::move(*merged);
  for (const fs::path& path : obsolete_) {
    if (sys_->unlink(path.c_str()) != 0 && errno != ENOENT) {
      return errno_status("unlink", path, errno);
    }
  }
  obsolete_.clear();
  return sync_dir(*sys_, dir_);
}

}  // namespace ledger::store
