#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header
// "00-{trace-id:32 hex}-{parent-id:16 hex}-{flags:2 hex}". The gateway accepts one or starts a trace,
// and every hop it makes (replica, async callback, emitted event) continues it with its own span.
#include <optional>
#include <string>
#include <string_view>

namespace mlfaas::http {

struct TraceContext {
  std::string trace_id;  // 32 lower-case hex, not all zero
  std::string span_id;   // 16 lower-case hex, not all zero: the span of whoever sends this header
  std::string flags = "01";
  std::string header() const { return "00-" + trace_id + "-" + span_id + "-" + flags; }
  // The same trace, a new span (the next hop's parent).
  TraceContext child() const;
};

// nullopt for anything the spec says to ignore (bad version 00 shape, all-zero ids, upper case).
std::optional<TraceContext> parse_traceparent(std::string_view header);
// A new trace with a random trace id and span id, sampled.
TraceContext start_trace();

}  // namespace mlfaas::http
