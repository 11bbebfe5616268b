#include "app/export_record.h"

#include "domain/ledger_state.h"
#include "domain/postings.h"
#include "util/scratch_bytes.h"

namespace ledger::app {

using util::get_bytes;
using util::get_text;
using util::put_bytes;
using util::put_text;

EntryOp export_op_of(domain::EventType type) {
  switch (type) {
    case domain::EventType::kAccountOpened: return EntryOp::kOpen;
    case domain::EventType::kMoneyDeposited: return EntryOp::kDeposit;
    case domain::EventType::kMoneyWithdrawn: return EntryOp::kWithdraw;
    case domain::EventType::kMoneyTransferred: return EntryOp::kTransfer;
    case domain::EventType::kAccountClosed: return EntryOp::kClose;
  }
  return EntryOp::kOpen;
}

std::string_view export_account_of(const domain::EventView& v) {
  return v.type == domain::EventType::kMoneyTransferred ? v.from : v.account;
}

ExportKey export_key_of(const domain::EventAt& e) {
  const bool open = e.event.type == domain::EventType::kAccountOpened;
  // A version 1 opening kept its instant; the account is open from its day's start.
  const int64_t position = open ? domain::opening_day_start(e.effective_ns) : e.effective_ns;
  return {position, domain::timeline_rank(e.event.type), 0, e.seq};
}

void encode_export_record(std::string& out, const domain::EventAt& e,
                          ExportAccountNumbers accounts) {
  const domain::EventView& v = e.event;
  const bool open = v.type == domain::EventType::kAccountOpened;
  put_bytes(out, e.recorded_ns);
  put_bytes(out, e.effective_ns);
  put_bytes(out, static_cast<uint8_t>(export_op_of(v.type)));
  put_bytes(out, accounts.account);
  put_bytes(out, accounts.to);
  put_bytes(out, v.amount);
  put_bytes(out, open ? v.overdraft_limit : int64_t{0});
  put_text(out, open ? v.owner : std::string_view());
  put_text(out, v.memo);
  put_text(out, v.ref);
}

ExportAccountNumbers decode_export_record(const ExportKey& key, std::string_view record,
                                          ExportEvent& x) {
  const char* at = record.data();
  x.seq = key.seq;
  x.recorded_ns = get_bytes<int64_t>(at);
  x.effective_ns = get_bytes<int64_t>(at);
  x.op = static_cast<EntryOp>(get_bytes<uint8_t>(at));
  ExportAccountNumbers accounts;
  accounts.account = get_bytes<uint32_t>(at);
  accounts.to = get_bytes<uint32_t>(at);
  x.amount = get_bytes<int64_t>(at);
  x.overdraft_limit = get_bytes<int64_t>(at);
  get_text(at, x.owner);
  get_text(at, x.memo);
  get_text(at, x.ref);
  return accounts;
}

}  // namespace ledger::app
