#include "app/log_tree.h"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <bit>
#include <map>
#include <tuple>

#include "domain/event_view.h"
#include "ledger/money.h"
#include "store/log_reader.h"
#include "store/segment_tree.h"
#include "store/time_index.h"
#include "store/record.h"
#include "store/tree_leaf.h"
#include "util/jsonl.h"

namespace ledger {

namespace merkle = util::merkle;

namespace {

constexpr std::string_view kDigestTag = "ledger-digest-v1";
constexpr std::string_view kProofTag = "ledger-proof-v1";

TreeHead head_of(uint64_t size, const merkle::Hash& root) {
  TreeHead head;
  head.size = size;
  std::copy(root.begin(), root.end(), head.root.begin());
  return head;
}

merkle::Hash hash_of(const TreeHead& head) {
  merkle::Hash h;
  std::copy(head.root.begin(), head.root.end(), h.begin());
  return h;
}

std::string events(uint64_t n) { return fmt::format("{} event{}", n, n == 1 ? "" : "s"); }
// "the first 5 events", "the first event".
std::string first_events(uint64_t n) {
  return n == 1 ? std::string("the first event") : fmt::format("the first {} events", n);
}


// The event a leaf holds, as a proof shows it: every field of the payload, both times as
// nanoseconds since 1970 UTC (exact, and the same in every zone). A deposit's amount is in the
// account's minor units (cents), as stored: its currency is in the opening, another leaf, so
// a proof of this one could not vouch for where a decimal point goes.
struct LeafEvent {
  std::string json;   // A JSON object; check-proof compares it, as written, with a proof's.
  std::string words;  // "event 5, MoneyDeposited A 1250 minor units", for check-proof's report.
};

Result<LeafEvent> leaf_event(std::span<const unsigned char> leaf) {
  store::LeafFields f;
  if (!store::decode_leaf(leaf, f)) {
    return Status(ErrorCode::kInvalidArgument, "the leaf is shorter than a leaf's header");
  }
  domain::EventView v;
  if (Status s = domain::decode_event_view(f.type, f.version, f.payload, v); !s) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("the leaf's event: {}", s.message()));
  }
  const domain::Event event = domain::to_event(v);
  LeafEvent out;
  const std::string type = domain::event_type_name(event);
  const std::string account = std::string(
      v.type == domain::EventType::kMoneyTransferred ? v.from : v.account);
  // The words reach a terminal, from a leaf that may be forged: no control characters.
  auto shown = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return out;
  };
  std::string& j = out.json;
  j = fmt::format("{{\"seq\":{},\"recorded_ns\":{},\"effective_ns\":{},\"type\":", f.seq,
                  f.recorded_ns, f.effective_ns);
  util::append_json_string(j, type);
  j += ",\"account\":";
  util::append_json_string(j, account);
  out.words = fmt::format("event {}, {} {}", f.seq, type, shown(account));
  if (v.type == domain::EventType::kMoneyTransferred) {
    j += ",\"to\":";
    util::append_json_string(j, v.to);
    out.words += fmt::format(" to {}", shown(v.to));
  }
  if (v.type == domain::EventType::kAccountOpened) {
    j += ",\"owner\":";
    util::append_json_string(j, v.owner);
    j += ",\"currency\":";
    util::append_json_string(j, v.currency);
    auto currency = find_currency(v.currency);
    j += ",\"overdraft_limit\":";
    util::append_json_string(j, format_amount(v.overdraft_limit, currency ? currency->decimals : 2));
    out.words += fmt::format(" ({})", shown(v.currency));
  }
  const bool moves_money = v.type == domain::EventType::kMoneyDeposited ||
                           v.type == domain::EventType::kMoneyWithdrawn ||
                           v.type == domain::EventType::kMoneyTransferred;
  if (moves_money) {
    j += fmt::format(",\"amount_minor_units\":{},\"memo\":", v.amount);
    util::append_json_string(j, v.memo);
    out.words += fmt::format(" {} minor units", v.amount);
  }
  j += ",\"ref\":";
  util::append_json_string(j, v.ref);
  j += '}';
  return out;
}

}  // namespace

