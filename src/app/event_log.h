#pragma once
// A store's log as `copy` sees it: every event read in log order, and every event of another
// store written, with its sequence number and times, into one that holds no ledger. The data
// directory's is app::DirectoryLog (ledger_copy.cpp); PostgreSQL's is app::PgBooks.

#include <cstdint>
#include <functional>
#include <string>

#include "app/export_events.h"

namespace ledger::app {

class EventLog {
 public:
  virtual ~EventLog();
  // Every event, in log order, from the first.
  virtual Status read_events(const EventVisit& visit) = 0;
  // Into a store that holds no ledger (refused, kRefused, if it holds one): every event `feed`
  // gives, numbered from 1 and with the times it gives, all in one commit or transaction; the
  // new ledger records `zone`. `progress` is told how many events were written, now and then.
  virtual Result<uint64_t> write_events(const EventFeed& feed, const std::string& zone,
                                        const std::function<void(uint64_t)>& progress) = 0;
};

// The refusal of a copy into `location`, which holds a ledger.
Status holds_a_ledger(const std::string& location);

}  // namespace ledger::app
