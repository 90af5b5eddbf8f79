#include "function/kserve_v2.h"

#include "function/kserve_v2_request.h"
#include "function/task_status.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <memory>

#include "common/base64.h"
#include "common/version.h"
#include "common/strings.h"
#include "function/topk.h"
#include "http/responses.h"
#include "image/format.h"

namespace mlfaas::function {

namespace json = boost::json;
using http::Status;

namespace {

http::Response empty(Status s) {
  http::Response r{s, 11};
  r.prepare_payload();
  return r;
}

json::array dims_json(const std::vector<int64_t>& d) {
  json::array a;
  for (auto v : d) a.push_back(v);
  return a;
}

}  // namespace

KServeV2::KServeV2(const model::Model& m, Infer infer, std::function<bool()> ready, size_t max_images)
    : model_(m), infer_(std::move(infer)), ready_(std::move(ready)), max_images_(max_images) {}

std::string KServeV2::route_label(std::string_view path) {
  if (path == "/v2") return "/v2";
  if (path.rfind("/v2/health/", 0) == 0) return std::string(path);
  if (path.size() > 6 && path.substr(path.size() - 6) == "/infer") return "/v2/models/:model/infer";
  if (path.size() > 6 && path.substr(path.size() - 6) == "/ready") return "/v2/models/:model/ready";
  return "/v2/models/:model";
}

boost::asio::awaitable<http::Response> KServeV2::handle(http::Request& req, std::string path, RequestScope scope) {
  const bool get = req.method() == http::Verb::get || req.method() == http::Verb::head;
  auto need_get = [&]() -> std::optional<http::Response> {
    if (!get) return http::method_not_allowed("GET, HEAD");
    return std::nullopt;
  };
  if (path == "/v2") {
    if (auto r = need_get()) co_return *r;
    json::object o{{"name", "mlfaas"},
                   {"version", mlfaas::version()},
                   {"extensions", json::array{"classification", "binary_tensor_data", "model_repository"}}};
    co_return http::json_response(Status::ok, json::serialize(o));
  }
  if (path == "/v2/health/live") {
    if (auto r = need_get()) co_return *r;
    co_return empty(Status::ok);
  }
  if (path == "/v2/health/ready") {
    if (auto r = need_get()) co_return *r;
    co_return empty(ready_() ? Status::ok : Status::bad_request);
  }
  // /v2/models/{m}[/versions/{v}][/ready|/infer]
  auto parts = split(std::string_view(path).substr(1), '/');
  if (parts.size() < 3 || parts[1] != "models") co_return http::error_response(Status::not_found, "no route for " + path);
  std::string_view name = parts[2];
  size_t next = 3;
  std::string_view version;
  if (parts.size() >= 5 && parts[3] == "versions") {
    version = parts[4];
    next = 5;
  }
  std::string_view action = parts.size() > next ? parts[next] : "";
  if (parts.size() > next + 1 || (action != "" && action != "ready" && action != "infer"))
    co_return http::error_response(Status::not_found, "no route for " + path);
  if (name != model_.manifest.name || (!version.empty() && version != model_.manifest.version))
    co_return http::error_response(
        Status::not_found, fmt::format("model '{}'{} not found; this server serves '{}' version '{}'", name,
                                       version.empty() ? "" : " version '" + std::string(version) + "'",
                                       model_.manifest.name, model_.manifest.version));
  if (action == "ready") {
    if (auto r = need_get()) co_return *r;
    co_return empty(ready_() ? Status::ok : Status::bad_request);
  }
  if (action == "infer") {
    if (req.method() != http::Verb::post) co_return http::method_not_allowed("POST");
    co_return co_await infer(req, std::move(scope));
  }
  if (auto r = need_get()) co_return *r;
  const auto& e = *model_.engine;
  std::vector<int64_t> in_shape = {-1};
  in_shape.insert(in_shape.end(), e.image_dims().begin(), e.image_dims().end());
  json::object meta{
      {"name", model_.manifest.name},
      {"versions", json::array{json::value(model_.manifest.version)}},
      {"platform", "onnx_onnxv1"},
      {"inputs", json::array{json::object{{"name", e.graph().inputs[0].name}, {"datatype", "FP32"}, {"shape", dims_json(in_shape)}},
                             json::object{{"name", e.graph().inputs[0].name}, {"datatype", "BYTES"}, {"shape", json::array{-1}}}}},
      {"outputs", json::array{json::object{{"name", e.output_name()}, {"datatype", "FP32"}, {"shape", json::array{-1, e.output_size()}}}}}};
  co_return http::json_response(Status::ok, json::serialize(meta));
}

boost::asio::awaitable<http::Response> KServeV2::infer(http::Request& req, RequestScope scope) {
  const auto& e = *model_.engine;
  auto parsed = parse_v2_infer(req, V2ModelInfo{e.image_dims(), e.output_name(), model_.classes}, max_images_);
  if (auto* err = std::get_if<V2Error>(&parsed)) co_return http::error_response(err->status, err->message);
  ParsedInfer pi = std::move(std::get<ParsedInfer>(parsed));

  // Run: one task per image (the pool batches them).
  auto owned = std::make_shared<ParsedInfer>(std::move(pi));
  std::vector<InferenceTask> tasks(size_t(owned->batch));
  for (int64_t n = 0; n < owned->batch; ++n) {
    auto& t = tasks[size_t(n)];
    t.keepalive = owned;
    if (!owned->images.empty()) t.encoded = owned->images[size_t(n)];
    else t.tensor = owned->tensor.data() + n * e.image_input_size();
  }
  std::vector<TaskResult> results = co_await infer_(std::move(tasks), std::move(scope));
  for (size_t n = 0; n < results.size(); ++n) {
    auto& r = results[n];
    if (r.status == TaskStatus::ok) continue;
    co_return failure_response(r, fmt::format("input '{}' element {}: ", owned->input_name, n), 1);
  }

  json::array outputs;
  std::string tail;
  for (auto& out : owned->outputs) {
    json::object o{{"name", out.name}};
    if (out.classification > 0) {
      std::vector<std::string> cells;
      for (auto& r : results)
        for (auto& s : top_k(r.scores, out.classification))
          cells.push_back(fmt::format("{:.6g}:{}:{}", s.score, s.index, model_.label(s.index)));
      o["datatype"] = "BYTES";
      o["shape"] = json::array{owned->batch, out.classification};
      if (out.binary) {
        size_t start = tail.size();
        for (auto& c : cells) {
          uint32_t len = uint32_t(c.size());
          tail.append(reinterpret_cast<const char*>(&len), 4);
          tail += c;
        }
        o["parameters"] = json::object{{"binary_data_size", tail.size() - start}};
      } else {
        json::array d;
        for (auto& c : cells) d.push_back(json::string(c));
        o["data"] = std::move(d);
      }
    } else {
      o["datatype"] = "FP32";
      o["shape"] = json::array{owned->batch, model_.classes};
      if (out.binary) {
        size_t start = tail.size();
        for (auto& r : results) tail.append(reinterpret_cast<const char*>(r.scores.data()), r.scores.size() * 4);
        o["parameters"] = json::object{{"binary_data_size", tail.size() - start}};
      } else {
        json::array d;
        d.reserve(size_t(owned->batch * model_.classes));
        for (auto& r : results)
          for (float v : r.scores) d.push_back(double(v));
        o["data"] = std::move(d);
      }
    }
    outputs.push_back(std::move(o));
  }
  json::object resp{{"model_name", model_.manifest.name}, {"model_version", model_.manifest.version}, {"outputs", std::move(outputs)}};
  if (!owned->id.empty()) resp["id"] = owned->id;
  std::string head = json::serialize(resp);
  if (tail.empty()) co_return http::json_response(Status::ok, std::move(head));
  http::Response r{Status::ok, 11};
  r.set(http::Field::content_type, "application/octet-stream");
  r.set("Inference-Header-Content-Length", std::to_string(head.size()));
  r.body() = head + tail;
  r.prepare_payload();
  co_return r;
}

}  // namespace mlfaas::function