std::string root_hex(const TreeHead& head) { return merkle::to_hex(hash_of(head)); }

std::string digest_text(const TreeHead& head) {
  return fmt::format("{}:{}:{}", kDigestTag, head.size, root_hex(head));
}

Result<TreeHead> parse_digest(std::string_view text) {
  auto refuse = [&] {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("\"{}\" is not a digest (expected {}:SIZE:ROOT, as `ledger digest` "
                              "prints it, ROOT being 64 hex digits)",
                              text.substr(0, 120), kDigestTag));
  };
  if (text.substr(0, kDigestTag.size()) != kDigestTag || text.size() <= kDigestTag.size() ||
      text[kDigestTag.size()] != ':') {
    return refuse();
  }
  const std::string_view rest = text.substr(kDigestTag.size() + 1);
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 19) return refuse();
  uint64_t size = 0;
  for (char c : rest.substr(0, colon)) {
    if (c < '0' || c > '9') return refuse();
    size = size * 10 + static_cast<uint64_t>(c - '0');
  }
  if (rest.substr(0, colon).size() > 1 && rest[0] == '0') return refuse();
  auto root = merkle::from_hex(rest.substr(colon + 1));
  // The tree of no events has one root, the hash of nothing.
  if (!root || (size == 0 && *root != merkle::empty_root())) return refuse();
  return head_of(size, *root);
}

namespace app {

namespace {

using RunHashes = std::map<std::pair<uint64_t, uint64_t>, merkle::Hash>;

// The roots of runs of leaves (sorted by their first leaf, none repeated) from leaves handed in
// order: each leaf goes to the runs it is in, and a run's root is kept when its last arrives.
class RunHasher {
 public:
  RunHasher(const std::vector<merkle::Range>& runs, std::optional<uint64_t> keep,
            std::vector<unsigned char>* kept, RunHashes& out)
      : runs_(runs), keep_(keep), kept_(kept), out_(out) {}

  bool done() const { return open_.empty() && next_run_ == runs_.size(); }
  // No run is open: the leaves before next_begin() are not needed.
  bool idle() const { return open_.empty(); }
  uint64_t next_begin() const { return runs_[next_run_].begin; }
  // The end of the last run opened or to open, for a message when the log ends before it.
  uint64_t wanted_end() const { return runs_[next_run_ == 0 ? 0 : next_run_ - 1].end; }

