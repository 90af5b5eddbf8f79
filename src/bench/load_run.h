#pragma once
// Generates the load: `threads` OS threads, each with its own io_context and a single-threaded
// http::Client (wrk's model), the connections spread over them. See load_thread.h for what each
// thread does in closed and open loop.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "bench/load_thread.h"

namespace mlfaas::bench {

class LoadRun {
 public:
  explicit LoadRun(LoadSpec spec);
  ~LoadRun();  // stops and joins
  LoadRun(const LoadRun&) = delete;
  LoadRun& operator=(const LoadRun&) = delete;

  void start();
  // Send nothing more; requests in flight still complete (within their timeout).
  void stop() { shared_.stop.store(true); }
  bool finished() const { return running_.load() == 0; }
  void wait();

  // Merged snapshot of every thread's results; safe while running.
  RecordedData collect() const;
  // Calls f(const RecordedData&) for each thread's data, under that thread's lock.
  template <class F>
  void each_recorder(F&& f) const {
    for (auto& t : loads_) t->recorder().read(f);
  }

  uint64_t connections_opened() const;
  // When the last thread finished (valid once finished()).
  Clock::time_point finished_at() const;

 private:
  LoadSpec spec_;
  LoadShared shared_;
  std::atomic<int> running_{0};
  std::vector<std::unique_ptr<LoadThread>> loads_;
  std::vector<std::thread> threads_;
};

}  // namespace mlfaas::bench
