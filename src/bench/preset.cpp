#include "bench/preset.h"

namespace mlfaas::bench {

const std::vector<Preset>& presets() {
  static const std::vector<Preset> all = {
      // knative/upload.lua: multipart part name="file"; filename="image.png", Content-Type image/png, POST /predict.
      {"seed-knative", "the study's Knative client: multipart field `file` (image.png, image/png), POST /predict",
       "/predict", "../shared/seed-study/knative-image.png",
       PayloadOptions{Encoding::multipart, "file", "image.png", "image/png", "image"}},
      // openfaas/scripts/post.lua: raw body, Content-Type image/jpeg, POST to the function's root.
      {"seed-openfaas", "the study's OpenFaaS client: raw image/jpeg body, POST /", "/",
       "../shared/seed-study/openfaas-download.jpg", PayloadOptions{Encoding::raw, "file", "", "image/jpeg", "image"}},
  };
  return all;
}

const Preset* find_preset(std::string_view name) {
  for (auto& p : presets())
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace mlfaas::bench