  // Leaf `index`; leaves come in order.
  void leaf(uint64_t index, std::span<const unsigned char> leaf) {
    while (next_run_ < runs_.size() && runs_[next_run_].begin == index) {
      open_.push_back({runs_[next_run_++], {}});
    }
    if (keep_ && *keep_ == index && kept_) kept_->assign(leaf.begin(), leaf.end());
    if (open_.empty()) return;
    const merkle::Hash h = merkle::leaf_hash(leaf);
    for (auto it = open_.begin(); it != open_.end();) {
      it->second.push(h);
      if (it->first.end == index + 1) {
        out_[{it->first.begin, it->first.end}] = it->second.root();
        it = open_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  const std::vector<merkle::Range>& runs_;
  std::optional<uint64_t> keep_;
  std::vector<unsigned char>* kept_;
  RunHashes& out_;
  size_t next_run_ = 0;
  std::vector<std::pair<merkle::Range, merkle::RangeHasher>> open_;
};

// A tree some of whose nodes are stored. A range is split as RFC 9162 splits it until each part
// is either a stored node or a run of leaves; the store then hashes the runs of one question
// together. A node that should be stored and is not (a lost tree file) is split further.
class StoredNodesTree : public TreeSource {
 public:
  Result<std::vector<merkle::Hash>> hashes(std::span<const merkle::Range> ranges,
                                           std::optional<uint64_t> keep,
                                           std::vector<unsigned char>* kept) override {
    std::vector<merkle::Range> runs;
    for (const merkle::Range& r : ranges) LEDGER_RETURN_IF_ERROR(resolve(r, &runs, nullptr).status());
    if (keep) runs.push_back({*keep, *keep + 1});
    std::sort(runs.begin(), runs.end(), [](const merkle::Range& a, const merkle::Range& b) {
      return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
    });
    runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
    RunHashes run_hashes;
    LEDGER_RETURN_IF_ERROR(hash_runs(runs, keep, kept, run_hashes));
    std::vector<merkle::Hash> out;
    for (const merkle::Range& r : ranges) {
      auto h = resolve(r, nullptr, &run_hashes);
      if (!h) return h.status();
      out.push_back(*h);
    }
    return out;
  }

 protected:
  static constexpr uint64_t kLowLeaves = uint64_t{1} << store::kTreeMinHeight;

  // Leaves [0, stored_end()) may have their complete subtrees of kLowLeaves or more stored.
  virtual Result<uint64_t> stored_end() = 0;
  // The subtree of 2^height leaves from leaf index << height, if it is stored.
  virtual Result<std::optional<merkle::Hash>> stored_node(unsigned height, uint64_t index) = 0;
  // The root of each run of leaves (sorted by their first leaf, none repeated), and, with
  // `keep`, the bytes of that leaf.
  virtual Status hash_runs(const std::vector<merkle::Range>& runs, std::optional<uint64_t> keep,
                           std::vector<unsigned char>* kept, RunHashes& out) = 0;

 private:
  // With `runs`, lists the runs of leaves that `r` needs hashed; with `known`, their hashes
  // given, the root of `r`. Both passes take the same turns: stored_node answers the same.
  Result<merkle::Hash> resolve(merkle::Range r, std::vector<merkle::Range>* runs,
                               const RunHashes* known) {
    auto end = stored_end();
    if (!end) return end.status();
    const uint64_t n = r.end - r.begin;
    if (r.end <= *end && std::has_single_bit(n) && r.begin % n == 0 && n >= kLowLeaves) {
      auto h = stored_node(static_cast<unsigned>(std::countr_zero(n)), r.begin / n);
      if (!h) return h.status();
      if (*h) return **h;
    }
    if (n <= kLowLeaves || r.begin >= *end) {
      if (runs) {
        runs->push_back(r);
        return merkle::Hash{};
      }
      auto it = known->find({r.begin, r.end});
      if (it == known->end()) return Status(ErrorCode::kInternal, "a run of leaves was not hashed");
      return it->second;
    }
    const uint64_t k = std::bit_floor(n - 1);
    auto left = resolve({r.begin, r.begin + k}, runs, known);
    if (!left) return left.status();
    auto right = resolve({r.begin + k, r.end}, runs, known);
    if (!right) return right.status();
    return merkle::node_hash(*left, *right);
  }
};

// A data directory's tree: the stored nodes of its segments (store/segment_tree.h), loaded
// only as a question reaches them (a digest, O(log n) of them), and its events where they have
// none: the newest segment past its stored prefix, and the low levels of a proof, read in one
// ordered pass seeking through the time index between runs.
class DirectoryTree : public StoredNodesTree {
 public:
  DirectoryTree(store::Syscalls& sys, std::vector<store::SegmentFile> segments)
      : sys_(sys), segments_(std::move(segments)), trees_(segments_.size()) {}

  Result<uint64_t> size() override {
    if (size_) return *size_;
    if (segments_.empty()) return *(size_ = 0);
    auto at = newest_start();
    if (!at) return at.status();
    uint64_t last = at->seq_next - 1;
    store::LogReader reader(sys_, segments_, *at);
    for (;;) {
      auto frame = reader.next();
      if (!frame) return frame.status();
      if (*frame == nullptr) break;
      last = (*frame)->header.seq_last();
    }
    size_ = last;
    return last;
  }

  // The last event recorded at or before `t`: the time index finds the block, a read of it
  // the frame.
  Result<uint64_t> size_known_at(int64_t t) override {
    auto total = size();
    if (!total) return total.status();
    auto end = stored_end();
    if (!end) return end.status();
    auto index = store::TimeIndex::load(sys_, segments_, true, false);
    if (!index) return index.status();
    const store::LogPosition from = index->seek_recorded_after(t);
    uint64_t last = from.seq_next - 1;
    store::LogReader reader(sys_, segments_, from);
    reader.assume_committed_through(*end);
    for (;;) {
      auto frame = reader.next();
      if (!frame) return frame.status();
      if (*frame == nullptr || (*frame)->header.recorded_ns > t) break;
      last = (*frame)->header.seq_last();
    }
    return std::min(last, *total);
  }

 protected:
  Result<uint64_t> stored_end() override {
    if (!stored_end_) {
      stored_end_ = 0;
      for (size_t back = 1; back <= 2 && back <= segments_.size(); ++back) {
        if (const store::SegmentTree* t = tree(segments_.size() - back)) {
          stored_end_ = t->seq_last;
          break;
        }
      }
    }
    return *stored_end_;
  }

  Result<std::optional<merkle::Hash>> stored_node(unsigned height, uint64_t index) override {
    const uint64_t last_seq = (index + 1) << height;  // Its last leaf's sequence number.
    const store::SegmentTree* t = tree(segment_of(last_seq));
    return t ? t->node(height, index) : std::nullopt;
  }

 private:
  // Events between two runs that are read through rather than sought past (a seek reads the
  // segment's time index and up to 64 KiB of frames).
  static constexpr uint64_t kReadRatherThanSeek = 4096;

  // The segment that holds event `seq` (or would: the newest for one past the end).
  size_t segment_of(uint64_t seq) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), seq,
                               [](uint64_t s, const store::SegmentFile& f) {
                                 return s < f.base_seq;
                               });
    return it == segments_.begin() ? 0 : static_cast<size_t>(it - segments_.begin()) - 1;
  }

