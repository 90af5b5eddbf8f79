#include "function/classify_response.h"

#include <fmt/format.h>

#include "common/strings.h"
#include "function/topk.h"

namespace mlfaas::function {

namespace {
void append_str(std::string& out, std::string_view s) {
  out += '"';
  append_json_escaped(out, s);
  out += '"';
}
}  // namespace

void append_classification_json(std::string& out, const model::Model& m, const TaskResult& r, int k,
                                 double total_ms) {
  auto best = top_k(r.scores, k);
  out += "{\"predictions\":[";
  for (size_t i = 0; i < best.size(); ++i) {
    if (i) out += ',';
    out += fmt::format("{{\"index\":{},\"label\":", best[i].index);
    append_str(out, m.label(best[i].index));
    out += ",\"wnid\":";
    append_str(out, m.synset(best[i].index));
    out += fmt::format(",\"confidence\":{:.6g}}}", best[i].score);
  }
  out += "],\"predicted_class\":";
  append_str(out, best.empty() ? std::string() : m.label(best[0].index));
  out += fmt::format(",\"confidence\":{:.6g},\"model\":{{\"name\":", best.empty() ? 0.f : best[0].score);
  append_str(out, m.manifest.name);
  out += ",\"version\":";
  append_str(out, m.manifest.version);
  out += fmt::format(
      "}},\"timings_ms\":{{\"decode\":{:.3f},\"preprocess\":{:.3f},\"queue\":{:.3f},\"inference\":{:.3f},"
      "\"total\":{:.3f}}},\"batch_size\":{}}}",
      r.decode_ms, r.preprocess_ms, r.queue_ms, r.inference_ms, total_ms, r.batch_size);
}

}  // namespace mlfaas::function
