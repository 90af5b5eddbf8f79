#pragma once
// OpenFaaS's asynchronous invocations on a durable queue (NATS JetStream), done the way its users
// asked for: the gateway stores a call (enqueue) before it answers 202; per function, a fetch
// thread takes at most `max_inflight` calls at a time off the function's durable consumer and the
// I/O thread invokes the function with the original method, path, headers and body; 429/502/503/504
// are retried with exponential backoff (a delayed redelivery, so a restart loses nothing), then the
// call goes to a dead-letter stream that can be listed and replayed; the result is POSTed to the
// call's X-Callback-Url (retried too) with X-Call-Id, X-Function-Status, X-Function-Name and
// X-Duration-Seconds. Delivery is at least once: a call whose ack did not reach the queue before a
// crash runs again, and X-Call-Id lets receivers drop the duplicate.
//
// Threads: fetch threads (ConsumerLoop) only fetch and hand calls to the I/O thread; blocking
// queue operations (publish, ack, dead-letter, admin reads) run on a BlockingPool.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "async/async_call.h"
#include "async/jetstream.h"
#include "async/retry_policy.h"
#include "http/client.h"
#include "http/types.h"
#include "platform/blocking_pool.h"
#include "metrics/registry.h"
#include "platform/consumer_loop.h"

namespace mlfaas::platform {

struct AsyncOptions {
  async::RetryPolicy retry;           // invocations answered 429/502/503/504
  async::RetryPolicy callback_retry;  // callbacks that fail to connect or answer 429/5xx
  std::chrono::milliseconds ack_wait{30'000};  // a call not confirmed by then is delivered again
  int default_max_inflight = 16;      // per function, unless its spec says (env max_inflight)
  int64_t max_payload = 8 << 20;      // the queue's message limit: bodies above it get 413
  std::chrono::milliseconds publish_timeout{5'000};
  std::chrono::milliseconds callback_timeout{30'000};
};

class AsyncQueue {
 public:
  // Invokes a function (nullopt: it is not deployed). Runs on the I/O thread.
  using Invoke = std::function<boost::asio::awaitable<std::optional<http::Response>>(const std::string& function,
                                                                                    http::Request& req)>;
  AsyncQueue(boost::asio::io_context& ioc, async::JetStream& js, BlockingPool& pool, http::Client& client,
             metrics::Registry& registry, AsyncOptions opts, Invoke invoke);
  ~AsyncQueue();  // stops fetching; calls not acked yet are delivered again later
  AsyncQueue(const AsyncQueue&) = delete;
  AsyncQueue& operator=(const AsyncQueue&) = delete;

  const AsyncOptions& options() const { return opts_; }
  // Starts (or resizes) consuming `function`'s calls, at most `max_inflight` at once.
  void watch(const std::string& function, int max_inflight);
  // Stops consuming them (they stay queued for a function of that name deployed later).
  void unwatch(const std::string& function);
  // Stops every fetch thread (shutdown: no new calls start).
  void stop_intake();
  // Reads each function's queued count from the queue (off the I/O thread) into mlfaas_async_queued.
  void refresh_gauges();

  // Stores the call; returns its stream sequence. Throws std::runtime_error when it was not stored.
  boost::asio::awaitable<uint64_t> enqueue(async::AsyncCall call);
  // Per function: queued, in progress, redelivered, dead letters.
  boost::asio::awaitable<boost::json::object> stats();
  boost::asio::awaitable<boost::json::array> dead_letters(std::string function, size_t limit);
  // Re-queues dead letters of `function` (all functions when empty), or only `sequence`; returns how many.
  boost::asio::awaitable<size_t> replay(std::string function, std::optional<uint64_t> sequence);

 private:
  boost::asio::awaitable<void> process(std::string function, std::shared_ptr<async::Delivery> d);
  boost::asio::awaitable<bool> call_back(const async::AsyncCall& call, const http::Response& res, double seconds);
  boost::asio::awaitable<void> dead_letter(std::shared_ptr<async::Delivery> d, const std::string& function,
                                           const std::string& call_id, const char* reason, unsigned status,
                                           const std::string& error);
  boost::asio::io_context& ioc_;
  async::JetStream& js_;
  http::Client& client_;
  AsyncOptions opts_;
  Invoke invoke_;
  BlockingPool& pool_;
  std::map<std::string, std::unique_ptr<ConsumerLoop>> workers_;

  struct Metrics {
    metrics::CounterFamily &enqueued, &completed, &retries, &dead_lettered, &callbacks;
    metrics::HistogramFamily& latency;
    metrics::GaugeFamily& in_flight;
    metrics::GaugeFamily& queued;
  } m_;
  bool refreshing_ = false;
  boost::asio::awaitable<void> refresh();
};

}  // namespace mlfaas::platform
