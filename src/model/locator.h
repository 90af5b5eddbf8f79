#pragma once
// Finds the model directory. Order: --model DIR, $MLFAAS_MODEL_DIR, the repo's models/ cache
// (models/mobilenetv2, written by `mlfaas model pull`), then ../shared/models/mobilenetv2.
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace mlfaas::model {

struct ModelLocation {
  std::filesystem::path dir;
  std::string found_by;  // "--model", "MLFAAS_MODEL_DIR", "models cache", "shared models"
};

class ModelNotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws ModelNotFound with every place it looked and how to get a model.
ModelLocation locate_model(const std::optional<std::string>& flag);

// Where `mlfaas model pull` writes: <repo>/models/mobilenetv2 when run from the repo, else
// ./models/mobilenetv2.
std::filesystem::path default_cache_dir();

}  // namespace mlfaas::model
