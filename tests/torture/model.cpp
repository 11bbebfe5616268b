#include "torture/model.h"

#include <algorithm>
#include <fmt/format.h>

#include <chrono>
#include <sstream>

namespace ledger::torture {

namespace {

// Accounts are opened the day before every dated event, so no event predates its account.
constexpr const char* kOpenDate = "2025-12-31";
constexpr size_t kAccountsMax = 12;        // Open at once.
constexpr size_t kAccountsTotalMax = 120;  // Opened in one run (closes free their place).
constexpr size_t kImportRowsMax = 700;  // Past the 64 events of an import frame, many times.

struct Currency {
  const char* code;
  int decimals;
};
constexpr Currency kCurrencies[] = {{"EUR", 2}, {"USD", 2}, {"JPY", 0}};

template <typename T>
T uniform(Rng& rng, T low, T high) {
  return std::uniform_int_distribution<T>(low, high)(rng);
}

bool chance(Rng& rng, double p) { return std::bernoulli_distribution(p)(rng); }

}  // namespace

std::string day_text(Day day) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{year{2026} / January / 1} + days{day}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

const char* op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kOpen: return "open";
    case OpKind::kDeposit: return "deposit";
    case OpKind::kWithdraw: return "withdraw";
    case OpKind::kTransfer: return "transfer";
    case OpKind::kClose: return "close";
    case OpKind::kImport: return "import";
    case OpKind::kSnapshot: return "snapshot";
    case OpKind::kCompact: return "compact";
    case OpKind::kPurge: return "compact --purge";
  }
  return "?";
}

std::string Op::describe() const {
  std::string text = "ledger";
  for (const std::string& a : args) text += " " + a;
  if (kind == OpKind::kImport) text += fmt::format(" ({} rows)", events);
  if (refused) text += fmt::format(" (to be refused: \"{}\")", refusal);
  return text;
}

void Model::apply(const Op& op) {
  if (op.refused) return;
  Day latest = op.opens.empty() ? -2 : -1;  // Accounts open on 2025-12-31, day -1.
  Day latest_posting = -2;
  for (const Account& a : op.opens) accounts_.push_back(a);
  bool undated = false;
  for (Posting p : op.postings) {
    if (p.day == kToday) {
      p.day = kToday + 1 + instants_;
      undated = true;
    }
    latest = std::max(latest, p.day);
    latest_posting = std::max(latest_posting, p.day);
    postings_[p.account].push_back(p);
  }
  if (!op.closes.empty()) {
    const Day day = op.close_day == kToday ? kToday + 1 + instants_ : op.close_day;
    undated = undated || op.close_day == kToday;
    closed_[op.closes] = day;
    latest = std::max(latest, day);
  }
  instants_ += undated ? 1 : 0;
  events_ += op.events;
  purged_ = purged_ || op.kind == OpKind::kPurge;
  effective_max_ = std::max(effective_max_, latest);
  posting_max_ = std::max(posting_max_, latest_posting);
  if (op.events > 0) commits_.emplace_back(events_, posting_max_);
}

std::vector<const Account*> Model::open_accounts() const {
  std::vector<const Account*> out;
  for (const Account& a : accounts_) {
    if (!closed(a.id)) out.push_back(&a);
  }
  return out;
}

Statuses Model::statuses(Day at) const {
  Statuses out;
  for (const Account& a : accounts_) {
    auto it = closed_.find(a.id);
    out[a.id] = it != closed_.end() && it->second <= at ? "closed" : "open";
  }
  return out;
}

Day Model::latest_day(const std::string& account) const {
  Day latest = -1;
  auto it = postings_.find(account);
  if (it == postings_.end()) return latest;
  for (const Posting& p : it->second) latest = std::max(latest, p.day);
  return latest;
}

Day Model::posting_max_through(uint64_t seq) const {
  Day latest = -2;
  for (const auto& [events, day] : commits_) {
    if (events > seq) break;
    latest = day;
  }
  return latest;
}

bool Model::commit_ends_at(uint64_t seq) const {
  for (const auto& [events, day] : commits_) {
    if (events == seq) return true;
  }
  return false;
}

