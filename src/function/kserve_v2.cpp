#include "function/kserve_v2.h"

#include "function/task_status.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cstring>
#include <memory>

#include "common/base64.h"
#include "common/strings.h"
#include "function/topk.h"
#include "http/responses.h"
#include "image/format.h"

namespace mlfaas::function {

namespace json = boost::json;
using http::Status;

namespace {

struct V2Error {
  Status status;
  std::string message;
};

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

// Flattens nested JSON arrays (row-major) into `out`.
void flatten(const json::value& v, std::vector<const json::value*>& out) {
  if (v.is_array())
    for (auto& e : v.as_array()) flatten(e, out);
  else
    out.push_back(&v);
}

// A BYTES element holds an image either base64-encoded (JSON has no binary strings) or raw.
std::string bytes_element(std::string_view s) {
  if (image::sniff_format({reinterpret_cast<const uint8_t*>(s.data()), s.size()}) != image::Format::unknown)
    return std::string(s);
  if (auto d = base64_decode(s)) return std::move(*d);
  return std::string(s);
}

struct ParsedInfer {
  std::string id;
  std::string input_name;
  int64_t batch = 0;
  std::vector<std::string> images;  // BYTES input
  std::vector<float> tensor;        // FP32 input
  struct Output {
    std::string name;
    int64_t classification = 0;
    bool binary = false;
  };
  std::vector<Output> outputs;
};

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
                   {"version", "0.1.0"},
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
  const std::string_view body = req.body();
  std::string_view header = body, binary;
  if (auto it = req.find("Inference-Header-Content-Length"); it != req.end()) {
    size_t n = 0;
    auto v = trim(std::string_view(it->value()));
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n > body.size())
      co_return http::error_response(Status::bad_request, "Inference-Header-Content-Length is not a valid length");
    header = body.substr(0, n);
    binary = body.substr(n);
  }

