#pragma once
// What happened to the requests of a time span (a whole run, one second, one measurement window):
// counts, bytes, a count per HTTP status, failures by cause, and latency histograms. Mergeable.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

#include "bench/histogram.h"

namespace mlfaas::bench {

// Why a request failed. Each is counted on its own, never lumped together.
enum class Cause : uint8_t {
  connect,  // could not connect (refused, unreachable, connect timeout)
  write,    // sending the request failed
  read,     // the connection closed or broke before a complete response, or the response was malformed
  timeout,  // no complete response within the request timeout
  non_2xx,  // a response arrived, with a status outside 200-299
};
inline constexpr size_t kCauseCount = 5;
inline constexpr std::array<Cause, kCauseCount> kAllCauses{Cause::connect, Cause::write, Cause::read, Cause::timeout,
                                                           Cause::non_2xx};
const char* cause_name(Cause c);  // "connect", "write", "read", "timeout", "non_2xx"
std::optional<Cause> cause_from_name(std::string_view name);

struct Tally {
  uint64_t completed = 0;  // requests that ended: with a response (any status) or a failure
  uint64_t responses = 0;  // HTTP responses received, any status
  uint64_t bytes = 0;      // response bytes received (status line, headers, body)
  std::array<uint64_t, kCauseCount> failures{};
  std::map<int, uint64_t> statuses;  // responses per HTTP status code
  // Every response, any status, from (intended) send to the last byte: what wrk reports.
  LatencyHistogram latency;
  // Requests that timed out, at the time they were given up (about the timeout).
  LatencyHistogram timed_out;
  // Non-2xx responses alone: how fast a server turns work away (a 503 should take milliseconds).
  LatencyHistogram non_2xx_latency;

  void record_response(int status, uint64_t response_bytes, double latency_us);
  // A failure without a response (connect, write, read, timeout).
  void record_failure(Cause cause, double latency_us);
  void merge(const Tally& other);

  uint64_t failures_of(Cause c) const { return failures[size_t(c)]; }
  // Every failed request: network failures plus non-2xx responses.
  uint64_t failed() const;
  // Network-level failures only (what wrk calls socket errors, plus timeouts).
  uint64_t socket_errors() const;
  // 2xx responses. The timeout counts from the (intended) send time, so each of them arrived within
  // it: these make the goodput (answers the caller could use).
  uint64_t succeeded() const;
};

}  // namespace mlfaas::bench
