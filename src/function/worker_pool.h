#pragma once
// Inference workers: one thread per core, fed by a time-managed queue (overload/timed_queue.h:
// admission against the deadline, adaptive LIFO, shedding while overloaded, dropping tasks whose
// caller left) and the BatchScheduler (batch size, threads per batch). Each worker decodes and
// preprocesses the images of its batch straight into the batch's input tensor, runs the engine,
// and completes each task's callback (on the worker thread). A task that leaves the queue unrun
// is completed with its reason, outside the lock.
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "function/batch_scheduler.h"
#include "function/image_input.h"
#include "function/inference_task.h"
#include "model/model.h"
#include "overload/timed_queue.h"

namespace mlfaas::function {

struct PoolOptions {
  int workers = 2;
  SchedulerConfig scheduler;
  overload::QueueLimits queue;  // max_items is taken from scheduler.max_queue_size
  uint64_t max_pixels = 50'000'000;
  bool jpeg_dct_scaling = true;  // decode big JPEGs at a reduced DCT scale (see docs/benchmarks.md)
};

// Per-batch observations for metrics (called on the worker thread, outside locks).
struct BatchStats {
  int size = 0, threads = 0;
  double inference_seconds = 0;
  int wasted = 0;  // images inferred for callers that had already left
};

class WorkerPool {
 public:
  WorkerPool(model::Model& model, PoolOptions opts);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Builds the batch-1 plans for 1 thread and for all cores and runs each once, so the first
  // request doesn't pay for it. Call before start().
  void warm_up();
  void start();
  // Queues a task; when the queue refuses it, `done` is called at once (status overloaded, with
  // the reason) and false is returned.
  bool submit(InferenceTask task, TaskCallback done, uint64_t bytes);
  // Stops taking new batches once the queue is empty, and joins the workers.
  void stop();

  size_t queue_depth() const;
  int running_batches() const;
  bool overloaded() const;
  const PoolOptions& options() const { return opts_; }
  std::function<void(const BatchStats&)> on_batch;  // optional metrics hook

 private:
  struct Pending {
    InferenceTask task;
    TaskCallback done;
  };
  struct Taken {
    Pending p;
    Clock::time_point enqueued;
  };
  void worker_main(int id);
  void run_batch(std::vector<Taken>& batch, int threads, struct WorkerState& ws);

  model::Model& model_;
  PoolOptions opts_;
  DecodeSettings decode_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  BatchScheduler sched_;
  overload::TimedQueue<Pending> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace mlfaas::function
