#pragma once
// Where tests find things: the repo, the built binary, the shared pretrained model, the photos.
#include <boost/json.hpp>
#include <filesystem>
#include <optional>
#include <string>

namespace mlfaas::test {

std::filesystem::path source_dir();
std::filesystem::path binary_dir();
// The built `mlfaas` executable (build/src/cli/mlfaas).
std::filesystem::path mlfaas_exe();
// ../shared/models/mobilenetv2 (or $MLFAAS_SHARED_MODEL_DIR) when it has model.onnx; nullopt otherwise.
std::optional<std::filesystem::path> shared_model_dir();
// .cache/photos with the golden photos (fetched by scripts/fetch-test-photos.sh); nullopt if absent.
std::optional<std::filesystem::path> photos_dir();
// The golden.json of the shared model, parsed; nullopt when the shared model is absent.
std::optional<boost::json::object> golden();
// A fresh empty directory under the build tree's test scratch, removed at process exit.
std::filesystem::path make_temp_dir(const std::string& prefix);
std::string read_binary(const std::filesystem::path& p);
void write_binary(const std::filesystem::path& p, std::string_view bytes);

}  // namespace mlfaas::test

// Skips the current test (with the reason) when the shared pretrained model is not present.
#define MLFAAS_REQUIRE_SHARED_MODEL()                                                        \
  do {                                                                                        \
    if (!::mlfaas::test::shared_model_dir())                                                  \
      GTEST_SKIP() << "pretrained model not found (../shared/models/mobilenetv2 or "          \
                      "$MLFAAS_SHARED_MODEL_DIR); golden checks need the real weights";       \
  } while (0)

#define MLFAAS_REQUIRE_PHOTOS()                                                              \
  do {                                                                                        \
    if (!::mlfaas::test::photos_dir())                                                        \
      GTEST_SKIP() << "test photos not found in .cache/photos; run scripts/fetch-test-photos.sh"; \
  } while (0)
