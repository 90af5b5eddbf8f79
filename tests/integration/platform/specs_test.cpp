// Invalid specs are rejected with an error naming the field, through every entry point.
#include <gtest/gtest.h>

#include "platform_fixture.h"
#include "support/paths.h"

using namespace mlfaas::test;

namespace {

TEST(Specs, UpRejectsAnInvalidSpecAndExits2) {
  auto dir = make_temp_dir("bad-spec");
  write_binary(dir / "bad.yaml",
               "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  template:\n"
               "    spec:\n      containerConcurrency: -1\n      containers:\n        - image: x\n          command: [\"true\"]\n");
  auto r = run_cli({"up", "--port", std::to_string(free_port()), "--specs", (dir / "bad.yaml").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("spec.template.spec.containerConcurrency"), std::string::npos) << r.err;
}

TEST(Specs, ApiAndCliRejectInvalidSpecsNamingTheField) {
  auto p = start_platform(hello_service("hello"));
  auto post = [&](const std::string& body) {
    return p->call("POST", "/system/functions", body, {{"Content-Type", "application/yaml"}});
  };
  auto r = post("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  template:\n"
                "    metadata:\n      annotations:\n        autoscaling.knative.dev/window: \"soon\"\n"
                "    spec:\n      containers:\n        - image: x\n          command: [\"true\"]\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("autoscaling.knative.dev/window"), std::string::npos) << r.body;
  r = post("version: 1.0\nfunctions:\n  f:\n    image: x\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("functions.f.command"), std::string::npos) << r.body;
  r = post("apiVersion: apps/v1\nkind: Deployment\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not supported"), std::string::npos) << r.body;
  r = post("functions: [");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not valid YAML"), std::string::npos) << r.body;
  EXPECT_EQ(post(hello_service("hello")).status, 409);  // exists: PUT updates
  auto dir = make_temp_dir("bad-cli");
  write_binary(dir / "bad.yaml", "version: 1.0\nfunctions:\n  Bad_Name:\n    image: x\n    command: \"true\"\n");
  auto cli = run_cli({"deploy", (dir / "bad.yaml").string(), "--gateway", p->gateway()});
  EXPECT_EQ(cli.code, 1);
  EXPECT_NE(cli.err.find("must be a DNS label"), std::string::npos) << cli.err;
}

}  // namespace
