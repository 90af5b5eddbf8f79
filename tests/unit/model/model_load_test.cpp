#include "model/model.h"
#include "model/pull.h"

#include <gtest/gtest.h>

#include "support/onnx_builder.h"
#include "support/paths.h"

using namespace mlfaas::model;
using namespace mlfaas::test;
namespace fs = std::filesystem;

namespace {

std::string load_error(const fs::path& dir) {
  try {
    Model::load(dir);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(ModelLoad, TinyModelDirectory) {
  auto dir = make_temp_dir("model");
  write_tiny_model_dir(dir, 10, 32);
  auto m = Model::load(dir);
  EXPECT_EQ(m->manifest.name, "tiny");
  EXPECT_EQ(m->classes, 10);
  EXPECT_EQ(m->label(3), "class 3");
  EXPECT_EQ(m->synset(3), "t00000003");
  EXPECT_EQ(m->engine->image_dims(), (mlfaas::inference::Dims{3, 32, 32}));
}

TEST(ModelLoad, LabelCountMustMatchOutputs) {
  auto dir = make_temp_dir("model");
  write_tiny_model_dir(dir, 10, 32);
  write_binary(dir / "labels.txt", "a\nb\nc\n");
  auto msg = load_error(dir);
  EXPECT_NE(msg.find("labels.txt has 3 lines but the model has 10 outputs"), std::string::npos) << msg;
}

TEST(ModelLoad, MissingLabelsIsAClearError) {
  auto dir = make_temp_dir("model");
  write_tiny_model_dir(dir, 10, 32);
  fs::remove(dir / "labels.txt");
  EXPECT_NE(load_error(dir).find("labels.txt is missing"), std::string::npos);
}

TEST(ModelLoad, ManifestInputSizeMustMatchTheModel) {
  auto dir = make_temp_dir("model");
  write_tiny_model_dir(dir, 10, 32);
  write_binary(dir / "manifest.yaml", "name: t\ninput: {height: 64, width: 64}\n");
  auto msg = load_error(dir);
  EXPECT_NE(msg.find("[3,64,64]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[3,32,32]"), std::string::npos) << msg;
}

TEST(ModelLoad, WithoutManifestTheBuiltinOneMustFit) {
  auto dir = make_temp_dir("model");
  write_tiny_model_dir(dir, 10, 32);
  fs::remove(dir / "manifest.yaml");
  auto msg = load_error(dir);
  EXPECT_NE(msg.find("has no manifest.yaml"), std::string::npos) << msg;
}

TEST(ModelLoad, SharedMobileNetV2UsesTheBuiltinManifest) {
  MLFAAS_REQUIRE_SHARED_MODEL();
  auto m = Model::load(*shared_model_dir());
  EXPECT_EQ(m->manifest.name, "mobilenetv2");
  EXPECT_EQ(m->classes, 1000);
  EXPECT_EQ(m->synset(0), "n01440764");
  EXPECT_EQ(m->label(249), "malamute, malemute, Alaskan malamute");
}

}  // namespace

namespace {

TEST(ModelPull, FileSha256MatchesTheKnownDigest) {
  auto dir = mlfaas::test::make_temp_dir("sha");
  mlfaas::test::write_binary(dir / "abc", "abc");
  EXPECT_EQ(mlfaas::model::file_sha256(dir / "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_THROW(mlfaas::model::file_sha256(dir / "missing"), std::runtime_error);
}

TEST(ModelPull, TheZooModelIsPinned) { EXPECT_EQ(mlfaas::model::PullSource{}.model_sha256.size(), 64u); }

}  // namespace