int64_t Model::balance_minor(const std::string& account, Day at) const {
  int64_t sum = 0;
  auto it = postings_.find(account);
  if (it == postings_.end()) return 0;
  for (const Posting& p : it->second) sum += p.day <= at ? p.amount_minor : 0;
  return sum;
}

int64_t Model::available_minor(const std::string& account, Day from) const {
  int64_t least = balance_minor(account, from);
  auto it = postings_.find(account);
  if (it == postings_.end()) return least;
  for (const Posting& p : it->second) {
    if (p.day >= from) least = std::min(least, balance_minor(account, p.day));
  }
  return least;
}

std::string format_minor(int64_t minor, int decimals) {
  if (decimals == 0) return std::to_string(minor);
  const int64_t scale = decimals == 2 ? 100 : 1000;
  const int64_t magnitude = minor < 0 ? -minor : minor;
  return fmt::format("{}{}.{:0{}}", minor < 0 ? "-" : "", magnitude / scale, magnitude % scale,
                     decimals);
}

Balances Model::balances(Day at) const {
  Balances out;
  for (const Account& a : accounts_) {
    out[a.id] = format_minor(balance_minor(a.id, at), a.decimals) + "," + a.currency;
  }
  return out;
}

OpKind OpGenerator::random_kind(Rng& rng, const Model& model) const {
  const size_t open_now = model.open_accounts().size();
  const bool can_open = open_now < kAccountsMax && model.accounts().size() < kAccountsTotalMax;
  if (open_now < 3 && can_open) return OpKind::kOpen;
  // Weights: mostly single writes, imports often enough to kill them mid-way, closes (accepted
  // and refused) and maintenance now and then; purges rarely, since after one the generator
  // no longer backdates (see make()).
  struct Weighted {
    OpKind kind;
    int weight;
  };
  static constexpr Weighted kMix[] = {
      {OpKind::kOpen, 4},      {OpKind::kDeposit, 24}, {OpKind::kWithdraw, 12},
      {OpKind::kTransfer, 24}, {OpKind::kClose, 6},    {OpKind::kImport, 15},
      {OpKind::kSnapshot, 7},  {OpKind::kCompact, 5},  {OpKind::kPurge, 2}};
  int total = 0;
  for (const Weighted& w : kMix) total += w.weight;
  int pick = uniform(rng, 0, total - 1);
  for (const Weighted& w : kMix) {
    if (pick < w.weight) return w.kind == OpKind::kOpen && !can_open ? OpKind::kDeposit : w.kind;
    pick -= w.weight;
  }
  return OpKind::kDeposit;
}

Op OpGenerator::make(OpKind kind, Rng& rng, const Model& model, bool accepted_only) {
  const bool can_open = model.open_accounts().size() < kAccountsMax &&
                        model.accounts().size() < kAccountsTotalMax;
  // snapshot and compact refuse an empty ledger; money needs an open account.
  if (model.accounts().empty()) kind = OpKind::kOpen;
  if (kind == OpKind::kOpen && !can_open) kind = OpKind::kDeposit;
  const bool moves_money = kind == OpKind::kDeposit || kind == OpKind::kWithdraw ||
                           kind == OpKind::kTransfer || kind == OpKind::kImport;
  if (moves_money && model.open_accounts().empty()) {
    kind = model.accounts().size() < kAccountsTotalMax ? OpKind::kOpen : OpKind::kSnapshot;
  }
  switch (kind) {
    case OpKind::kOpen: return open(rng, model);
    case OpKind::kClose: return close(rng, model, accepted_only);
    case OpKind::kImport: return import(rng, model);
    case OpKind::kSnapshot: return Op{kind, {"snapshot"}};
    case OpKind::kCompact: return Op{kind, {"compact"}};
    case OpKind::kPurge: return Op{kind, {"compact", "--purge", "--yes"}};
    default: return money(kind, rng, model, accepted_only);
  }
}

std::string OpGenerator::next_ref(const char* what) {
  return fmt::format("{}-{}{}", ref_prefix_, what, ++ref_counter_);
}