  // Segment i's stored tree, loaded once; the newest segment's may describe a prefix of it.
  const store::SegmentTree* tree(size_t i) {
    if (!trees_[i]) {
      trees_[i] = store::load_stored_tree(sys_, segments_[i], i + 1 == segments_.size());
    }
    return *trees_[i] ? &**trees_[i] : nullptr;
  }

  // Where the newest segment's events not in its stored tree begin.
  Result<store::LogPosition> newest_start() {
    const size_t i = segments_.size() - 1;
    if (const store::SegmentTree* t = tree(i)) {
      return store::LogPosition{i, t->file_size, t->seq_last + 1, t->chain_last, INT64_MIN};
    }
    return store::segment_start(sys_, segments_, i);
  }

  // Where to read from to meet event `seq`: the time index entry at or before it in its
  // segment (a stored index), else the segment's start.
  Result<store::LogPosition> seek(uint64_t seq) {
    const size_t i = segment_of(seq);
    if (i + 1 == segments_.size()) {
      const store::SegmentTree* t = tree(i);
      if (t && seq > t->seq_last) return newest_start();
    }
    if (std::optional<store::SegmentIndex> idx = store::load_stored_index(sys_, segments_[i])) {
      store::LogPosition best;
      bool found = false;
      for (const store::IndexEntry& e : idx->entries) {
        if (e.position.seq_next > seq) break;
        best = e.position;
        found = true;
      }
      if (found) {
        best.segment = i;
        return best;
      }
    }
    return store::segment_start(sys_, segments_, i);
  }

