#include "function/worker_pool.h"

#include <fmt/format.h>

#include "common/log.h"
#include "function/topk.h"
#include "function/image_input.h"

namespace mlfaas::function {

namespace {
double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }
}  // namespace

struct WorkerState {
  explicit WorkerState(const dnnl::engine& e) : ctx(e) {}
  inference::ExecContext ctx;
  std::vector<float> input, output;
};

namespace {
overload::QueueLimits queue_limits(const PoolOptions& o) {
  auto l = o.queue;
  l.max_items = o.scheduler.max_queue_size;
  return l;
}

TaskResult dropped_result(overload::DropReason why, double queue_ms) {
  TaskResult r;
  r.reason = overload::drop_name(why);
  r.queue_ms = queue_ms;
  switch (why) {
    case overload::DropReason::abandoned:
      r.status = TaskStatus::abandoned;
      r.error = "the client went away";
      break;
    case overload::DropReason::expired:
      r.status = TaskStatus::timeout;
      r.error = fmt::format("request deadline exceeded after {:.0f} ms in the queue", queue_ms);
      break;
    case overload::DropReason::shed:
      r.status = TaskStatus::overloaded;
      r.error = fmt::format("overloaded: shed after {:.0f} ms in the queue; retry later", queue_ms);
      break;
  }
  return r;
}
}  // namespace

WorkerPool::WorkerPool(model::Model& model, PoolOptions opts)
    : model_(model),
      opts_(opts),
      decode_{opts.max_pixels, opts.jpeg_dct_scaling},
      sched_(opts.scheduler),
      queue_(queue_limits(opts), Clock::now()) {
  queue_.set_can_serve(Clock::now(), false);  // requests that arrive while warming up wait; no overload
}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::warm_up() {
  auto& e = *model_.engine;
  const int cores = opts_.scheduler.cores;
  // Both plans a lone or a loaded request may use, built and run once in parallel (plan building
  // is single-threaded JIT work), so the first requests don't pay for them.
  auto warm = [&e](int threads) {
    std::vector<float> in(size_t(e.image_input_size()), 0.f), out(size_t(e.output_size()));
    inference::ExecContext ctx(e.dnnl_engine());
    e.run(ctx, in.data(), 1, out.data(), threads);
  };
  std::thread other;
  if (cores > 1) other = std::thread(warm, cores);
  warm(1);
  if (other.joinable()) other.join();
}

void WorkerPool::start() {
  {
    std::lock_guard lk(mu_);
    queue_.set_can_serve(Clock::now(), true);
  }
  for (int i = 0; i < opts_.workers; ++i) threads_.emplace_back([this, i] { worker_main(i); });
}

bool WorkerPool::submit(InferenceTask task, TaskCallback done, uint64_t bytes) {
  overload::Admission a{task.deadline, bytes, task.cancelled, task.sheddable};
  const auto deadline = task.deadline;
  Pending p{std::move(task), std::move(done)};
  overload::Rejection r = overload::Rejection::queue_full;
  size_t queued = 0;
  double queued_ms = 0;
  {
    std::lock_guard lk(mu_);
    if (!stopping_) {
      const auto now = Clock::now();
      r = queue_.push(now, p, a);
      queued = queue_.size();
      queued_ms = std::chrono::duration<double, std::milli>(queue_.policy().estimated_wait(queued)).count();
      if (r == overload::Rejection::deadline)
        queued_ms = std::chrono::duration<double, std::milli>(deadline - now).count();
    }
  }
  if (r == overload::Rejection::none) {
    cv_.notify_one();
    return true;
  }
  TaskResult res;
  res.status = TaskStatus::overloaded;
  res.reason = overload::rejection_name(r);
  switch (r) {
    case overload::Rejection::expired:
      res.status = TaskStatus::timeout;
      res.error = "request deadline exceeded before it could run";
      break;
    case overload::Rejection::deadline:
      res.error = fmt::format("cannot finish within the request's deadline ({:.0f} ms left); retry later", queued_ms);
      break;
    case overload::Rejection::too_many_bytes:
      res.error = "the inference queue holds too many bytes; retry later";
      break;
    case overload::Rejection::shed:
      res.error = fmt::format("overloaded: {} requests ahead (~{:.0f} ms); retry later", queued, queued_ms);
      break;
    default:
      res.error = stopping_ ? "shutting down" : fmt::format("the inference queue is full ({} waiting); retry later", queued);
  }
  p.done(std::move(res));
  return false;
}

void WorkerPool::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

size_t WorkerPool::queue_depth() const {
  std::lock_guard lk(mu_);
  return queue_.size();
}

int WorkerPool::running_batches() const {
  std::lock_guard lk(mu_);
  return sched_.running_batches();
}

bool WorkerPool::overloaded() const {
  std::lock_guard lk(mu_);
  return queue_.policy().overloaded(Clock::now());
}

