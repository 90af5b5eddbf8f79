#pragma once
// Presets that replay the original study's two clients (../shared/docs/seed-study.md section 6).
#include <string_view>
#include <vector>

#include "bench/payload.h"

namespace mlfaas::bench {

struct Preset {
  std::string_view name;
  std::string_view description;
  std::string_view path;          // used when the URL has no path
  std::string_view default_file;  // relative to the working directory (the repo root)
  PayloadOptions payload;
};

// nullptr when unknown.
const Preset* find_preset(std::string_view name);
const std::vector<Preset>& presets();

}  // namespace mlfaas::bench
