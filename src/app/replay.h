#pragma once
// Reading the log as domain events: the one place where store records become events.
//
// Two ways: replay_events hands each event to the visitor as a domain::EventView that points
// into the reader's buffer (no allocation, no std::function: the visitor is a template
// parameter, so the compiler inlines it); for_each_event hands owned StoredEvents to callers
// that keep them (history).

#include <string.h>  // memmem

#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>

#include "domain/event_view.h"
#include "domain/events.h"
#include "ledger/status.h"
#include "store/log_reader.h"
#include "store/record.h"

namespace ledger::app {

// One event as replay_events hands it out; its views are valid only during the visit.
using EventRef = domain::EventAt;

// A frame a visitor may pass over whole, from its header: its first sequence number, its
// event count, its recorded time and its range of effective times.
struct FrameSummary {
  uint64_t seq_first = 0;
  uint32_t count = 0;
  int64_t recorded_ns = 0;
  int64_t effective_min_ns = 0;
  int64_t effective_max_ns = 0;
};

namespace detail {

Status undecodable(uint64_t seq, const Status& status);

inline FrameSummary summary_of(const store::FrameHeader& h) {
  return {h.seq_first, h.count, h.recorded_ns, h.effective_min_ns, h.effective_max_ns};
}

template <class Visit>
Status visit_event(Visit& visit, const EventRef& e) {
  if constexpr (std::is_void_v<std::invoke_result_t<Visit&, const EventRef&>>) {
    visit(e);
    return Status::ok();
  } else {
    return visit(e);
  }
}

}  // namespace detail

// Calls `visit(const EventRef&)` for every visible event from the reader's position on, in
// log order, stopping before the first frame recorded after `known_at_ns` (recorded times never
// decrease along the log). A visitor that returns a Status stops the replay with the first
// failure; one that returns void cannot fail. `skip_frame(const FrameSummary&)` may pass over a
// whole frame without decoding it (e.g. one whose effective times are all past a cutoff).
//
// The reader may start anywhere the store says a frame begins (LogReader's constructor from a
// segment list and a LogPosition): that is how a snapshot's tail is replayed.
template <class Visit, class SkipFrame>
Status replay_events(store::LogReader& reader, std::optional<int64_t> known_at_ns, Visit&& visit,
                     SkipFrame&& skip_frame) {
  EventRef e{0, 0, 0, {}};
  for (;;) {
    auto frame = reader.next();
    if (!frame) return frame.status();
    if (*frame == nullptr) return Status::ok();
    const store::FrameHeader& header = (*frame)->header;
    if (known_at_ns && header.recorded_ns > *known_at_ns) return Status::ok();
    if (skip_frame(detail::summary_of(header))) continue;
    store::RecordIterator records((*frame)->bytes);
    store::Record record;
    e.seq = header.seq_first;
    e.recorded_ns = header.recorded_ns;
    while (records.next(record)) {
      e.effective_ns = record.effective_ns;
      if (Status s =
              domain::decode_event_view(record.type, record.version, record.payload, e.event);
          !s) [[unlikely]] {
        return detail::undecodable(e.seq, s);
      }
      LEDGER_RETURN_IF_ERROR(detail::visit_event(visit, e));
      ++e.seq;
    }
  }
}

template <class Visit>
Status replay_events(store::LogReader& reader, std::optional<int64_t> known_at_ns, Visit&& visit) {
  return replay_events(reader, known_at_ns, std::forward<Visit>(visit),
                       [](const FrameSummary&) { return false; });
}

// The same from the start of the log in `dir` (an absent directory is an empty log).
template <class Visit, class SkipFrame>
Status replay_events(const std::filesystem::path& dir, std::optional<int64_t> known_at_ns,
                     Visit&& visit, SkipFrame&& skip_frame) {
  auto reader = store::LogReader::open(dir);
  if (!reader) return reader.status();
  return replay_events(*reader, known_at_ns, std::forward<Visit>(visit),
                       std::forward<SkipFrame>(skip_frame));
}

template <class Visit>
Status replay_events(const std::filesystem::path& dir, std::optional<int64_t> known_at_ns,
                     Visit&& visit) {
  return replay_events(dir, known_at_ns, std::forward<Visit>(visit),
                       [](const FrameSummary&) { return false; });
}

// Calls `visit(const EventRef&)` for each event of one frame that read_frame_at() checked, or
// only for those whose sequence number `wanted(seq)` accepts (the others are not decoded).
template <class Visit, class Wanted>
Status for_each_event_in_frame(store::ByteView frame, Visit&& visit, Wanted&& wanted) {
  auto header = store::decode_frame_header(frame);
  if (!header) return header.status();
  store::RecordIterator records(frame);
  store::Record record;
  EventRef e{header->seq_first, header->recorded_ns, 0, {}};
  for (; records.next(record); ++e.seq) {
    if (!wanted(e.seq)) continue;
    e.effective_ns = record.effective_ns;
    if (Status s = domain::decode_event_view(record.type, record.version, record.payload, e.event);
        !s) {
      return detail::undecodable(e.seq, s);
    }
    LEDGER_RETURN_IF_ERROR(detail::visit_event(visit, e));
  }
  return Status::ok();
}

template <class Visit>
Status for_each_event_in_frame(store::ByteView frame, Visit&& visit) {
  return for_each_event_in_frame(frame, std::forward<Visit>(visit), [](uint64_t) { return true; });
}

// Whether `frame` may hold an event naming account `id`. Ids are encoded as their bytes
// (domain/event_codec.cpp), so a frame without them anywhere holds none; a frame with them may
// still hold none (an id inside another, or in a memo), and its events are decoded and compared.
inline bool frame_may_name(store::ByteView frame, std::string_view id) {
  return ::memmem(frame.data(), frame.size(), id.data(), id.size()) != nullptr;
}

// Calls `visit(const EventRef&)` for each event of segment `index` (and none of the segments
// after it) up to sequence `seq_limit`, passing over the frames `skip_frame` accepts: one
// segment read from the log itself, where its indexes cannot serve. `skip_frame` is called with
// the frame's FrameSummary, and also with its bytes if it takes them (see frame_may_name).
template <class Visit, class SkipFrame>
Status for_each_event_in_segment(store::Syscalls& sys,
                                 const std::vector<store::SegmentFile>& segments, size_t index,
                                 uint64_t seq_limit, Visit&& visit, SkipFrame&& skip_frame) {
  auto start = store::segment_start(sys, segments, index);
  if (!start) return start.status();
  store::LogReader reader(sys, segments, *start);
  for (;;) {
    auto frame = reader.next();
    if (!frame) return frame.status();
    if (*frame == nullptr || (*frame)->segment != index ||
        (*frame)->header.seq_first > seq_limit) {
      return Status::ok();
    }
    if constexpr (std::is_invocable_v<SkipFrame&, const FrameSummary&, store::ByteView>) {
      if (skip_frame(detail::summary_of((*frame)->header), (*frame)->bytes)) continue;
    } else {
      if (skip_frame(detail::summary_of((*frame)->header))) continue;
    }
    LEDGER_RETURN_IF_ERROR(for_each_event_in_frame((*frame)->bytes, [&](const EventRef& e) {
      if (e.seq > seq_limit) return Status::ok();
      return detail::visit_event(visit, e);
    }));
  }
}

// Calls `visit` for every visible event in log order with an owned copy of it, stopping as
// replay_events does. For callers that keep events; replay_events is the fast path.
Status for_each_event(const std::filesystem::path& dir, std::optional<int64_t> known_at_ns,
                      const std::function<Status(const domain::StoredEvent&)>& visit);

}  // namespace ledger::app
