#pragma once
// Polls a starting replica until its readiness probe passes: TCP connect to its port (Knative's
// default), or HTTP GET path answering 2xx/3xx. Every 2 ms instead of Kubernetes' 1 s periods,
// which is most of why cold starts here take milliseconds.
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>

#include "platform/function_spec.h"

namespace mlfaas::platform {

// True once the probe passes; false at the deadline or as soon as `alive()` turns false.
boost::asio::awaitable<bool> wait_until_ready(int port, ReadinessProbe probe,  // by value: coroutine
                                              std::chrono::steady_clock::time_point deadline,
                                              std::function<bool()> alive);

}  // namespace mlfaas::platform
