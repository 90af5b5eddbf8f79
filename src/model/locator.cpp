#include "model/locator.h"

#include <cstdlib>
#include <vector>

namespace fs = std::filesystem;

namespace mlfaas::model {
namespace {

bool has_model(const fs::path& d) {
  std::error_code ec;
  return fs::is_regular_file(d / "model.onnx", ec);
}

// The repo root: the working directory when it is the repo, else where this binary was built from.
std::vector<fs::path> roots() {
  std::vector<fs::path> r;
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (!ec) r.push_back(cwd);
  fs::path src = MLFAAS_SOURCE_DIR;
  if (src != cwd) r.push_back(src);
  return r;
}

}  // namespace

fs::path default_cache_dir() {
  fs::path src = MLFAAS_SOURCE_DIR;
  std::error_code ec;
  if (fs::exists(src / "CMakeLists.txt", ec)) return src / "models" / "mobilenetv2";
  return fs::current_path() / "models" / "mobilenetv2";
}

ModelLocation locate_model(const std::optional<std::string>& flag) {
  if (flag) {
    if (!has_model(*flag))
      throw ModelNotFound("--model " + *flag + ": no model.onnx in that directory");
    return {fs::absolute(*flag), "--model"};
  }
  if (const char* env = std::getenv("MLFAAS_MODEL_DIR"); env && *env) {
    if (!has_model(env)) throw ModelNotFound(std::string("MLFAAS_MODEL_DIR=") + env + ": no model.onnx in that directory");
    return {fs::absolute(env), "MLFAAS_MODEL_DIR"};
  }
  std::vector<std::string> looked = {"--model (not given)", "$MLFAAS_MODEL_DIR (not set)"};
  for (auto& root : roots()) {
    fs::path cache = root / "models" / "mobilenetv2";
    if (has_model(cache)) return {fs::canonical(cache), "models cache"};
    looked.push_back(cache.string());
  }
  for (auto& root : roots()) {
    fs::path shared = root.parent_path() / "shared" / "models" / "mobilenetv2";
    if (has_model(shared)) return {fs::canonical(shared), "shared models"};
    looked.push_back(shared.string());
  }
  std::string msg = "no model found. Looked in:\n";
  for (auto& l : looked) msg += "  - " + l + "\n";
  msg +=
      "Get one with `mlfaas model pull` (downloads MobileNetV2 from the ONNX model zoo into models/), or\n"
      "point --model (or MLFAAS_MODEL_DIR) at a directory with model.onnx and labels.txt.";
  throw ModelNotFound(msg);
}

}  // namespace mlfaas::model