std::optional<Day> OpGenerator::random_day(Rng& rng) const {
  if (chance(rng, 0.2)) return std::nullopt;
  return uniform(rng, 0, kLastDatedDay);
}

Op OpGenerator::open(Rng& rng, const Model& model) {
  const Currency& c = kCurrencies[uniform<size_t>(rng, 0, std::size(kCurrencies) - 1)];
  const Account account{fmt::format("ACC-{:03}", model.accounts().size() + 1), c.code, c.decimals};
  Op op{OpKind::kOpen,
        {"open", account.id, "--currency", account.currency, "--date", kOpenDate, "--ref",
         next_ref("o")}};
  op.opens.push_back(account);
  op.events = 1;
  return op;
}

namespace {

// A money movement the model can pay for, or nullopt when the drawn account has nothing to
// give. Withdrawals and transfers on a day never take more than is available from that day on:
// the rules hold at every effective date.
struct Movement {
  OpKind kind;
  const Account* from = nullptr;
  const Account* to = nullptr;
  int64_t amount_minor = 0;
  Day day = kToday;
};

// After a purge, an entry dated before the latest entry of an account it touches may reach
// into purged history, which the ledger refuses ("cannot be checked"): `floor` (the books
// before the command) then moves `day` to no earlier than that latest entry, or to today.
void not_before_latest(Day& day, const Account& account, const Model* floor) {
  if (!floor) return;
  day = std::max(day, floor->latest_day(account.id));
  if (day > kLastDatedDay) day = kToday;
}

std::optional<Movement> draw_movement(OpKind kind, Rng& rng, const Model& model, Day day,
                                      const Model* floor) {
  const std::vector<const Account*> accounts = model.open_accounts();
  const Account& account = *accounts[uniform<size_t>(rng, 0, accounts.size() - 1)];
  not_before_latest(day, account, floor);
  const int64_t unit_max = account.decimals == 0 ? 20000 : 200000;
  if (kind == OpKind::kDeposit) {
    return Movement{kind, nullptr, &account, uniform<int64_t>(rng, 1, unit_max), day};
  }
  const int64_t balance = model.available_minor(account.id, day);
  if (balance <= 0) return std::nullopt;
  // Now and then all that is available: an undated withdrawal of it empties the account, which
  // can then be closed.
  const int64_t amount = kind == OpKind::kWithdraw && chance(rng, 0.15)
                             ? balance
                             : uniform<int64_t>(rng, 1, std::min(balance, unit_max));
  if (kind == OpKind::kWithdraw) return Movement{kind, &account, nullptr, amount, day};
  std::vector<const Account*> peers;
  for (const Account* a : accounts) {
    if (a->currency == account.currency && a->id != account.id) peers.push_back(a);
  }
  if (peers.empty()) return std::nullopt;
  const Account* to = peers[uniform<size_t>(rng, 0, peers.size() - 1)];
  not_before_latest(day, *to, floor);  // Later: the sender has at least as much there.
  return Movement{kind, &account, to, amount, day};
}

void add_postings(const Movement& m, Op& op) {
  if (m.from) op.postings.push_back({m.from->id, -m.amount_minor, m.day});
  if (m.to) op.postings.push_back({m.to->id, m.amount_minor, m.day});
  op.events += 1;
}

template <typename T>
const T& pick(Rng& rng, const std::vector<T>& items) {
  return items[uniform<size_t>(rng, 0, items.size() - 1)];
}

}  // namespace

