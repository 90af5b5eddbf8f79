#include "service_fixture.h"

#include <mutex>

#include "support/onnx_builder.h"
#include "support/paths.h"
#include "test_images.h"

namespace mlfaas::test {

std::filesystem::path tiny_model_dir() {
  static std::mutex mu;
  static std::filesystem::path dir;
  std::lock_guard lk(mu);
  if (dir.empty()) {
    dir = make_temp_dir("tiny-model");
    write_tiny_model_dir(dir, 10, 32);
  }
  return dir;
}

std::unique_ptr<Service> start_service(const std::filesystem::path& model_dir, std::vector<std::string> extra) {
  auto s = std::make_unique<Service>();
  s->port = free_port();
  s->model_dir = model_dir;
  std::vector<std::string> argv = {mlfaas_exe().string(), "serve", "--model", model_dir.string(), "--port",
                                   std::to_string(s->port), "--address", "127.0.0.1"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  s->proc = std::make_unique<Subprocess>(argv);
  if (!s->proc->wait_http_ok(s->port, "/readyz", std::chrono::seconds(20))) {
    ADD_FAILURE() << "service did not become ready; stderr:\n" << s->proc->stderr_text();
  }
  return s;
}

std::string test_jpeg(int w, int h, uint32_t seed) {
  auto bytes = image::test::encode_jpeg(image::test::random_image(w, h, seed), 90, /*TJSAMP_420*/ 2);
  return std::string(bytes.begin(), bytes.end());
}

std::string test_png(int w, int h, uint32_t seed) {
  auto bytes = image::test::encode_png_rgb(image::test::random_image(w, h, seed));
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace mlfaas::test

namespace mlfaas::test {
std::string flat_png(int w, int h) {
  image::Image im;
  im.width = w;
  im.height = h;
  im.rgb.assign(size_t(w) * h * 3, 128);
  auto bytes = image::test::encode_png_rgb(im);
  return std::string(bytes.begin(), bytes.end());
}
}  // namespace mlfaas::test