  ParsedInfer pi;
  try {
    boost::system::error_code ec;
    json::value root = json::parse(header, ec);
    if (ec) throw V2Error{Status::bad_request, "request is not valid JSON: " + ec.message()};
    if (!root.is_object()) throw V2Error{Status::bad_request, "request must be a JSON object"};
    const auto& o = root.as_object();
    if (auto* id = o.if_contains("id"); id && id->is_string()) pi.id = std::string(id->as_string());
    auto* inputs = o.if_contains("inputs");
    if (!inputs || !inputs->is_array() || inputs->as_array().size() != 1)
      throw V2Error{Status::bad_request, "\"inputs\" must be an array with exactly one input"};
    const auto& in = inputs->as_array()[0].as_object();
    auto str = [&](const char* k) -> std::string {
      auto* v = in.if_contains(k);
      if (!v || !v->is_string()) throw V2Error{Status::bad_request, fmt::format("input \"{}\" is missing or not a string", k)};
      return std::string(v->as_string());
    };
    pi.input_name = str("name");
    std::string dtype = str("datatype");
    auto* shape_v = in.if_contains("shape");
    if (!shape_v || !shape_v->is_array() || shape_v->as_array().empty())
      throw V2Error{Status::bad_request, "input \"shape\" must be a non-empty array"};
    std::vector<int64_t> shape;
    for (auto& d : shape_v->as_array()) {
      if (!d.is_int64() || d.as_int64() < 0) throw V2Error{Status::bad_request, "input \"shape\" must hold non-negative integers"};
      shape.push_back(d.as_int64());
    }
    pi.batch = shape[0];
    if (pi.batch < 1 || size_t(pi.batch) > max_images_)
      throw V2Error{Status::bad_request, fmt::format("batch size {} is outside 1..{}", pi.batch, max_images_)};
    int64_t binary_size = -1;
    if (auto* params = in.if_contains("parameters"); params && params->is_object())
      if (auto* b = params->as_object().if_contains("binary_data_size"); b && b->is_int64()) binary_size = b->as_int64();
    auto* data = in.if_contains("data");
    if (binary_size >= 0 && size_t(binary_size) != binary.size())
      throw V2Error{Status::bad_request, fmt::format("binary_data_size is {} but {} bytes follow the JSON header",
                                                     binary_size, binary.size())};
    if (binary_size < 0 && !data) throw V2Error{Status::bad_request, "input has neither \"data\" nor binary data"};

    if (dtype == "BYTES") {
      if (!(shape.size() == 1 || (shape.size() == 2 && shape[1] == 1)))
        throw V2Error{Status::bad_request, "BYTES input must have shape [N] or [N,1] (one encoded image each)"};
      if (binary_size >= 0) {
        size_t pos = 0;
        while (pos < binary.size()) {
          if (binary.size() - pos < 4) throw V2Error{Status::bad_request, "binary BYTES data is truncated"};
          uint32_t len;
          std::memcpy(&len, binary.data() + pos, 4);
          pos += 4;
          if (binary.size() - pos < len) throw V2Error{Status::bad_request, "binary BYTES data is truncated"};
          pi.images.emplace_back(binary.substr(pos, len));
          pos += len;
        }
      } else {
        std::vector<const json::value*> flat;
        flatten(*data, flat);
        for (auto* v : flat) {
          if (!v->is_string()) throw V2Error{Status::bad_request, "BYTES data elements must be strings (base64 images)"};
          pi.images.push_back(bytes_element(v->as_string()));
        }
      }
      if (int64_t(pi.images.size()) != pi.batch)
        throw V2Error{Status::bad_request, fmt::format("shape says {} elements but {} were sent", pi.batch, pi.images.size())};
    } else if (dtype == "FP32") {
      std::vector<int64_t> want = {pi.batch};
      want.insert(want.end(), e.image_dims().begin(), e.image_dims().end());
      if (shape != want)
        throw V2Error{Status::bad_request, fmt::format("FP32 input must have shape {}, got {}", inference::dims_str(want),
                                                       inference::dims_str(shape))};
      const size_t n = size_t(inference::element_count(shape));
      if (binary_size >= 0) {
        if (binary.size() != n * 4) throw V2Error{Status::bad_request, fmt::format("expected {} bytes of FP32 data", n * 4)};
        pi.tensor.resize(n);
        std::memcpy(pi.tensor.data(), binary.data(), n * 4);
      } else {
        std::vector<const json::value*> flat;
        flat.reserve(n);
        flatten(*data, flat);
        if (flat.size() != n)
          throw V2Error{Status::bad_request, fmt::format("shape needs {} values but data has {}", n, flat.size())};
        pi.tensor.reserve(n);
        for (auto* v : flat) {
          if (v->is_double()) pi.tensor.push_back(float(v->as_double()));
          else if (v->is_int64()) pi.tensor.push_back(float(v->as_int64()));
          else throw V2Error{Status::bad_request, "FP32 data must be numbers"};
        }
      }
    } else {
      throw V2Error{Status::bad_request, "input datatype must be BYTES (encoded images) or FP32, got " + dtype};
    }

    bool binary_out = false;
    if (auto* params = o.if_contains("parameters"); params && params->is_object())
      if (auto* b = params->as_object().if_contains("binary_data_output"); b && b->is_bool()) binary_out = b->as_bool();
    if (auto* outs = o.if_contains("outputs"); outs && outs->is_array()) {
      for (auto& ov : outs->as_array()) {
        if (!ov.is_object()) throw V2Error{Status::bad_request, "each output must be an object"};
        ParsedInfer::Output out;
        auto* nm = ov.as_object().if_contains("name");
        if (!nm || !nm->is_string()) throw V2Error{Status::bad_request, "output \"name\" is missing"};
        out.name = std::string(nm->as_string());
        if (out.name != e.output_name())
          throw V2Error{Status::bad_request, fmt::format("unknown output '{}'; the model's output is '{}'", out.name, e.output_name())};
        out.binary = binary_out;
        if (auto* params = ov.as_object().if_contains("parameters"); params && params->is_object()) {
          const auto& p = params->as_object();
          if (auto* c = p.if_contains("classification")) {
            if (!c->is_int64() || c->as_int64() < 1)
              throw V2Error{Status::bad_request, "\"classification\" must be a positive integer"};
            out.classification = std::min<int64_t>(c->as_int64(), model_.classes);
          }
          if (auto* b = p.if_contains("binary_data"); b && b->is_bool()) out.binary = b->as_bool();
        }
        pi.outputs.push_back(out);
      }
    }
    if (pi.outputs.empty()) pi.outputs.push_back({e.output_name(), 0, binary_out});
  } catch (const V2Error& err) {
    co_return http::error_response(err.status, err.message);
  } catch (const std::exception& err) {
    co_return http::error_response(Status::bad_request, std::string("malformed request: ") + err.what());
  }

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
