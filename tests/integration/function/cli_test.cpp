// `mlfaas classify` and `mlfaas model inspect` as a user runs them.
#include <gtest/gtest.h>

#include "service_fixture.h"
#include "support/paths.h"

using namespace mlfaas::test;

namespace {

struct Run {
  int code;
  std::string out, err;
};

Run run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), mlfaas_exe().string());
  Subprocess p(args, env);
  auto code = p.wait(std::chrono::seconds(60));
  return {code.value_or(-1), p.stdout_text(), p.stderr_text()};
}

TEST(Cli, ClassifyPrintsATablePerImage) {
  auto dir = make_temp_dir("cli");
  write_binary(dir / "a.jpg", test_jpeg());
  write_binary(dir / "b.png", test_png());
  auto r = run({"classify", "--model", tiny_model_dir().string(), (dir / "a.jpg").string(), (dir / "b.png").string(),
                "-k", "3"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("a.jpg"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("b.png"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("confidence"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("class "), std::string::npos) << r.out;
}

TEST(Cli, ClassifyJsonMatchesTheHttpApi) {
  auto dir = make_temp_dir("cli");
  const std::string img = test_jpeg(90, 60, 4);
  write_binary(dir / "a.jpg", img);
  auto r = run({"classify", "--model", tiny_model_dir().string(), "--json", (dir / "a.jpg").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  auto cli = boost::json::parse(r.out).as_object();
  auto svc = start_service(tiny_model_dir());
  auto http = svc->post("/classify", img, "image/jpeg").json().as_object();
  EXPECT_EQ(cli.at("predictions"), http.at("predictions"));
}

TEST(Cli, UnreadableImageFailsWithTheFileName) {
  auto dir = make_temp_dir("cli");
  write_binary(dir / "notes.txt", "not an image at all");
  auto r = run({"classify", "--model", tiny_model_dir().string(), (dir / "notes.txt").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("notes.txt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unsupported image format"), std::string::npos) << r.err;
  auto missing = run({"classify", "--model", tiny_model_dir().string(), (dir / "nope.jpg").string()});
  EXPECT_NE(missing.code, 0);
}

TEST(Cli, NoModelAnywhereExplainsHowToGetOne) {
  auto empty = make_temp_dir("cli");
  write_binary(empty / "a.jpg", test_jpeg());
  auto r = run({"classify", "--model", empty.string(), (empty / "a.jpg").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no model.onnx"), std::string::npos) << r.err;
}

TEST(Cli, ModelInspectReportsShapesParamsAndMacs) {
  auto r = run({"model", "inspect", tiny_model_dir().string(), "--plan"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* needle : {"model      tiny 1", "input      input [N,3,32,32]", "params", "MACs", "Conv x4",
                             "oneDNN plan", "jit"})
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle << "\n" << r.out;
}

TEST(Cli, UnknownSubcommandIsAnError) {
  auto r = run({"frobnicate"});
  EXPECT_NE(r.code, 0);
}

}  // namespace
