#include "store/archive.h"

#include <fcntl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <vector>

#include "store/segment_tree.h"
#include "store/time_index.h"

namespace ledger::store {

namespace fs = std::filesystem;

namespace {

// Deletes `path` if it exists; a missing file is the usual case after a crash, not an error.
Status unlink_if_present(Syscalls& sys, const fs::path& path, bool& removed) {
  if (sys.unlink(path.c_str()) == 0) {
    removed = true;
    return Status::ok();
  }
  if (errno == ENOENT) return Status::ok();
  return errno_status("unlink", path, errno);
}

// The live bytes of sealed segment `index`, after every frame of it was checked (chain,
// sequence numbers, checksums) by indexing it; the index comes along for archive/.
struct CheckedSegment {
  Bytes bytes;
  SegmentIndex index;
};

Result<CheckedSegment> read_checked(Syscalls& sys, const std::vector<SegmentFile>& segments,
                                    size_t index) {
  auto idx = build_segment_index(sys, segments, index);
  if (!idx) return idx.status();
  auto bytes = read_file(sys, segments[index].path);
  if (!bytes) return bytes.status();
  if (bytes->size() != idx->file_size) {
    return corruption_status({segments[index].path, idx->file_size, idx->seq_last + 1,
                              "a sealed segment holds bytes after its last frame"});
  }
  return CheckedSegment{std::move(*bytes), std::move(*idx)};
}

// Writes archive/<name>.zst.tmp, syncs it, renames it into place and syncs archive/.
Status publish_archive(Syscalls& sys, const fs::path& path, ByteView bytes) {
  const fs::path temp = path.string() + ".tmp";
  {
    auto file = File::open(sys, temp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (!file) return file.status();
    LEDGER_RETURN_IF_ERROR(file->write_at(0, bytes));
    LEDGER_RETURN_IF_ERROR(file->sync_data());
  }
  if (sys.rename(temp.c_str(), path.c_str()) != 0) return errno_status("rename", temp, errno);
  return sync_dir(sys, path.parent_path());
}

// Archives one live segment: archive copy first, durable; only then the live file goes.
Result<uint64_t> archive_one(Syscalls& sys, const fs::path& dir,
                             const std::vector<SegmentFile>& segments, size_t index) {
  const SegmentFile& live = segments[index];
  auto checked = read_checked(sys, segments, index);
  if (!checked) return checked.status();
  if (checked->bytes.size() > kArchivedSegmentSizeMax) {
    return Status(
        ErrorCode::kInvalidArgument,
        fmt::format("{} is {} bytes, more than an archived segment may hold ({})",
                    display_name(live.path), checked->bytes.size(), kArchivedSegmentSizeMax));
  }
  const Bytes archive = compress_segment(checked->bytes, kArchiveZstdLevel);
  // The live file is about to go: prove first that the archive gives back its very bytes.
  auto again = decompress_segment(archive);
  if (archive.empty() || !again || *again != checked->bytes) {
    return Status(ErrorCode::kInternal,
                  fmt::format("archiving {} did not round-trip", display_name(live.path)));
  }
  const SegmentFile archived{live.base_seq, archived_segment_path(dir, live.base_seq), true};
  LEDGER_RETURN_IF_ERROR(publish_archive(sys, archived.path, archive));
  // The index is derived data: if it cannot be written, readers rebuild it.
  (void)write_file_atomically(sys, index_path(archived), encode_segment_index(checked->index));
  // So are the Merkle tree's nodes, which describe the same bytes, compressed or not.
  if (auto tree = load_stored_tree(sys, live)) {
    (void)write_file_atomically(sys, tree_path(archived), encode_segment_tree(*tree));
  }
  forget_segment_index(sys, live);
  LEDGER_RETURN_IF_ERROR(remove_durably(sys, live.path));
  return uint64_t{archive.size()};
}

// Deletes every copy of a segment: the live one first, so that until the last step the
// segment still reads from its archive copy.
Status purge_one(Syscalls& sys, const fs::path& dir, uint64_t base_seq) {
  const SegmentFile live{base_seq, live_segment_path(dir, base_seq), false};
  const SegmentFile archived{base_seq, archived_segment_path(dir, base_seq), true};
  bool removed = false;
  forget_segment_index(sys, live);
  LEDGER_RETURN_IF_ERROR(unlink_if_present(sys, live.path, removed));
  if (removed) LEDGER_RETURN_IF_ERROR(sync_dir(sys, dir));
  removed = false;
  forget_segment_index(sys, archived);
  LEDGER_RETURN_IF_ERROR(unlink_if_present(sys, archived.path, removed));
  if (removed) LEDGER_RETURN_IF_ERROR(sync_dir(sys, archived.path.parent_path()));
  return Status::ok();
}

// Whether the last frame of segment `index` ends its commit (so the next segment starts one).
Result<bool> ends_at_commit(Syscalls& sys, const std::vector<SegmentFile>& segments, size_t index) {
  auto start = segment_start(sys, segments, index);
  if (!start) return start.status();
  LogCursor cursor(sys, std::vector<SegmentFile>(segments.begin(), segments.begin() + index + 1),
                   *start);
  cursor.set_skim(true);
  bool ends = false;  // A segment without frames proves nothing.
  for (;;) {
    switch (cursor.next()) {
      case LogCursor::Step::kFrame:
        ends = cursor.frame().header.ends_commit();
        continue;
      case LogCursor::Step::kEnd:
        return ends;
      case LogCursor::Step::kTornTail:
      case LogCursor::Step::kCorrupt:
        return corruption_status(cursor.problem());
    }
  }
}

// How many segments, from the oldest, lie wholly before `before_seq`; never the newest one.
size_t count_before(const std::vector<SegmentFile>& segments, uint64_t before_seq) {
  size_t count = 0;
  while (count + 1 < segments.size() && segments[count + 1].base_seq <= before_seq) ++count;
  return count;
}

bool is_derived(const fs::path& path) {
  const std::string extension = path.extension().string();
  return std::any_of(kSegmentDerivedSuffixes.begin(), kSegmentDerivedSuffixes.end(),
                     [&](const char* suffix) { return extension == suffix; });
}

// The files of `folder` that a crashed or failed run left behind. A crash between the two steps
// of archiving leaves a segment both live and archived: the live copy is the one read, so the
// archive copy goes. An index whose segment is gone (its best-effort deletion failed) goes too.
std::vector<fs::path> leftovers_in(const fs::path& dir, bool archive) {
  const fs::path folder = archive ? dir / kArchiveDirName : dir / kIndexDirName;
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    std::optional<uint64_t> seq;
    if (archive && (seq = parse_archived_segment_file_name(name))) {
      if (fs::exists(live_segment_path(dir, *seq))) found.push_back(entry.path());
    } else if (is_derived(entry.path()) &&
               (seq = parse_segment_file_name(entry.path().stem().string() + kSegmentSuffix))) {
      const fs::path segment =
          archive ? archived_segment_path(dir, *seq) : live_segment_path(dir, *seq);
      if (!fs::exists(segment)) found.push_back(entry.path());
    }
  }
  return found;
}

Result<uint64_t> remove_leftovers(Syscalls& sys, const fs::path& dir) {
  uint64_t removed_count = 0;
  for (const bool archive : {false, true}) {
    bool removed = false;
    for (const fs::path& path : leftovers_in(dir, archive)) {
      LEDGER_RETURN_IF_ERROR(unlink_if_present(sys, path, removed));
      if (!is_derived(path)) ++removed_count;
    }
    if (removed) {
      LEDGER_RETURN_IF_ERROR(sync_dir(sys, archive ? dir / kArchiveDirName : dir / kIndexDirName));
    }
  }
  return removed_count;
}

Status write_purge_marker(Syscalls& sys, const fs::path& dir,
                          const std::vector<SegmentFile>& segments, size_t first_kept) {
  auto start = segment_start(sys, segments, first_kept);
  if (!start) return start.status();
  const PurgeMarker marker{start->seq_next, start->chain};
  auto existing = read_purge_marker(sys, dir);
  if (!existing) return existing.status();
  if (*existing && **existing == marker) return Status::ok();
  return write_file_atomically(sys, dir / kPurgedFileName, encode_purge_marker(marker));
}

}  // namespace

Result<ArchiveReport> archive_segments(Syscalls& sys, const DirLock& /*lock*/, const fs::path& dir,
                                       uint64_t before_seq, ArchiveMode mode,
                                       const ArchiveProgressFn& progress) {
  auto listed = list_segments(dir);
  if (!listed) return listed.status();
  const std::vector<SegmentFile>& segments = *listed;
  ArchiveReport report;
  size_t count = count_before(segments, before_seq);
  if (mode == ArchiveMode::kPurge) {
    for (; count > 0; --count) {
      auto ends = ends_at_commit(sys, segments, count - 1);
      if (!ends) return ends.status();
      if (*ends) break;
    }
    if (count > 0) LEDGER_RETURN_IF_ERROR(write_purge_marker(sys, dir, segments, count));
  } else if (count > 0) {
    LEDGER_RETURN_IF_ERROR(create_private_dir(sys, dir / kArchiveDirName));
  }
  ArchiveProgress step{0, count, 0, 0, {}};
  for (size_t i = 0; i < count; ++i) {
    const SegmentFile& segment = segments[i];
    auto size = segment_size(sys, segment);
    if (!size) return size.status();
    if (mode == ArchiveMode::kPurge) {
      LEDGER_RETURN_IF_ERROR(purge_one(sys, dir, segment.base_seq));
    } else if (!segment.archived) {
      auto written = archive_one(sys, dir, segments, i);
      if (!written) return written.status();
      report.bytes_out += *written;
    } else {
      continue;  // Archived by an earlier run.
    }
    ++report.segments;
    report.bytes_in += *size;
    const fs::path handled =
        mode == ArchiveMode::kArchive ? archived_segment_path(dir, segment.base_seq) : segment.path;
    step = {i + 1, count, report.bytes_in, report.bytes_out, display_name(handled)};
    if (progress) progress(step);
  }
  auto stale = remove_leftovers(sys, dir);
  if (!stale) return stale.status();
  report.stale_removed = *stale;
  const size_t first = mode == ArchiveMode::kPurge ? count : 0;
  report.first_seq = segments.empty() ? 1 : segments[first].base_seq;
  return report;
}

}  // namespace ledger::store