  Status hash_runs(const std::vector<merkle::Range>& runs, std::optional<uint64_t> keep,
                   std::vector<unsigned char>* kept, RunHashes& out) override {
    auto end = stored_end();
    if (!end) return end.status();
    std::optional<store::LogReader> reader;
    uint64_t next = 0;  // 0-based index of the next leaf the reader gives.
    RunHasher hasher(runs, keep, kept, out);
    std::vector<unsigned char> leaf;
    // The frames and records left of the current frame.
    const store::FrameRef* frame = nullptr;
    std::optional<store::RecordIterator> records;
    uint64_t frame_seq = 0;
    auto next_leaf = [&]() -> Result<bool> {
      store::Record record;
      while (!records || !records->next(record)) {
        auto f = reader->next();
        if (!f) return f.status();
        if (*f == nullptr) return false;
        frame = *f;
        records.emplace(frame->bytes);
        frame_seq = frame->header.seq_first;
      }
      store::encode_leaf(leaf, frame_seq, frame->header.recorded_ns, record.effective_ns,
                         record.type, record.version, record.payload);
      ++frame_seq;
      return true;
    };
    while (!hasher.done()) {
      if (hasher.idle()) {
        // Runs are sorted by their first leaf: between them, a far one is sought, not read to.
        const uint64_t begin = hasher.next_begin();
        const bool behind = !reader || next > begin;
        if (behind || begin - next > kReadRatherThanSeek) {
          auto at = seek(begin + 1);
          if (!at) return at.status();
          // A segment without a time index seeks to its start: read on rather than go back.
          if (behind || at->seq_next - 1 > next) {
            reader.emplace(sys_, segments_, *at);
            reader->assume_committed_through(*end);
            records.reset();
            next = at->seq_next - 1;
          }
        }
      }
      auto got = next_leaf();
      if (!got) return got.status();
      if (!*got) {
        return Status(ErrorCode::kCorruption,
                      fmt::format("the log ended at event {}, before event {}", next,
                                  hasher.wanted_end()));
      }
      if (frame_seq - 1 != next + 1) {
        return Status(ErrorCode::kCorruption, fmt::format("event {} is where event {} should be",
                                                          frame_seq - 1, next + 1));
      }
      hasher.leaf(next++, leaf);
    }
    return Status::ok();
  }

  store::Syscalls& sys_;
  std::vector<store::SegmentFile> segments_;
  std::vector<std::optional<std::optional<store::SegmentTree>>> trees_;  // Unset: not loaded.
  std::optional<uint64_t> stored_end_;
  std::optional<uint64_t> size_;
};

// A store other than a directory (PostgreSQL): the nodes it keeps with every write, and its
// leaves where a question needs them (the last few events, the low levels of a proof).
class BooksTree : public StoredNodesTree {
  static constexpr uint64_t kReadRatherThanSkip = 4096;

 public:
  explicit BooksTree(std::shared_ptr<Books> books) : books_(std::move(books)) {}

  Result<uint64_t> size() override {
    if (!size_) {
      auto counted = books_->event_count(std::nullopt);
      if (!counted) return counted.status();
      size_ = *counted;
    }
    return *size_;
  }
  Result<uint64_t> size_known_at(int64_t t) override { return books_->event_count(t); }

 protected:
  Result<uint64_t> stored_end() override {
    if (!stored_end_) {
      auto stored = books_->tree_stored_size();
      if (!stored) return stored.status();
      stored_end_ = *stored;
    }
    return *stored_end_;
  }

  Result<std::optional<merkle::Hash>> stored_node(unsigned height, uint64_t index) override {
    const std::pair<unsigned, uint64_t> key{height, index};
    if (auto it = nodes_.find(key); it != nodes_.end()) return it->second;
    auto node = books_->tree_node(height, index);
    if (!node) return node.status();
    nodes_[key] = *node;
    return *node;
  }

