#include "app/import_order.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace ledger::app {

namespace {

// A record: body length (u32), position (i64), rank and arrival (u64), then the row's body.
constexpr size_t kHeadBytes = 4 + 8 + 8;
// What a run on scratch reads at a time.
constexpr size_t kWindowBytes = size_t{128} << 10;
constexpr int kArrivalBits = 56;

template <class T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
T get(const char*& at) {
  T value;
  std::memcpy(&value, at, sizeof value);
  at += sizeof value;
  return value;
}

// The string fields of each command, in one order for writing and reading.
template <class C, class F>
void fields(C& c, F f) {
  using T = std::remove_const_t<C>;
  if constexpr (std::is_same_v<T, OpenAccount>) {
    f(c.account), f(c.owner), f(c.currency), f(c.overdraft_limit), f(c.ref);
  } else if constexpr (std::is_same_v<T, Transfer>) {
    f(c.from), f(c.to), f(c.amount), f(c.memo), f(c.ref);
  } else if constexpr (std::is_same_v<T, CloseAccount>) {
    f(c.account), f(c.ref);
  } else {  // Deposit, Withdraw.
    f(c.account), f(c.amount), f(c.memo), f(c.ref);
  }
}

void put_body(std::string& out, const ImportRow& row) {
  put(out, static_cast<uint8_t>(row.command.index()));
  put(out, static_cast<uint64_t>(row.line));
  const auto& effective = std::visit([](const auto& c) -> const std::optional<EffectiveTime>& {
    return c.effective;
  }, row.command);
  put(out, static_cast<uint8_t>(effective ? (effective->date ? 2 : 1) : 0));
  if (effective) put(out, effective->ns);
  std::visit([&out](const auto& c) {
    fields(c, [&out](const std::string& s) {
      put(out, static_cast<uint32_t>(s.size()));
      out += s;
    });
  }, row.command);
}

// Into `row`, reusing the capacity of its strings where the kind of command is the same.
void get_body(const char* at, ImportRow& row) {
  const auto kind = get<uint8_t>(at);
  row.line = static_cast<size_t>(get<uint64_t>(at));
  const auto has = get<uint8_t>(at);
  std::optional<EffectiveTime> effective;
  if (has != 0) effective = EffectiveTime{get<int64_t>(at), has == 2};
  auto fill = [&](auto blank) {
    using C = decltype(blank);
    if (!std::holds_alternative<C>(row.command)) row.command = std::move(blank);
    C& command = std::get<C>(row.command);
    command.effective = effective;
    fields(command, [&at](std::string& s) {
      const auto size = get<uint32_t>(at);
      s.assign(at, size);
      at += size;
    });
  };
  switch (kind) {
    case 0: fill(OpenAccount{}); break;
    case 1: fill(Deposit{}); break;
    case 2: fill(Withdraw{}); break;
    case 3: fill(Transfer{}); break;
    default: fill(CloseAccount{}); break;
  }
}

Status damaged() {
  return {ErrorCode::kInternal, "an import's scratch file does not read back as written"};
}

}  // namespace

// A sorted run of records: in memory whole, or on scratch, read through a window.
struct ImportOrder::Run {
  const util::ScratchFile* file = nullptr;
  uint64_t unread = 0;  // The part of the file not yet in the window: [unread, end).
  uint64_t end = 0;
  std::string window;
  size_t at = 0;
  Place head{};
  uint32_t body_bytes = 0;

  // Makes `n` bytes from `at` readable in the window.
  Status need(size_t n) {
    if (window.size() - at >= n) return Status::ok();
    if (file == nullptr) return damaged();
    window.erase(0, at);
    at = 0;
    const size_t have = window.size();
    const auto want = static_cast<size_t>(
        std::min<uint64_t>(std::max(kWindowBytes, n - have), end - unread));
    window.resize(have + want);
    LEDGER_RETURN_IF_ERROR(file->read(unread, window.data() + have, want));
    unread += want;
    return window.size() >= n ? Status::ok() : damaged();
  }

  // The head of the next record; false at the end of the run.
  Result<bool> load_head() {
    if (at == window.size() && (file == nullptr || unread == end)) return false;
    LEDGER_RETURN_IF_ERROR(need(kHeadBytes));
    const char* p = window.data() + at;
    body_bytes = get<uint32_t>(p);
    head.position = get<int64_t>(p);
    head.rank_arrival = get<uint64_t>(p);
    return true;
  }
};

