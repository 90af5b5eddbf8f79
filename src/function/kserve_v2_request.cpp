#include "function/kserve_v2_request.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>
#include <cstring>

#include "common/base64.h"
#include "common/strings.h"
#include "image/format.h"
#include "inference/graph.h"

namespace mlfaas::function {

namespace json = boost::json;
using http::Status;

namespace {

// Flattens nested JSON arrays (row-major) into `out` (JSON nesting is bounded by the parser's depth).
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

}  // namespace

std::variant<ParsedInfer, V2Error> parse_v2_infer(const http::Request& req, const V2ModelInfo& m, size_t max_images) {
  const std::string_view body = req.body();
  std::string_view header = body, binary;
  if (auto it = req.find("Inference-Header-Content-Length"); it != req.end()) {
    size_t n = 0;
    auto v = trim(std::string_view(it->value()));
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size() || n > body.size())
      return V2Error{Status::bad_request, "Inference-Header-Content-Length is not a valid length"};
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
    if (!inputs->as_array()[0].is_object()) throw V2Error{Status::bad_request, "each input must be an object"};
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
    if (pi.batch < 1 || size_t(pi.batch) > max_images)
      throw V2Error{Status::bad_request, fmt::format("batch size {} is outside 1..{}", pi.batch, max_images)};
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
      want.insert(want.end(), m.image_dims.begin(), m.image_dims.end());
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
        if (out.name != m.output_name)
          throw V2Error{Status::bad_request, fmt::format("unknown output '{}'; the model's output is '{}'", out.name, m.output_name)};
        out.binary = binary_out;
        if (auto* params = ov.as_object().if_contains("parameters"); params && params->is_object()) {
          const auto& p = params->as_object();
          if (auto* c = p.if_contains("classification")) {
            if (!c->is_int64() || c->as_int64() < 1)
              throw V2Error{Status::bad_request, "\"classification\" must be a positive integer"};
            out.classification = std::min<int64_t>(c->as_int64(), m.classes);
          }
          if (auto* b = p.if_contains("binary_data"); b && b->is_bool()) out.binary = b->as_bool();
        }
        pi.outputs.push_back(out);
      }
    }
    if (pi.outputs.empty()) pi.outputs.push_back({m.output_name, 0, binary_out});
  } catch (const V2Error& err) {
    return err;
  } catch (const std::exception& err) {
    return V2Error{Status::bad_request, std::string("malformed request: ") + err.what()};
  }
  return pi;
}

}  // namespace mlfaas::function
