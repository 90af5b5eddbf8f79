#pragma once
// An execution plan: the model lowered to a list of oneDNN primitives for one batch size and one
// thread count, with fused post-ops (conv + bias + ReLU/Clip + residual sum, 1x1 conv + depthwise
// conv), activations kept in oneDNN's preferred blocked layout end to end, weights reordered once,
// and every intermediate buffer at a fixed offset in one arena. Immutable once built, so several
// workers can execute it at the same time, each with its own ExecContext.
#include <oneapi/dnnl/dnnl.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "inference/graph.h"

namespace mlfaas::inference {

struct PlanOptions {
  bool fuse_depthwise = true;  // 1x1 conv + following depthwise 3x3 as one primitive
  std::string output;          // graph output to compute ("" = the first)
};

// Reordered weights shared by every plan of one model (a conv's weight layout does not depend on
// the batch size, so plans for batch 1..8 and 1..N threads reuse the same copies).
class WeightCache {
 public:
  explicit WeightCache(const dnnl::engine& e) : engine_(e) {}
  // `src_md` describes `data` in its ONNX layout; returns a memory in `want` (reordered once).
  dnnl::memory get(const std::string& key, const dnnl::memory::desc& src_md, const float* data,
                   const dnnl::memory::desc& want);
  size_t bytes() const;

 private:
  dnnl::engine engine_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<dnnl::memory>> cache_;
};

class Plan {
 public:
  // Builds primitives for `batch` images with `threads` OpenMP threads (oneDNN fixes the thread
  // count of a primitive when it is created). Throws ModelError naming the node on failure.
  static std::unique_ptr<Plan> build(const Graph& g, int64_t batch, int threads, WeightCache& weights,
                                     const dnnl::engine& engine, const PlanOptions& opts = {});

  int64_t batch() const { return batch_; }
  int threads() const { return threads_; }
  const Dims& input_dims() const { return input_dims_; }
  const Dims& output_dims() const { return output_dims_; }
  size_t arena_bytes() const { return arena_bytes_; }
  size_t scratch_bytes() const { return scratch_bytes_; }
  // One line per primitive: what it computes and which oneDNN implementation runs it.
  std::vector<std::string> describe() const;

  // --- used by ExecContext ---
  struct Ref {
    enum Kind : uint8_t { slot, weight, input, output, scratch } kind;
    int id = 0;
  };
  struct Step {
    dnnl::primitive prim;
    std::vector<std::pair<int, Ref>> args;  // DNNL_ARG_* -> where the memory lives
    dnnl::memory::desc scratch_md;
    std::string label;
    std::string impl;
  };
  struct Slot {
    dnnl::memory::desc md;
    size_t offset = 0;
  };
  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<Slot>& slots() const { return slots_; }
  const std::vector<dnnl::memory>& weights() const { return weights_; }
  const dnnl::memory::desc& input_md() const { return input_md_; }
  const dnnl::memory::desc& output_md() const { return output_md_; }

 private:
  friend class PlanBuilder;
  int64_t batch_ = 0;
  int threads_ = 1;
  Dims input_dims_, output_dims_;
  std::vector<Step> steps_;
  std::vector<Slot> slots_;
  std::vector<dnnl::memory> weights_;
  dnnl::memory::desc input_md_, output_md_;
  size_t arena_bytes_ = 0, scratch_bytes_ = 0;
};

// Per-worker execution state: the arena, the scratchpad, a stream, and the dnnl::memory objects
// bound to them for each plan it has run. Not thread-safe; one per worker thread.
class ExecContext {
 public:
  explicit ExecContext(const dnnl::engine& e);
  ~ExecContext();
  ExecContext(const ExecContext&) = delete;
  ExecContext& operator=(const ExecContext&) = delete;

  // input: plain NCHW float [batch, ...]; output: plain float, output_dims() elements.
  void run(const Plan& plan, const float* input, float* output);
  size_t arena_bytes() const { return arena_size_; }

 private:
  struct Bound;
  Bound& bind(const Plan& plan);
  void grow(size_t arena, size_t scratch);

  dnnl::engine engine_;
  dnnl::stream stream_;
  void* arena_ = nullptr;
  void* scratch_ = nullptr;
  size_t arena_size_ = 0, scratch_size_ = 0;
  std::map<const Plan*, std::unique_ptr<Bound>> bound_;
};

}  // namespace mlfaas::inference