  Status hash_runs(const std::vector<merkle::Range>& runs, std::optional<uint64_t> keep,
                   std::vector<unsigned char>* kept, RunHashes& out) override {
    // Runs near each other are read in one query (up to kReadRatherThanSkip leaves between).
    RunHasher hasher(runs, keep, kept, out);
    for (size_t i = 0; i < runs.size();) {
      const uint64_t begin = runs[i].begin;
      uint64_t end = runs[i].end;
      for (++i; i < runs.size() && runs[i].begin <= end + kReadRatherThanSkip; ++i) {
        end = std::max(end, runs[i].end);
      }
      uint64_t next = begin;  // 0-based index of the leaf expected next.
      auto read = books_->visit_leaves(
          begin + 1, end, [&](uint64_t seq, std::span<const unsigned char> leaf) -> Status {
            if (seq != next + 1) {
              return Status(ErrorCode::kCorruption,
                            fmt::format("event {} is where event {} should be", seq, next + 1));
            }
            hasher.leaf(next++, leaf);
            return Status::ok();
          });
      if (!read) return read.status();
      if (next < end) {
        return Status(ErrorCode::kCorruption,
                      fmt::format("the log ended at event {}, before event {}", next, end));
      }
    }
    return Status::ok();
  }

 private:
  std::shared_ptr<Books> books_;
  std::optional<uint64_t> size_, stored_end_;
  std::map<std::pair<unsigned, uint64_t>, std::optional<merkle::Hash>> nodes_;
};

}  // namespace

std::unique_ptr<TreeSource> books_tree(std::shared_ptr<Books> books) {
  return std::make_unique<BooksTree>(std::move(books));
}

Result<std::unique_ptr<TreeSource>> directory_tree(const std::filesystem::path& dir) {
  store::Syscalls& sys = store::real_syscalls();
  auto segments = store::list_segments(dir);
  if (!segments) return segments.status();
  if (!segments->empty() && segments->front().base_seq != 1) {
    return Status(ErrorCode::kRefused,
                  fmt::format("the log begins at event {}: the events before it were purged "
                              "(compact --purge), and the tree needs every leaf",
                              segments->front().base_seq));
  }
  return std::unique_ptr<TreeSource>(std::make_unique<DirectoryTree>(sys, std::move(*segments)));
}

Result<TreeHead> tree_head_of(TreeSource& tree, std::optional<uint64_t> size) {
  auto total = tree.size();
  if (!total) return total.status();
  if (size && *total < *size) {
    return Status(ErrorCode::kRefused, fmt::format("the log holds {}, not {}", events(*total), *size));
  }
  const uint64_t n = size.value_or(*total);
  if (n == 0) return head_of(0, merkle::empty_root());
  const merkle::Range all{0, n};
  auto roots = tree.hashes({&all, 1}, std::nullopt, nullptr);
  if (!roots) return roots.status();
  return head_of(n, roots->front());
}

Result<TreeHead> tree_head_known_at(TreeSource& tree, std::optional<int64_t> known_at_ns) {
  if (!known_at_ns) return tree_head_of(tree, std::nullopt);
  auto size = tree.size_known_at(*known_at_ns);
  if (!size) return size.status();
  return tree_head_of(tree, *size);
}

Result<DigestCheck> check_digest_of(TreeSource& tree, const TreeHead& kept) {
  auto size = tree.size();
  if (!size) return size.status();
  DigestCheck check;
  check.kept = kept;
  auto now = tree_head_of(tree, std::nullopt);
  if (!now) return now.status();
  check.now = *now;
  if (*size < kept.size) {
    check.problem = fmt::format(
        "the log holds {}, fewer than the {} the digest covers: events after {} were removed",
        events(*size), kept.size, *size);
    return check;
  }
  // The proof is checked against the kept root; the root the log gives for the first
  // kept.size events today only shows, in a failure, what the log says now.
  std::vector<merkle::Range> ranges = merkle::consistency_ranges(kept.size, *size);
  const size_t proof_size = ranges.size();
  if (kept.size > 0) ranges.push_back({0, kept.size});
  auto hashes = tree.hashes(ranges, std::nullopt, nullptr);
  if (!hashes) return hashes.status();
  const merkle::Hash then = kept.size > 0 ? hashes->back() : merkle::empty_root();
  hashes->resize(proof_size);
  check.proof_hashes = proof_size;
  check.extends = merkle::verify_consistency(kept.size, *size, hash_of(kept), hash_of(*now),
                                             *hashes);
  if (!check.extends) {
    check.problem = fmt::format(
        "{} hash to {}, not to the digest's {}: history up to event {} was rewritten",
        first_events(kept.size), merkle::to_hex(then), root_hex(kept), kept.size);
  }
  return check;
}

Result<std::string> prove_of(TreeSource& tree, uint64_t seq, const TreeHead& at) {
  if (seq == 0 || seq > at.size) {
    return Status(ErrorCode::kRefused,
                  fmt::format("event {} is not in the tree of the digest, which covers events 1 "
                              "to {}",
                              seq, at.size));
  }
  auto size = tree.size();
  if (!size) return size.status();
  if (*size < at.size) {
    return Status(ErrorCode::kRefused,
                  fmt::format("the log holds {}, fewer than the {} the digest covers",
                              events(*size), at.size));
  }
  std::vector<merkle::Range> ranges = merkle::inclusion_ranges(seq - 1, at.size);
  ranges.push_back({0, at.size});
  std::vector<unsigned char> leaf;
  auto hashes = tree.hashes(ranges, seq - 1, &leaf);
  if (!hashes) return hashes.status();
  const merkle::Hash root = hashes->back();
  hashes->pop_back();
  if (root != hash_of(at)) {
    return Status(ErrorCode::kRefused,
                  fmt::format("{} hash to {}, not to the digest's {}: the log does not extend "
                              "the digest, and no proof against it can check",
                              first_events(at.size), merkle::to_hex(root), root_hex(at)));
  }
  auto event = leaf_event(leaf);
  if (!event) return Status(ErrorCode::kCorruption, event.status().message());
  std::string out = "{\"format\":";
  util::append_json_string(out, kProofTag);
  out += ",\"digest\":";
  util::append_json_string(out, digest_text(at));
  out += fmt::format(",\"tree_size\":{},\"root\":\"{}\",\"seq\":{},\"leaf_index\":{},\"leaf\":\"{}\","
                     "\"audit_path\":[",
                     at.size, root_hex(at), seq, seq - 1, merkle::to_hex(leaf));
  for (size_t i = 0; i < hashes->size(); ++i) {
    if (i > 0) out += ',';
    out += fmt::format("\"{}\"", merkle::to_hex((*hashes)[i]));
  }
  out += "],\"event\":" + event->json + "}\n";
  return out;
}

}  // namespace app

