#include "model/locator.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/onnx_builder.h"
#include "support/paths.h"

using namespace mlfaas::model;
using namespace mlfaas::test;

namespace {

struct EnvGuard {
  EnvGuard(const char* v) {
    if (v) setenv("MLFAAS_MODEL_DIR", v, 1);
    else unsetenv("MLFAAS_MODEL_DIR");
  }
  ~EnvGuard() { unsetenv("MLFAAS_MODEL_DIR"); }
};

TEST(Locator, FlagWinsOverEnvironment) {
  auto a = make_temp_dir("a"), b = make_temp_dir("b");
  write_tiny_model_dir(a);
  write_tiny_model_dir(b);
  EnvGuard env(b.c_str());
  EXPECT_EQ(locate_model(a.string()).dir, a);
  EXPECT_EQ(locate_model(a.string()).found_by, "--model");
  EXPECT_EQ(locate_model(std::nullopt).dir, b);
  EXPECT_EQ(locate_model(std::nullopt).found_by, "MLFAAS_MODEL_DIR");
}

TEST(Locator, DirectoryWithoutModelIsAnError) {
  auto empty = make_temp_dir("empty");
  try {
    locate_model(empty.string());
    FAIL();
  } catch (const ModelNotFound& e) {
    EXPECT_NE(std::string(e.what()).find("no model.onnx"), std::string::npos);
  }
  EnvGuard env(empty.c_str());
  EXPECT_THROW(locate_model(std::nullopt), ModelNotFound);
}

TEST(Locator, FallsBackToCacheOrSharedAndExplainsWhenNothingIsThere) {
  EnvGuard env(nullptr);
  try {
    auto loc = locate_model(std::nullopt);
    EXPECT_TRUE(loc.found_by == "models cache" || loc.found_by == "shared models") << loc.found_by;
  } catch (const ModelNotFound& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("mlfaas model pull"), std::string::npos) << msg;
    EXPECT_NE(msg.find("MLFAAS_MODEL_DIR"), std::string::npos) << msg;
  }
}

}  // namespace
