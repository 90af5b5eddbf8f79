#pragma once
// One load-generating thread: an io_context run by that thread alone, a single-threaded
// http::Client, and one coroutine per connection.
//
// Closed loop (rate == 0): each connection sends its next request as soon as the previous one
// completed, until the duration passes, `max_requests` have been sent, or stop().
//
// Open loop (rate > 0, wrk2's model): the thread follows its own SendSchedule (its share of the
// rate). A request that is due goes to a free connection; if all of the thread's connections are
// busy it waits in a queue for one, and that wait is part of its latency, which always counts from
// the intended send time: `connections` caps the requests in flight, it does not throttle the
// schedule. The request timeout counts from the intended time too, so a request that waited
// longer than the timeout fails as a timeout without being sent. Every scheduled request ends as
// a response or a failure; none is dropped.
//
// At the end, requests in flight are awaited (at most their timeout) and counted.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <deque>
#include <optional>
#include <vector>

#include "bench/recorder.h"
#include "bench/schedule.h"
#include "http/client.h"

namespace mlfaas::bench {

struct LoadSpec {
  http::Endpoint endpoint;
  std::vector<http::Request> requests;  // prototypes, rotated
  int connections = 1;
  int threads = 1;
  std::optional<Clock::duration> duration;  // from `origin`; nullopt: until max_requests or stop()
  uint64_t max_requests = 0;                // 0: no limit
  std::chrono::milliseconds timeout{2000};
  double rate = 0;  // requests/s over all threads; > 0: open loop
  Arrival arrival = Arrival::constant;
  uint64_t seed = 1;
  Clock::time_point origin;  // t = 0 of the per-second timeline
  Clock::time_point start;   // when this load starts: t = 0 of the schedule, duration and windows
  Clock::duration window{};  // measurement windows from `start` (sweeps); 0: none
};

// Shared by the threads of one run.
struct LoadShared {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> issued{0};  // closed loop with max_requests
};

class LoadThread {
 public:
  // Thread `index` of spec.threads, with its share of connections, rate and requests.
  LoadThread(const LoadSpec& spec, int index, LoadShared& shared);
  ~LoadThread();

  // Runs the load on the calling thread; returns when every connection is done.
  void run();

  Recorder& recorder() { return recorder_; }
  const Recorder& recorder() const { return recorder_; }
  uint64_t connections_opened() const;
  Clock::time_point finished_at() const { return finished_at_; }

 private:
  boost::asio::awaitable<void> closed_connection();
  boost::asio::awaitable<void> open_dispatcher();
  boost::asio::awaitable<void> open_connection();
  boost::asio::awaitable<void> sleep_until(Clock::time_point t);
  bool time_is_up(Clock::time_point t) const;
  http::Request& next_request();
  void record(Clock::time_point start, const http::ClientResult& r);
  void connection_done();

  const LoadSpec& spec_;
  LoadShared& shared_;
  const int index_;
  int connections_;
  uint64_t open_loop_quota_;  // open loop with max_requests: this thread's share; 0 = no limit
  size_t next_ = 0;
  int active_ = 0;
  Clock::time_point finished_at_{};

  boost::asio::io_context ioc_{1};
  std::optional<http::Client> client_;
  Recorder recorder_;
  // This thread's own copies of the request prototypes. Client::send() sends them without copying
  // the body but re-sets Content-Length (the same value) on them: fine between this thread's
  // connections, which never run at the same time, not across threads.
  std::vector<http::Request> requests_;
  // Open loop: intended send times waiting for a free connection, and the idle connections' wake-up.
  std::deque<Clock::time_point> due_;
  std::optional<boost::asio::steady_timer> wake_;
  bool dispatching_ = false;
};

}  // namespace mlfaas::bench
