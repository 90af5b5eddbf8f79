#pragma once
// The batching and threading decisions of the inference worker pool, as pure logic with the
// clock passed in (Knative-autoscaler style), so every rule is unit-tested without threads. Which
// requests wait and in what order is the queue's business (overload/timed_queue.h); this decides
// how many of them run now and on how many threads.
//
// Batching follows Triton's dynamic batcher: a batch is dispatched as soon as max_batch_size
// requests are queued, or when the oldest queued request has waited max_queue_delay (0 = never
// wait: take whatever is queued). Threading: a batch that runs alone (nothing else running and
// nothing left queued) uses every core for the lowest latency; under load each batch uses one core
// so batches run in parallel. A batch never starts while that would need more threads than cores,
// so OpenMP teams never oversubscribe the machine.
#include <chrono>
#include <cstddef>
#include <optional>

namespace mlfaas::function {

using Clock = std::chrono::steady_clock;

struct SchedulerConfig {
  // Batching bought neither throughput nor latency on the CPUs measured (docs/benchmarks.md):
  // one image per execution, one core per image under load.
  int max_batch_size = 1;
  std::chrono::microseconds max_queue_delay{0};
  size_t max_queue_size = 512;  // beyond this, requests are refused (503 + Retry-After)
  int cores = 2;
};

struct Dispatch {
  size_t count = 0;  // take this many requests from the queue
  int threads = 1;   // run the batch with this many OpenMP threads
};

class BatchScheduler {
 public:
  explicit BatchScheduler(SchedulerConfig c) : c_(c) {}

  const SchedulerConfig& config() const { return c_; }
  // Called by an idle worker with the queue's length and its oldest arrival: what to run now, or
  // nullopt (then wait until wake_time() or a change). On success the threads are reserved until
  // finished(threads).
  std::optional<Dispatch> next(Clock::time_point now, size_t queued, std::optional<Clock::time_point> oldest);
  // When a waiting worker should look again because the oldest request's delay runs out.
  std::optional<Clock::time_point> wake_time(std::optional<Clock::time_point> oldest) const;
  void finished(int threads);

  int busy_threads() const { return busy_threads_; }
  int running_batches() const { return running_; }

 private:
  SchedulerConfig c_;
  int busy_threads_ = 0;
  int running_ = 0;
};

}  // namespace mlfaas::function