bool ImportOrder::Later::operator()(const Run* a, const Run* b) const { return a->head > b->head; }

ImportOrder::ImportOrder(size_t memory_bytes) : memory_bytes_(memory_bytes) {}
ImportOrder::~ImportOrder() = default;

Status ImportOrder::add(const ImportRow& row, const domain::TimelineKey& key) {
  const Place place{key.position,
                    uint64_t(key.rank) << kArrivalBits | uint64_t(added_++)};
  const bool in_order = !last_in_order_ || *last_in_order_ <= place;
  std::string& out = in_order ? in_order_ : out_of_order_;
  const size_t start = out.size();
  if (!in_order) out_of_order_index_.emplace_back(place, static_cast<uint32_t>(start));
  put(out, uint32_t{0});
  put(out, place.position);
  put(out, place.rank_arrival);
  put_body(out, row);
  const auto body = static_cast<uint32_t>(out.size() - start - kHeadBytes);
  std::memcpy(out.data() + start, &body, sizeof body);
  if (in_order) {
    last_in_order_ = place;
    // The run in order takes a quarter of the memory as its write buffer.
    if (in_order_.size() >= memory_bytes_ / 4) return flush_in_order();
  } else if (out_of_order_.size() >= memory_bytes_ / 2) {
    return spill_out_of_order();
  }
  return Status::ok();
}

Status ImportOrder::flush_in_order() {
  if (!in_order_file_) {
    auto file = util::ScratchFile::create();
    if (!file) return file.status();
    in_order_file_.emplace(std::move(*file));
    ++scratch_runs_;
  }
  LEDGER_RETURN_IF_ERROR(in_order_file_->append(in_order_.data(), in_order_.size()));
  in_order_.clear();
  return Status::ok();
}

std::string ImportOrder::sorted_out_of_order() {
  std::sort(out_of_order_index_.begin(), out_of_order_index_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string sorted;
  sorted.reserve(out_of_order_.size());
  for (const auto& [place, offset] : out_of_order_index_) {
    uint32_t body = 0;
    std::memcpy(&body, out_of_order_.data() + offset, sizeof body);
    sorted.append(out_of_order_, offset, kHeadBytes + body);
  }
  out_of_order_.clear();
  out_of_order_index_.clear();
  return sorted;
}

Status ImportOrder::spill_out_of_order() {
  if (!out_of_order_file_) {
    auto file = util::ScratchFile::create();
    if (!file) return file.status();
    out_of_order_file_.emplace(std::move(*file));
  }
  const std::string sorted = sorted_out_of_order();
  const uint64_t begin = out_of_order_file_->size();
  LEDGER_RETURN_IF_ERROR(out_of_order_file_->append(sorted.data(), sorted.size()));
  spilled_.emplace_back(begin, out_of_order_file_->size());
  ++scratch_runs_;
  return Status::ok();
}

Status ImportOrder::start_reading(Run& run) {
  auto more = run.load_head();
  if (!more) return more.status();
  if (*more) heads_.push(&run);
  return Status::ok();
}

Status ImportOrder::finish() {
  auto in_order = std::make_unique<Run>();
  if (in_order_file_) {
    LEDGER_RETURN_IF_ERROR(flush_in_order());
    in_order->file = &*in_order_file_;
    in_order->end = in_order_file_->size();
  } else {
    in_order->window = std::move(in_order_);
  }
  runs_.push_back(std::move(in_order));
  for (const auto& [begin, end] : spilled_) {
    auto run = std::make_unique<Run>();
    run->file = &*out_of_order_file_;
    run->unread = begin;
    run->end = end;
    runs_.push_back(std::move(run));
  }
  auto rest = std::make_unique<Run>();
  rest->window = sorted_out_of_order();
  runs_.push_back(std::move(rest));
  for (auto& run : runs_) LEDGER_RETURN_IF_ERROR(start_reading(*run));
  return Status::ok();
}

domain::TimelineKey ImportOrder::next_key() const {
  const Place& head = heads_.top()->head;
  return {head.position, static_cast<int>(head.rank_arrival >> kArrivalBits)};
}

Status ImportOrder::take(ImportRow& row) {
  Run& run = *heads_.top();
  heads_.pop();
  LEDGER_RETURN_IF_ERROR(run.need(kHeadBytes + run.body_bytes));
  get_body(run.window.data() + run.at + kHeadBytes, row);
  run.at += kHeadBytes + run.body_bytes;
  return start_reading(run);
}

}  // namespace ledger::app
