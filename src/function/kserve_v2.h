#pragma once
// KServe Open Inference Protocol v2 (REST) for the classifier: server/model metadata, health, and
// infer with BYTES (encoded images) or FP32 [N,C,H,W] input, JSON or binary tensor data
// (Inference-Header-Content-Length), and the classification extension
// ("parameters": {"classification": k} -> BYTES "score:index:label").
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "function/inference_task.h"
#include "http/types.h"
#include "model/model.h"

namespace mlfaas::function {

class KServeV2 {
 public:
  using Infer = std::function<boost::asio::awaitable<std::vector<TaskResult>>(std::vector<InferenceTask>, RequestScope)>;
  KServeV2(const model::Model& m, Infer infer, std::function<bool()> ready, size_t max_images);

  static bool is_v2_path(std::string_view path) { return path == "/v2" || path.rfind("/v2/", 0) == 0; }
  boost::asio::awaitable<http::Response> handle(http::Request& req, std::string path, RequestScope scope);
  // The route label for metrics ("/v2/models/:model/infer", ...).
  static std::string route_label(std::string_view path);

 private:
  boost::asio::awaitable<http::Response> infer(http::Request& req, RequestScope scope);
  const model::Model& model_;
  Infer infer_;
  std::function<bool()> ready_;
  size_t max_images_;
};

}  // namespace mlfaas::function
