#pragma once
// The postings of the log behind a state that decides (domain::Timeline): what a backdated entry
// is checked against. Sealed segments are read through their account indexes, and only those
// holding an event effective after the entry; the newest segment frame by frame, passing over
// frames whose events are all effective earlier. So a backdated write costs what the postings
// after its date cost, not a replay.

#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/account_index.h"
#include "domain/ledger_state.h"
#include "store/log_cursor.h"
#include "store/time_index.h"

namespace ledger::app {

class LogTimeline : public domain::Timeline {
 public:
  // Reads only events up to `seq_last` of `segments` (what is committed when the state was
  // loaded). `purged_effective_max_ns`: after a purge, the latest effective time of the
  // history that is gone; nothing dated at or before it can be checked any more.
  LogTimeline(std::vector<store::SegmentFile> segments, uint64_t seq_last,
              std::optional<int64_t> purged_effective_max_ns);

  Result<std::span<const domain::LaterPosting>> postings_after(std::string_view account,
                                                               int64_t after_ns) const override;

 private:
  Status read_sealed(size_t index, std::string_view account, int64_t after_ns,
                     std::vector<domain::LaterPosting>& out) const;
  // The account's postings in sealed segment `index`, from its account index.
  Status indexed_postings(size_t index, std::string_view account,
                          std::vector<Posting>& postings) const;
  Status scan(size_t index, std::string_view account, int64_t after_ns,
              std::vector<domain::LaterPosting>& out) const;
  Result<const store::TimeIndex*> time_index() const;
  using ByAccount = std::map<std::string, std::vector<domain::LaterPosting>, std::less<>>;
  Result<const ByAccount*> newest_postings() const;

  std::vector<store::SegmentFile> segments_;
  uint64_t seq_last_;
  std::optional<int64_t> purged_effective_max_ns_;
  mutable std::optional<store::TimeIndex> time_index_;
  // Accounts asked about the newest segment by a scan each, before one read for all of them.
  static constexpr int kNewestScans = 4;
  mutable int newest_asks_ = 0;
  mutable std::optional<ByAccount> newest_;  // Every posting of the newest segment, by account.
  // An import asks for one account many times, each time no earlier than before: what was
  // read for the earliest time serves the later ones.
  struct Read {
    int64_t after_ns = 0;
    std::vector<domain::LaterPosting> postings;
  };
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>()(id); }
  };
  mutable std::unordered_map<std::string, Read, IdHash, std::equal_to<>> cache_;
  // An import asks each sealed segment about thousands of accounts: its account index is opened
  // once (up to a bound on open files), not once per account.
  static constexpr size_t kOpenIndexesMax = 64;
  mutable std::map<size_t, SegmentAccountIndex> open_indexes_;
};

}  // namespace ledger::app