Op OpGenerator::money(OpKind kind, Rng& rng, const Model& model, bool accepted_only) {
  const std::optional<Day> drawn = random_day(rng);
  if (!accepted_only && model.any_closed() && chance(rng, 0.06)) {
    // Money into a closed account, at any date: refused. A transfer names it as the receiver,
    // which the ledger checks first (the sender's funds do not matter then).
    std::vector<const Account*> closed;
    for (const Account& a : model.accounts()) {
      if (model.closed(a.id)) closed.push_back(&a);
    }
    const Account& shut = *pick(rng, closed);
    const int64_t amount = uniform<int64_t>(rng, 1, shut.decimals == 0 ? 20000 : 200000);
    const std::string text = format_minor(amount, shut.decimals);
    Op op{kind, {op_kind_name(kind), shut.id, text}};
    if (kind == OpKind::kTransfer) {
      std::vector<const Account*> senders;
      for (const Account* a : model.open_accounts()) {
        if (a->currency == shut.currency) senders.push_back(a);
      }
      if (senders.empty()) {
        op = Op{OpKind::kDeposit, {"deposit", shut.id, text}};
      } else {
        op.args = {"transfer", pick(rng, senders)->id, shut.id, text};
      }
    }
    op.args.insert(op.args.end(), {"--ref", next_ref(op_kind_name(op.kind))});
    if (drawn) op.args.insert(op.args.end(), {"--date", day_text(*drawn)});
    op.refused = true;
    op.refusal = fmt::format("account \"{}\" is closed", shut.id);
    return op;
  }
  const Model* floor = model.purged() ? &model : nullptr;
  auto m = draw_movement(kind, rng, model, drawn.value_or(kToday), floor);
  if (!m) m = draw_movement(OpKind::kDeposit, rng, model, drawn.value_or(kToday), floor);
  const Account& shown = m->from ? *m->from : *m->to;
  Op op{m->kind, {op_kind_name(m->kind), shown.id}};
  if (m->kind == OpKind::kTransfer) op.args.push_back(m->to->id);
  op.args.push_back(format_minor(m->amount_minor, shown.decimals));
  op.args.insert(op.args.end(), {"--ref", next_ref(op_kind_name(m->kind))});
  if (m->day != kToday) op.args.insert(op.args.end(), {"--date", day_text(m->day)});
  add_postings(*m, op);
  return op;
}

// `ledger close ACC`: needs a zero balance at its date and no entry of the account after it
// (ledger(1), close); a closed account takes no money at any date, and a second close is refused.
Op OpGenerator::close(Rng& rng, const Model& model, bool accepted_only) {
  std::vector<const Account*> closable, nonzero, backdatable;
  for (const Account* a : model.open_accounts()) {
    (model.balance_minor(a->id) == 0 ? closable : nonzero).push_back(a);
    // A close dated before an entry of the account: "it has entries after that". After a
    // purge the ledger may refuse it for another reason (that entry cannot be checked).
    if (!model.purged() && model.latest_day(a->id) >= 1) backdatable.push_back(a);
  }
  std::vector<const Account*> closed;
  for (const Account& a : model.accounts()) {
    if (model.closed(a.id)) closed.push_back(&a);
  }
  // Without an account at zero, half the time an account is opened for a later close.
  const bool refuse = !accepted_only &&
                      chance(rng, closable.empty() ? 0.5 : 0.35) &&
                      !(nonzero.empty() && closed.empty() && backdatable.empty());
  if (!refuse) {
    if (closable.empty()) {
      // Nothing can be closed: a fresh account can, next time.
      if (model.accounts().size() < kAccountsTotalMax) return open(rng, model);
      return money(OpKind::kDeposit, rng, model, true);
    }
    const Account& account = *pick(rng, closable);
    Op op{OpKind::kClose, {"close", account.id, "--ref", next_ref("c")}};
    op.closes = account.id;
    op.events = 1;
    // Dated now and then: on or after its latest entry (a dated close is at the end of its day).
    const Day latest = model.latest_day(account.id);
    if (latest <= kLastDatedDay && chance(rng, 0.5)) {
      op.close_day = uniform(rng, std::max(latest, 0), kLastDatedDay);
      op.args.insert(op.args.end(), {"--date", day_text(op.close_day)});
    }
    return op;
  }
  for (;;) {
    switch (uniform(rng, 0, 2)) {
      case 0:
        if (!nonzero.empty()) {
          const Account& account = *pick(rng, nonzero);
          Op op{OpKind::kClose, {"close", account.id, "--ref", next_ref("c")}};
          op.refused = true;
          op.refusal = "(it must be zero)";
          return op;
        }
        break;
      case 1:
        if (!closed.empty()) {
          const Account& account = *pick(rng, closed);
          Op op{OpKind::kClose, {"close", account.id, "--ref", next_ref("c")}};
          if (chance(rng, 0.5)) {
            op.args.insert(op.args.end(), {"--date", day_text(uniform(rng, 0, kLastDatedDay))});
          }
          op.refused = true;
          op.refusal = fmt::format("account \"{}\" is closed already", account.id);
          return op;
        }
        break;
      default:
        if (!backdatable.empty()) {
          const Account& account = *pick(rng, backdatable);
          const Day latest = std::min(model.latest_day(account.id), kLastDatedDay + 1);
          const Day day = uniform(rng, 0, latest - 1);
          Op op{OpKind::kClose,
                {"close", account.id, "--date", day_text(day), "--ref", next_ref("c")}};
          op.refused = true;
          op.refusal = "it has entries after that";
          return op;
        }
        break;
    }
  }
}

