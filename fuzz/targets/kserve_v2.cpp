// KServe V2 infer requests (JSON, or JSON + binary data with Inference-Header-Content-Length):
// the first two bytes choose whether a header length is sent and its value; the rest is the body.
// Every outcome is a parsed request or a 4xx V2Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "function/kserve_v2_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mlfaas;
  if (size < 2) return 0;
  http::Request req{http::Verb::post, "/v2/models/m/infer", 11};
  std::string_view body(reinterpret_cast<const char*>(data + 2), size - 2);
  if (data[0] & 1) req.set("Inference-Header-Content-Length", std::to_string(data[1] * (data[0] >> 1)));
  req.body() = std::string(body);
  static const function::V2ModelInfo m{{3, 8, 8}, "output", 10};
  auto r = function::parse_v2_infer(req, m, 8);
  if (auto* p = std::get_if<function::ParsedInfer>(&r)) {
    if (p->batch < 1 || p->batch > 8) __builtin_trap();
    if (!p->images.empty() && int64_t(p->images.size()) != p->batch) __builtin_trap();
    if (!p->tensor.empty() && p->tensor.size() != size_t(p->batch) * 3 * 8 * 8) __builtin_trap();
  } else if (unsigned(std::get<function::V2Error>(r).status) / 100 != 4) {
    __builtin_trap();
  }
  return 0;
}
