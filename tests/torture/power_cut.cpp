#include "torture/power_cut.h"

#include <cstdlib>
#include <fstream>

namespace ledger::torture {

namespace {

// Splits strace's argument text on the commas between arguments, not those inside a string,
// a <path> or a {struct}.
std::vector<std::string> split_args(const std::string& text) {
  std::vector<std::string> args(1);
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\' && i + 1 < text.size()) {
        args.back() += c;
        args.back() += text[++i];
        continue;
      }
      quoted = c != '"';
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<' || c == '{' || c == '[') {
      ++depth;
    } else if (c == '>' || c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      args.emplace_back();
      if (i + 1 < text.size() && text[i + 1] == ' ') ++i;
      continue;
    }
    args.back() += c;
  }
  return args;
}

// "5</a/b>" -> "/a/b"; "AT_FDCWD</a>" -> "/a".
std::string fd_path(const std::string& arg) {
  const size_t open = arg.find('<');
  if (open == std::string::npos || arg.back() != '>') return {};
  return arg.substr(open + 1, arg.size() - open - 2);
}

// "\"/a/b\"" -> "/a/b".
std::string quoted_path(const std::string& arg) {
  if (arg.size() < 2 || arg.front() != '"') return {};
  const size_t end = arg.rfind('"');
  return end == 0 ? std::string() : arg.substr(1, end - 1);
}

// A path argument of an *at() call, resolved against its directory argument.
fs::path at_path(const std::string& dir_arg, const std::string& path_arg) {
  const fs::path path = quoted_path(path_arg);
  return path.is_absolute() ? path : fs::path(fd_path(dir_arg)) / path;
}

bool is_under(const fs::path& path, const fs::path& dir) {
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end();
}

}  // namespace

std::vector<std::string> power_cut_trace_options() {
  return {"strace", "-f", "-qq", "-y", "-s", "0", "-e",
          "trace=openat,pwrite64,write,ftruncate,fdatasync,fsync,rename,renameat,renameat2,"
          "unlink,unlinkat,mkdir,mkdirat,rmdir"};
}

bool PowerCut::existed_before(const fs::path& path) const {
  return fs::exists(fs::symlink_status(before_path(path)));
}

fs::path PowerCut::before_path(const fs::path& path) const {
  return before_ / path.lexically_relative(dir_);
}

PowerCut::FileState& PowerCut::file(const fs::path& path) {
  auto [it, fresh] = files_.try_emplace(path);
  if (fresh && existed_before(path) && fs::is_regular_file(before_path(path))) {
    it->second.size_bytes = it->second.synced_bytes = fs::file_size(before_path(path));
  }
  return it->second;
}

void PowerCut::on_open(const fs::path& path, const std::string& flags) {
  const bool creates = flags.find("O_CREAT") != std::string::npos && !known_.count(path);
  if (creates) {
    known_.insert(path);
    pending_.insert(path);
    files_[path] = FileState{};
  }
  if (flags.find("O_TRUNC") != std::string::npos) {
    FileState& f = file(path);
    f.size_bytes = 0;
    f.synced_bytes = 0;
    f.written = true;
  }
}

void PowerCut::on_rename(const fs::path& from, const fs::path& to) {
  file(from);
  files_[to] = files_[from];
  files_.erase(from);
  known_.erase(from);
  known_.insert(to);
  pending_.insert(from);
  pending_.insert(to);
  partner_[to] = from;
  partner_[from] = to;
}

void PowerCut::on_remove(const fs::path& path) {
  files_.erase(path);
  known_.erase(path);
  pending_.insert(path);
}

void PowerCut::on_sync(const fs::path& path) {
  if (fs::is_directory(path)) {
    std::erase_if(pending_, [&](const fs::path& p) { return p.parent_path() == path; });
    return;
  }
  FileState& f = file(path);
  f.synced_bytes = f.size_bytes;
}

void PowerCut::on_call(const std::string& name, const std::vector<std::string>& args,
                       int64_t result, const std::string& result_path) {
  if (result < 0) return;
  if (name == "openat" && args.size() >= 3) {
    const fs::path path = result_path.empty() ? at_path(args[0], args[1]) : fs::path(result_path);
    if (is_under(path, dir_)) on_open(path, args[2]);
  } else if (name == "pwrite64" && args.size() >= 4) {
    const fs::path path = fd_path(args[0]);
    if (!is_under(path, dir_)) return;
    FileState& f = file(path);
    f.size_bytes = std::max<uint64_t>(f.size_bytes, std::strtoull(args[3].c_str(), nullptr, 10) +
                                                        static_cast<uint64_t>(result));
    f.written = true;
  } else if (name == "write" && !args.empty()) {
    const fs::path path = fd_path(args[0]);
    if (!is_under(path, dir_)) return;
    // Not positional: the size is only known at the end. ledger writes its files with pwrite.
    FileState& f = file(path);
    f.size_bytes = fs::exists(path) ? fs::file_size(path) : 0;
    f.written = true;
  } else if (name == "ftruncate" && args.size() >= 2) {
    const fs::path path = fd_path(args[0]);
    if (!is_under(path, dir_)) return;
    FileState& f = file(path);
    f.size_bytes = std::strtoull(args[1].c_str(), nullptr, 10);
    f.synced_bytes = std::min(f.synced_bytes, f.size_bytes);
    f.written = true;
  } else if ((name == "fdatasync" || name == "fsync") && !args.empty()) {
    // The folder that holds the data directory counts too: it makes a new data directory's
    // name durable.
    const fs::path path = fd_path(args[0]);
    if (is_under(path, dir_) || path == dir_.parent_path()) on_sync(path);
  } else if (name == "rename" && args.size() >= 2) {
    on_rename(quoted_path(args[0]), quoted_path(args[1]));
  } else if ((name == "renameat" || name == "renameat2") && args.size() >= 4) {
    on_rename(at_path(args[0], args[1]), at_path(args[2], args[3]));
  } else if (name == "unlink" || name == "rmdir") {
    if (!args.empty()) on_remove(quoted_path(args[0]));
  } else if (name == "unlinkat" && args.size() >= 2) {
    on_remove(at_path(args[0], args[1]));
  } else if (name == "mkdir" && !args.empty()) {
    const fs::path path = quoted_path(args[0]);
    known_.insert(path);
    pending_.insert(path);
  } else if (name == "mkdirat" && args.size() >= 2) {
    const fs::path path = at_path(args[0], args[1]);
    known_.insert(path);
    pending_.insert(path);
  }
}

