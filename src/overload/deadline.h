#pragma once
// A request's time budget. Every request runs under one absolute deadline: the function's own
// timeout (Knative timeoutSeconds, OpenFaaS exec_timeout, `mlfaas serve --request-timeout`),
// lowered (never raised) by a budget the caller sends. Relative budgets travel between processes,
// so no two clocks need to agree (gRPC's grpc-timeout, Envoy's x-envoy-expected-rq-timeout-ms do
// the same); each hop subtracts the time it spent before forwarding the rest.
//
// Headers read, lowest wins:
//   X-Mlfaas-Timeout-Ms: 1500               milliseconds left (what the gateway forwards)
//   grpc-timeout: 1500m                     gRPC's form: 1-8 digits and a unit H M S m u n
//   X-Envoy-Expected-Rq-Timeout-Ms: 1500    set by an Envoy (Istio, Knative's net-* ingresses) in front
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace mlfaas::overload {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

inline constexpr std::string_view kTimeoutHeader = "X-Mlfaas-Timeout-Ms";

// "1500" -> 1500 ms; nullopt for anything but 1-12 plain digits.
std::optional<Duration> parse_timeout_ms(std::string_view v);
// gRPC's "<1-8 digits><H|M|S|m|u|n>" -> duration; nullopt if malformed.
std::optional<Duration> parse_grpc_timeout(std::string_view v);

// The budget of a request: `own` lowered by every valid header `header(name)` returns (an empty
// view = absent). Malformed values are ignored, as gRPC servers ignore a bad grpc-timeout.
Duration request_budget(Duration own, const std::function<std::string_view(std::string_view)>& header);

// Milliseconds left until `deadline` for the X-Mlfaas-Timeout-Ms header (at least 1).
long long millis_left(TimePoint deadline, TimePoint now);

}  // namespace mlfaas::overload
