#pragma once
// Starts `mlfaas serve` on a free loopback port with a model directory and waits until ready.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/http_call.h"
#include "support/subprocess.h"

namespace mlfaas::test {

struct Service {
  int port = 0;
  std::unique_ptr<Subprocess> proc;
  std::filesystem::path model_dir;

  HttpResult post(const std::string& target, const std::string& body, const std::string& content_type) const {
    return http_call(port, "POST", target, body, {{"Content-Type", content_type}});
  }
  HttpResult get(const std::string& target) const { return http_call(port, "GET", target); }
};

// A tiny generated classifier (10 classes, 32x32 input) in a temp model dir.
std::filesystem::path tiny_model_dir();
// Starts the service; extra CLI args appended. Fails the test if it isn't ready within 20 s.
std::unique_ptr<Service> start_service(const std::filesystem::path& model_dir, std::vector<std::string> extra = {});

// Small test images, encoded in memory.
std::string test_jpeg(int w = 64, int h = 48, uint32_t seed = 1);
std::string test_png(int w = 40, int h = 50, uint32_t seed = 2);
// A single-colour PNG: compresses to a few KB even at huge sizes (for pixel-limit tests).
std::string flat_png(int w, int h);

}  // namespace mlfaas::test