namespace {

std::string written(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

Result<ProofCheck> check_proof(std::string_view proof_json, const TreeHead& digest) {
  auto malformed = [](std::string_view why) {
    return Status(ErrorCode::kInvalidArgument, fmt::format("not a proof: {}", why));
  };
  auto failed = [](std::string why) { return Status(ErrorCode::kRefused, std::move(why)); };
  rapidjson::Document doc;
  doc.Parse(proof_json.data(), proof_json.size());
  if (doc.HasParseError() || !doc.IsObject()) return malformed("not a JSON object");
  // Members by name, without RapidJSON's member iterators, whose == clang finds ambiguous in
  // C++20. A repeated name: the first, as FindMember would.
  auto member = [&](const char* key) -> const rapidjson::Value* {
    for (const auto& m : doc.GetObject()) {
      if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == key) return &m.value;
    }
    return nullptr;
  };
  // Each member once, and none other: a reader that takes the last of two "seq" members (jq,
  // Python) must not see another proof than the one checked here.
  static constexpr std::string_view kMembers[] = {"format", "digest",     "tree_size",
                                                  "root",   "seq",        "leaf_index",
                                                  "leaf",   "audit_path", "event"};
  std::vector<std::string_view> seen;
  for (const auto& m : doc.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    if (std::find(std::begin(kMembers), std::end(kMembers), name) == std::end(kMembers)) {
      return malformed(fmt::format("it has a member \"{}\", which a proof has not",
                                   name.substr(0, 40)));
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      return malformed(fmt::format("it has two members \"{}\"", name));
    }
    seen.push_back(name);
  }
  auto text = [&](const char* key) -> std::optional<std::string_view> {
    const rapidjson::Value* v = member(key);
    if (v == nullptr || !v->IsString()) return std::nullopt;
    return std::string_view(v->GetString(), v->GetStringLength());
  };
  auto number = [&](const char* key) -> std::optional<uint64_t> {
    const rapidjson::Value* v = member(key);
    if (v == nullptr || !v->IsUint64()) return std::nullopt;
    return v->GetUint64();
  };
  if (text("format") != kProofTag) {
    return malformed(fmt::format("its \"format\" is not \"{}\"", kProofTag));
  }
  const auto tree_size = number("tree_size");
  const auto leaf_index = number("leaf_index");
  const auto seq = number("seq");
  const auto leaf_hex = text("leaf");
  const auto root_text = text("root");
  const rapidjson::Value* path_value = member("audit_path");
  const rapidjson::Value* event_value = member("event");
  if (!tree_size || !leaf_index || !seq || !leaf_hex || !root_text || path_value == nullptr ||
      !path_value->IsArray() || event_value == nullptr || !event_value->IsObject()) {
    return malformed("it lacks tree_size, leaf_index, seq, leaf, root, audit_path or event");
  }
  std::vector<merkle::Hash> path;
  for (const auto& p : path_value->GetArray()) {
    if (!p.IsString()) return malformed("an audit_path entry is not a string");
    auto h = merkle::from_hex(std::string_view(p.GetString(), p.GetStringLength()));
    if (!h) return malformed("an audit_path entry is not 64 hex digits");
    path.push_back(*h);
  }
  auto leaf = merkle::bytes_from_hex(*leaf_hex);
  if (!leaf) return malformed("its leaf is not hex");
  auto root = merkle::from_hex(*root_text);
  if (!root) return malformed("its root is not 64 hex digits");
  auto event = leaf_event(*leaf);
  if (!event) return failed(fmt::format("the proof's leaf is not an event: {}",
                                        event.status().message()));
  // Compared as written, not as parsed values: RapidJSON compares numbers as doubles, under
  // which a time 1.7651347801234568e18 would equal many nanoseconds. Both sides go through one
  // writer, so that only a difference in members, order or values shows.
  rapidjson::Document expected;
  expected.Parse(event->json.data(), event->json.size());
  if (written(expected) != written(*event_value)) {
    return failed(fmt::format("the proof's event is not what its leaf holds ({})", event->json));
  }
  store::LeafFields fields;
  store::decode_leaf(*leaf, fields);
  if (fields.seq != *seq || *leaf_index + 1 != *seq) {
    return failed(fmt::format("the leaf is event {}, but the proof says seq {} at leaf index {}",
                              fields.seq, *seq, *leaf_index));
  }
  ProofCheck check;
  check.seq = *seq;
  check.head = head_of(*tree_size, *root);
  if (text("digest") != digest_text(check.head)) {
    return failed(fmt::format("the proof's digest is not its tree size and root ({})",
                              digest_text(check.head)));
  }
  check.event = event->words;
  if (*tree_size != digest.size || *root != hash_of(digest)) {
    return failed(fmt::format("the proof is for the tree head {}, not for the digest {}",
                              digest_text(check.head), digest_text(digest)));
  }
  if (!merkle::verify_inclusion(*leaf_index, *tree_size, merkle::leaf_hash(*leaf), path, *root)) {
    return failed(fmt::format("the audit path does not lead from {} to the digest's root",
                              event->words));
  }
  return check;
}

}  // namespace ledger
