#include "support/paths.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace mlfaas::test {

fs::path source_dir() { return MLFAAS_SOURCE_DIR; }
fs::path binary_dir() { return MLFAAS_BINARY_DIR; }
fs::path mlfaas_exe() { return binary_dir() / "src" / "cli" / "mlfaas"; }

std::optional<fs::path> shared_model_dir() {
  fs::path p;
  if (const char* e = std::getenv("MLFAAS_SHARED_MODEL_DIR")) p = e;
  else p = source_dir().parent_path() / "shared" / "models" / "mobilenetv2";
  if (fs::exists(p / "model.onnx")) return fs::canonical(p);
  return std::nullopt;
}

std::optional<fs::path> photos_dir() {
  fs::path p = source_dir() / ".cache" / "photos";
  if (fs::exists(p / "dog.jpg")) return p;
  return std::nullopt;
}

std::optional<boost::json::object> golden() {
  auto dir = shared_model_dir();
  if (!dir || !fs::exists(*dir / "golden.json")) return std::nullopt;
  return boost::json::parse(read_binary(*dir / "golden.json")).as_object();
}

namespace {
std::mutex g_mu;
std::vector<fs::path> g_temp_dirs;
void cleanup() {
  if (std::getenv("MLFAAS_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  for (auto& d : g_temp_dirs) fs::remove_all(d, ec);
}
}  // namespace

fs::path make_temp_dir(const std::string& prefix) {
  fs::path base = binary_dir() / "test-scratch";
  fs::create_directories(base);
  std::string tmpl = (base / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed for " + tmpl);
  std::lock_guard lk(g_mu);
  if (g_temp_dirs.empty()) std::atexit(cleanup);
  g_temp_dirs.push_back(tmpl);
  return tmpl;
}

std::string read_binary(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void write_binary(const fs::path& p, std::string_view bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(bytes.data(), std::streamsize(bytes.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace mlfaas::test
