#include "torture/model.h"

#include <algorithm>
#include <fmt/format.h>

#include <chrono>
#include <sstream>

namespace ledger::torture {

namespace {

// Accounts are opened the day before every dated event, so no event predates its account.
constexpr const char* kOpenDate = "2025-12-31";
constexpr size_t kAccountsMax = 12;
constexpr size_t kImportRowsMax = 700;  // Past the 256 events of an import frame, now and then.

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
    case OpKind::kImport: return "import";
    case OpKind::kSnapshot: return "snapshot";
    case OpKind::kCompact: return "compact";
  }
  return "?";
}

std::string Op::describe() const {
  std::string text = "ledger";
  for (const std::string& a : args) text += " " + a;
  if (kind == OpKind::kImport) text += fmt::format(" ({} rows)", events);
  return text;
}

void Model::apply(const Op& op) {
  for (const Account& a : op.opens) accounts_.push_back(a);
  bool undated = false;
  for (Posting p : op.postings) {
    if (p.day == kToday) {
      p.day = kToday + 1 + instants_;
      undated = true;
    }
    postings_[p.account].push_back(p);
  }
  instants_ += undated ? 1 : 0;
  events_ += op.events;
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
  if (model.accounts().size() < 3) return OpKind::kOpen;
  // Weights: mostly single writes, imports often enough to kill them mid-way, maintenance now
  // and then.
  struct Weighted {
    OpKind kind;
    int weight;
  };
  static constexpr Weighted kMix[] = {
      {OpKind::kOpen, 3},     {OpKind::kDeposit, 25}, {OpKind::kWithdraw, 12},
      {OpKind::kTransfer, 25}, {OpKind::kImport, 15}, {OpKind::kSnapshot, 8},
      {OpKind::kCompact, 6}};
  int total = 0;
  for (const Weighted& w : kMix) total += w.weight;
  int pick = uniform(rng, 0, total - 1);
  for (const Weighted& w : kMix) {
    if (pick < w.weight) {
      return w.kind == OpKind::kOpen && model.accounts().size() >= kAccountsMax
                 ? OpKind::kDeposit
                 : w.kind;
    }
    pick -= w.weight;
  }
  return OpKind::kDeposit;
}

Op OpGenerator::make(OpKind kind, Rng& rng, const Model& model) {
  if (kind != OpKind::kOpen && model.accounts().empty()) kind = OpKind::kOpen;
  if (kind == OpKind::kOpen && model.accounts().size() >= kAccountsMax) kind = OpKind::kDeposit;
  switch (kind) {
    case OpKind::kOpen: return open(rng, model);
    case OpKind::kImport: return import(rng, model);
    case OpKind::kSnapshot: return Op{kind, {"snapshot"}};
    case OpKind::kCompact: return Op{kind, {"compact"}};
    default: return money(kind, rng, model);
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
};

std::optional<Movement> draw_movement(OpKind kind, Rng& rng, const Model& model, Day day) {
  const auto& accounts = model.accounts();
  const Account& account = accounts[uniform<size_t>(rng, 0, accounts.size() - 1)];
  const int64_t unit_max = account.decimals == 0 ? 20000 : 200000;
  if (kind == OpKind::kDeposit) {
    return Movement{kind, nullptr, &account, uniform<int64_t>(rng, 1, unit_max)};
  }
  const int64_t balance = model.available_minor(account.id, day);
  if (balance <= 0) return std::nullopt;
  const int64_t amount = uniform<int64_t>(rng, 1, std::min(balance, unit_max));
  if (kind == OpKind::kWithdraw) return Movement{kind, &account, nullptr, amount};
  std::vector<const Account*> peers;
  for (const Account& a : accounts) {
    if (a.currency == account.currency && a.id != account.id) peers.push_back(&a);
  }
  if (peers.empty()) return std::nullopt;
  return Movement{kind, &account, peers[uniform<size_t>(rng, 0, peers.size() - 1)], amount};
}

void add_postings(const Movement& m, Day day, Op& op) {
  if (m.from) op.postings.push_back({m.from->id, -m.amount_minor, day});
  if (m.to) op.postings.push_back({m.to->id, m.amount_minor, day});
  op.events += 1;
}

}  // namespace

Op OpGenerator::money(OpKind kind, Rng& rng, const Model& model) {
  const std::optional<Day> day = random_day(rng);
  auto m = draw_movement(kind, rng, model, day.value_or(kToday));
  if (!m) m = draw_movement(OpKind::kDeposit, rng, model, day.value_or(kToday));
  const Account& shown = m->from ? *m->from : *m->to;
  Op op{m->kind, {op_kind_name(m->kind), shown.id}};
  if (m->kind == OpKind::kTransfer) op.args.push_back(m->to->id);
  op.args.push_back(format_minor(m->amount_minor, shown.decimals));
  op.args.insert(op.args.end(), {"--ref", next_ref(op_kind_name(m->kind))});
  if (day) op.args.insert(op.args.end(), {"--date", day_text(*day)});
  add_postings(*m, day.value_or(kToday), op);
  return op;
}

// A CSV of deposits, withdrawals and transfers, all dated (an import row's date says when it
// happened), in date order: each is valid on the timeline of the rows before it, which is the
// order the ledger checks them in.
Op OpGenerator::import(Rng& rng, const Model& model) {
  Op op{OpKind::kImport, {"import", "-", "--format", "csv"}};
  Model scratch = model;
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
    auto m = draw_movement(kRowKinds[uniform<size_t>(rng, 0, 2)], rng, scratch, day);
    if (!m) m = draw_movement(OpKind::kDeposit, rng, scratch, day);
    const Account& shown = m->from ? *m->from : *m->to;
    csv << op_kind_name(m->kind) << ',' << shown.id << ','
        << format_minor(m->amount_minor, shown.decimals) << ','
        << (m->kind == OpKind::kTransfer ? m->to->id : "") << ',' << day_text(day) << ','
        << next_ref("i") << '\n';
    Op row;
    add_postings(*m, day, row);
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