// A name whose change no directory sync made durable is as it was before the command.
void PowerCut::revert_names(Rng& rng, PowerCutReport& report) {
  // Each name (with its rename partner) survives with odds 1 in 3, else is reverted.
  std::map<fs::path, bool> keep;
  for (const fs::path& path : pending_) {
    if (keep.count(path)) continue;
    const bool kept = std::uniform_int_distribution<int>(0, 2)(rng) == 0;
    keep[path] = kept;
    if (auto p = partner_.find(path); p != partner_.end()) keep[p->second] = kept;
  }
  // Parents before children: a reverted folder brings back its whole content at once.
  for (const fs::path& path : pending_) {
    if (!is_under(path, dir_) || path == dir_.parent_path()) continue;
    if (keep[path]) {
      ++report.names_kept;
      continue;
    }
    std::error_code ec;
    const bool exists_now = fs::exists(fs::symlink_status(path));
    const bool existed = existed_before(path);
    if (!exists_now && !existed) continue;
    fs::remove_all(path, ec);
    if (existed) {
      fs::copy(before_path(path), path, fs::copy_options::recursive, ec);
    }
    files_.erase(path);
    ++report.names_reverted;
  }
}

void PowerCut::cut_files(Rng& rng, PowerCutReport& report) {
  for (const auto& [path, state] : files_) {
    if (!state.written || !fs::is_regular_file(path)) continue;
    const uint64_t actual = fs::file_size(path);
    const uint64_t synced = std::min(actual, state.synced_bytes);
    if (synced == actual) continue;
    // Mixed outcomes: everything written reached the disk, or a prefix of the unsynced part
    // did, or only what was synced did.
    const int fate = std::uniform_int_distribution<int>(0, 2)(rng);
    if (fate == 0) continue;
    const uint64_t keep =
        fate == 1 ? std::uniform_int_distribution<uint64_t>(synced, actual - 1)(rng) : synced;
    fs::resize_file(path, keep);
    report.bytes_dropped += actual - keep;
    // The size may have reached the disk before the data: the lost part reads as garbage or
    // zeros, or the file ends where the kept part ends.
    const int outcome = std::uniform_int_distribution<int>(0, 2)(rng);
    if (outcome == 0) continue;
    const uint64_t tail = std::uniform_int_distribution<uint64_t>(
        1, std::min<uint64_t>(actual - keep, 4096))(rng);
    std::string bytes(tail, '\0');
    if (outcome == 1) {
      for (char& c : bytes) c = static_cast<char>(rng());
    }
    std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
    report.garbage_bytes += tail;
  }
}

PowerCutReport PowerCut::apply(const fs::path& trace, Rng& rng) {
  if (fs::exists(before_)) {
    known_.insert(dir_);
    for (const auto& entry : fs::recursive_directory_iterator(before_)) {
      known_.insert(dir_ / entry.path().lexically_relative(before_));
    }
  }
  std::ifstream in(trace);
  for (std::string line; std::getline(in, line);) {
    // "1234 name(args) = result" (the pid only with -f); unfinished calls are skipped.
    size_t start = line.find_first_not_of("0123456789 ");
    if (start == std::string::npos) continue;
    // strace pads short calls with spaces before " = ".
    const size_t paren = line.find('(', start);
    const size_t equals = line.rfind(" = ");
    if (paren == std::string::npos || equals == std::string::npos || equals < paren) continue;
    const size_t close = line.find_last_not_of(' ', equals);
    if (line[close] != ')') continue;
    const std::string name = line.substr(start, paren - start);
    const std::string result_text = line.substr(equals + 3);
    const int64_t result = std::strtoll(result_text.c_str(), nullptr, 10);
    ++calls_parsed_;
    on_call(name, split_args(line.substr(paren + 1, close - paren - 1)), result,
            fd_path(result_text.substr(0, result_text.find(' '))));
  }
  PowerCutReport report;
  report.calls_parsed = calls_parsed_;
  revert_names(rng, report);
  cut_files(rng, report);
  return report;
}

}  // namespace ledger::torture
