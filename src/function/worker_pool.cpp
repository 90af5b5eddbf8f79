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

WorkerPool::WorkerPool(model::Model& model, PoolOptions opts)
    : model_(model), opts_(opts), decode_{opts.max_pixels, opts.jpeg_dct_scaling}, sched_(opts.scheduler) {}

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
  for (int i = 0; i < opts_.workers; ++i) threads_.emplace_back([this, i] { worker_main(i); });
}

bool WorkerPool::submit(InferenceTask task, TaskCallback done) {
  {
    std::lock_guard lk(mu_);
    if (stopping_) return false;
    auto now = Clock::now();
    if (!sched_.enqueue(now)) return false;
    queue_.push_back(Pending{std::move(task), std::move(done), now});
  }
  cv_.notify_one();
  return true;
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

void WorkerPool::worker_main(int id) {
  WorkerState ws(model_.engine->dnnl_engine());
  std::vector<Pending> batch, expired;
  for (;;) {
    int threads = 1;
    {
      std::unique_lock lk(mu_);
      for (;;) {
        // Requests whose deadline passed while queued get 504 instead of running late.
        auto now = Clock::now();
        size_t n_expired = 0;
        while (n_expired < queue_.size() && queue_[n_expired].task.deadline <= now) ++n_expired;
        if (n_expired) {
          for (size_t k = 0; k < n_expired; ++k) expired.push_back(std::move(queue_[k]));
          queue_.erase(queue_.begin(), queue_.begin() + long(n_expired));
          sched_.drop_front(n_expired);
          break;
        }
        if (auto d = sched_.next(now)) {
          for (size_t k = 0; k < d->count; ++k) batch.push_back(std::move(queue_[k]));
          queue_.erase(queue_.begin(), queue_.begin() + long(d->count));
          threads = d->threads;
          break;
        }
        if (stopping_ && queue_.empty()) return;
        if (auto wake = sched_.wake_time()) cv_.wait_until(lk, *wake);
        else cv_.wait(lk);
      }
    }
    for (auto& p : expired) {
      TaskResult r;
      r.status = TaskStatus::timeout;
      r.queue_ms = ms_since(p.enqueued);
      r.error = fmt::format("request deadline exceeded after {:.0f} ms in the queue", r.queue_ms);
      p.done(std::move(r));
    }
    expired.clear();
    if (batch.empty()) continue;
    run_batch(batch, threads, ws);
    batch.clear();
    {
      std::lock_guard lk(mu_);
      sched_.finished(threads);
    }
    cv_.notify_all();  // freed cores may let another worker start
  }
  (void)id;
}

void WorkerPool::run_batch(std::vector<Pending>& batch, int threads, WorkerState& ws) {
  auto& e = *model_.engine;
  const size_t in_size = size_t(e.image_input_size()), out_size = size_t(e.output_size());
  ws.input.resize(in_size * batch.size());
  std::vector<TaskResult> results(batch.size());
  std::vector<size_t> rows;  // batch index of each tensor row that will run
  rows.reserve(batch.size());

  for (size_t k = 0; k < batch.size(); ++k) {
    auto& p = batch[k];
    auto& r = results[k];
    r.queue_ms = ms_since(p.enqueued);
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
    if (on_batch && !rows.empty()) on_batch(BatchStats{int(rows.size()), threads, inf_ms / 1000.0});
  }
  for (size_t k = 0; k < batch.size(); ++k) batch[k].done(std::move(results[k]));
}

}  // namespace mlfaas::function
