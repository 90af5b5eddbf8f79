#pragma once
// One image's trip through the worker pool: what goes in, what comes out.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mlfaas::function {

// Why a task failed, mapped to HTTP by the service.
// `abandoned`: the caller left before the task ran; it was dropped unrun.
enum class TaskStatus { ok, bad_image, unsupported_format, too_many_pixels, timeout, overloaded, abandoned, internal };

struct InferenceTask {
  std::shared_ptr<const void> keepalive;  // owns `encoded` / `tensor` until the task completes
  std::string_view encoded;               // an encoded image, decoded on the worker...
  const float* tensor = nullptr;          // ...or a ready input tensor (KServe V2 FP32 input)
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::shared_ptr<const std::atomic<bool>> cancelled;  // set when the caller has gone (may be null)
  bool sheddable = true;  // false for the images of a batch request: admitted as a whole
};

struct TaskResult {
  TaskStatus status = TaskStatus::ok;
  std::string error;
  const char* reason = nullptr;  // why the queue turned it away (overload::rejection_name / drop_name)
  std::vector<float> scores;  // one output row (probabilities; softmax applied for logits models)
  double decode_ms = 0, preprocess_ms = 0, queue_ms = 0, inference_ms = 0;
  int batch_size = 0;  // how many images ran in the same execution
  int threads = 0;
};

using TaskCallback = std::function<void(TaskResult&&)>;

// What every task of one HTTP request shares: its deadline and its caller's "gone" flag.
struct RequestScope {
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::shared_ptr<const std::atomic<bool>> cancelled;
};

}  // namespace mlfaas::function