void WorkerPool::worker_main(int id) {
  WorkerState ws(model_.engine->dnnl_engine());
  std::vector<Taken> batch;
  struct Dropped {
    Pending p;
    overload::DropReason why;
    Clock::time_point arrival;
  };
  std::vector<Dropped> dropped;
  const int cores = opts_.scheduler.cores;
  for (;;) {
    int threads = 1;
    {
      std::unique_lock lk(mu_);
      for (;;) {
        const auto now = Clock::now();
        // Callers that left, deadlines that passed, and (while overloaded) requests that waited
        // too long leave unrun; they are answered outside the lock.
        queue_.sweep(now, [&](Pending&& p, overload::DropReason why, Clock::time_point arrival) {
          dropped.push_back(Dropped{std::move(p), why, arrival});
        });
        if (!dropped.empty()) break;
        if (auto d = sched_.next(now, queue_.size(), queue_.oldest_arrival())) {
          for (size_t k = 0; k < d->count; ++k) {
            auto t = queue_.pop(now);
            batch.push_back(Taken{std::move(t->first), t->second});
          }
          threads = d->threads;
          break;
        }
        if (stopping_ && queue_.empty()) return;
        if (auto wake = sched_.wake_time(queue_.oldest_arrival())) cv_.wait_until(lk, *wake);
        else cv_.wait(lk);
      }
    }
    const auto now = Clock::now();
    for (auto& d : dropped)
      d.p.done(dropped_result(d.why, std::chrono::duration<double, std::milli>(now - d.arrival).count()));
    dropped.clear();
    if (batch.empty()) continue;
    const auto t0 = Clock::now();
    run_batch(batch, threads, ws);
    const auto took = Clock::now() - t0;
    const size_t n = batch.size();
    batch.clear();
    {
      std::lock_guard lk(mu_);
      sched_.finished(threads);
      // What one image costs one core: the estimate behind admission and shedding.
      queue_.policy().record_service(took * threads / long(n), cores);
    }
    cv_.notify_all();  // freed cores may let another worker start
  }
  (void)id;
}

void WorkerPool::run_batch(std::vector<Taken>& batch, int threads, WorkerState& ws) {
  auto& e = *model_.engine;
  const size_t in_size = size_t(e.image_input_size()), out_size = size_t(e.output_size());
  ws.input.resize(in_size * batch.size());
  std::vector<TaskResult> results(batch.size());
  std::vector<size_t> rows;  // batch index of each tensor row that will run
  rows.reserve(batch.size());

  auto gone = [](const InferenceTask& t) { return t.cancelled && t.cancelled->load(std::memory_order_acquire); };
  auto abandon = [](TaskResult& r) {
    r.status = TaskStatus::abandoned;
    r.reason = overload::drop_name(overload::DropReason::abandoned);
    r.error = "the client went away";
  };
  for (size_t k = 0; k < batch.size(); ++k) {
    auto& p = batch[k].p;
    auto& r = results[k];
    r.queue_ms = ms_since(batch[k].enqueued);
    if (gone(p.task)) {
      abandon(r);
      continue;
    }
    float* dst = ws.input.data() + rows.size() * in_size;
    if (p.task.tensor) {
      std::copy(p.task.tensor, p.task.tensor + in_size, dst);
      rows.push_back(k);
      continue;
    }
    try {
      image_to_tensor(p.task.encoded, model_, decode_, dst, r);
      rows.push_back(k);
    } catch (const std::exception& err) {
      set_decode_failure(err, r);
    }
  }

  // A caller may have left while its image was decoded: don't run inference for it.
  size_t kept = 0;
  for (size_t row = 0; row < rows.size(); ++row) {
    if (gone(batch[rows[row]].p.task)) {
      abandon(results[rows[row]]);
      continue;
    }
    if (kept != row)
      std::copy_n(ws.input.data() + row * in_size, in_size, ws.input.data() + kept * in_size);
    rows[kept++] = rows[row];
  }
  rows.resize(kept);

  if (!rows.empty()) {
    ws.output.resize(out_size * rows.size());
    auto t0 = Clock::now();
    try {
      e.run(ws.ctx, ws.input.data(), int64_t(rows.size()), ws.output.data(), threads);
    } catch (const std::exception& err) {
      log::error("inference failed for a batch of {}: {}", rows.size(), err.what());
      for (size_t k : rows) {
        results[k].status = TaskStatus::internal;
        results[k].error = "inference failed";
      }
      rows.clear();
    }
    const double inf_ms = ms_since(t0);
    const bool logits = model_.manifest.output_kind == model::Manifest::OutputKind::logits;
    for (size_t row = 0; row < rows.size(); ++row) {
      auto& r = results[rows[row]];
      r.scores.assign(ws.output.begin() + long(row * out_size), ws.output.begin() + long((row + 1) * out_size));
      if (logits) softmax_inplace(r.scores);
      r.inference_ms = inf_ms;
      r.batch_size = int(rows.size());
      r.threads = threads;
    }
    int wasted = 0;
    for (size_t k : rows) wasted += gone(batch[k].p.task);
    if (on_batch && !rows.empty()) on_batch(BatchStats{int(rows.size()), threads, inf_ms / 1000.0, wasted});
  }
  for (size_t k = 0; k < batch.size(); ++k) batch[k].p.done(std::move(results[k]));
}

}  // namespace mlfaas::function