// A CSV of deposits, withdrawals and transfers, all dated (an import row's date says when it
// happened) unless a purge left nothing to backdate, in date order: each is valid on the
// timeline of the rows before it, which is the order the ledger checks them in.
Op OpGenerator::import(Rng& rng, const Model& model) {
  Op op{OpKind::kImport, {"import", "-", "--format", "csv"}};
  Model scratch = model;
  const Model* floor = model.purged() ? &model : nullptr;
  const size_t rows = chance(rng, 0.15) ? uniform<size_t>(rng, 257, kImportRowsMax)
                                        : uniform<size_t>(rng, 1, 40);
  std::ostringstream csv;
  csv << "op,account,amount,to,date,ref\n";
  static constexpr OpKind kRowKinds[] = {OpKind::kDeposit, OpKind::kWithdraw, OpKind::kTransfer};
  std::vector<Day> days(rows);
  for (Day& day : days) day = uniform(rng, 0, kLastDatedDay);
  std::sort(days.begin(), days.end());
  for (size_t i = 0; i < rows; ++i) {
    const Day day = days[i];
    auto m = draw_movement(kRowKinds[uniform<size_t>(rng, 0, 2)], rng, scratch, day, floor);
    if (!m) m = draw_movement(OpKind::kDeposit, rng, scratch, day, floor);
    const Account& shown = m->from ? *m->from : *m->to;
    // An empty date is the time of the import: one instant for all such rows, as the model
    // applies them.
    csv << op_kind_name(m->kind) << ',' << shown.id << ','
        << format_minor(m->amount_minor, shown.decimals) << ','
        << (m->kind == OpKind::kTransfer ? m->to->id : "") << ','
        << (m->day == kToday ? std::string() : day_text(m->day)) << ',' << next_ref("i") << '\n';
    Op row;
    add_postings(*m, row);
    scratch.apply(row);
    op.postings.insert(op.postings.end(), row.postings.begin(), row.postings.end());
    op.events += 1;
  }
  op.import_csv = csv.str();
  return op;
}

std::optional<Balances> parse_balances_csv(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "account,balance,currency") return std::nullopt;
  Balances out;
  while (std::getline(in, line)) {
    const size_t comma = line.find(',');
    if (comma == std::string::npos) return std::nullopt;
    out[line.substr(0, comma)] = line.substr(comma + 1);
  }
  return out;
}

std::optional<Statuses> parse_statuses_csv(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line.rfind("account,balance,currency,status,", 0) != 0) {
    return std::nullopt;
  }
  Statuses out;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    if (fields.size() < 4) return std::nullopt;
    out[fields[0]] = fields[3];
  }
  return out;
}

std::string describe_difference(const Balances& expected, const Balances& actual) {
  std::string text;
  for (const auto& [account, value] : expected) {
    auto it = actual.find(account);
    const std::string got = it == actual.end() ? "(missing)" : it->second;
    if (got != value) text += fmt::format(" {}: expected {} got {};", account, value, got);
  }
  for (const auto& [account, value] : actual) {
    if (!expected.count(account)) text += fmt::format(" {}: unexpected {};", account, value);
  }
  return text;
}

}  // namespace ledger::torture
