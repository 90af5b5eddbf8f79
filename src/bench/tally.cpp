#include "bench/tally.h"

namespace mlfaas::bench {

const char* cause_name(Cause c) {
  switch (c) {
    case Cause::connect: return "connect";
    case Cause::write: return "write";
    case Cause::read: return "read";
    case Cause::timeout: return "timeout";
    case Cause::non_2xx: return "non_2xx";
  }
  return "?";
}

std::optional<Cause> cause_from_name(std::string_view name) {
  for (Cause c : kAllCauses)
    if (name == cause_name(c)) return c;
  return std::nullopt;
}

void Tally::record_response(int status, uint64_t response_bytes, double latency_us) {
  ++completed;
  ++responses;
  bytes += response_bytes;
  ++statuses[status];
  latency.record(latency_us);
  if (status < 200 || status > 299) {
    ++failures[size_t(Cause::non_2xx)];
    non_2xx_latency.record(latency_us);
  }
}

void Tally::record_failure(Cause cause, double latency_us) {
  ++completed;
  ++failures[size_t(cause)];
  if (cause == Cause::timeout) timed_out.record(latency_us);
}

void Tally::merge(const Tally& o) {
  completed += o.completed;
  responses += o.responses;
  bytes += o.bytes;
  for (size_t i = 0; i < kCauseCount; ++i) failures[i] += o.failures[i];
  for (auto& [code, n] : o.statuses) statuses[code] += n;
  latency.merge(o.latency);
  timed_out.merge(o.timed_out);
  non_2xx_latency.merge(o.non_2xx_latency);
}

uint64_t Tally::failed() const {
  uint64_t n = 0;
  for (auto f : failures) n += f;
  return n;
}

uint64_t Tally::succeeded() const {
  uint64_t n = 0;
  for (auto it = statuses.lower_bound(200); it != statuses.end() && it->first <= 299; ++it) n += it->second;
  return n;
}

uint64_t Tally::socket_errors() const { return failed() - failures_of(Cause::non_2xx); }

}  // namespace mlfaas::bench
