#include "overload/deadline.h"

#include <algorithm>
#include <charconv>

namespace mlfaas::overload {

namespace {
std::optional<long long> digits(std::string_view v, size_t max_digits) {
  if (v.empty() || v.size() > max_digits) return std::nullopt;
  long long n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 0) return std::nullopt;
  return n;
}
}  // namespace

std::optional<Duration> parse_timeout_ms(std::string_view v) {
  auto n = digits(v, 12);
  if (!n) return std::nullopt;
  return std::chrono::duration_cast<Duration>(std::chrono::milliseconds(*n));
}

std::optional<Duration> parse_grpc_timeout(std::string_view v) {
  if (v.size() < 2) return std::nullopt;
  auto n = digits(v.substr(0, v.size() - 1), 8);
  if (!n) return std::nullopt;
  using namespace std::chrono;
  switch (v.back()) {
    case 'H': return duration_cast<Duration>(hours(*n));
    case 'M': return duration_cast<Duration>(minutes(*n));
    case 'S': return duration_cast<Duration>(seconds(*n));
    case 'm': return duration_cast<Duration>(milliseconds(*n));
    case 'u': return duration_cast<Duration>(microseconds(*n));
    case 'n': return duration_cast<Duration>(nanoseconds(*n));
  }
  return std::nullopt;
}

Duration request_budget(Duration own, const std::function<std::string_view(std::string_view)>& header) {
  Duration budget = own;
  auto lower = [&](std::optional<Duration> d) {
    if (d) budget = std::min(budget, *d);
  };
  if (auto v = header(kTimeoutHeader); !v.empty()) lower(parse_timeout_ms(v));
  if (auto v = header("grpc-timeout"); !v.empty()) lower(parse_grpc_timeout(v));
  if (auto v = header("X-Envoy-Expected-Rq-Timeout-Ms"); !v.empty()) lower(parse_timeout_ms(v));
  return budget;
}

long long millis_left(TimePoint deadline, TimePoint now) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
  return std::max<long long>(1, ms);
}

}  // namespace mlfaas::overload
