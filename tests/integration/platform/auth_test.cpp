// The admin API's authentication, the OpenFaaS way: /system/* needs HTTP basic auth (user admin)
// with a password generated on first start (or read from --basic-auth-password-file); invocations
// stay open; the CLI finds a local gateway's credentials by itself, `mlfaas login` saves others.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "common/credentials.h"
#include "platform_fixture.h"
#include "support/paths.h"

namespace mlfaas::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(AdminAuth, WithoutCredentialsEverySystemCallIs401AndAPostedSpecNeverRuns) {
  auto p = start_platform(hello_service("hello"));
  auto marker = make_temp_dir("auth") / "ran";
  const std::string evil =
      "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: evil\nspec:\n  template:\n    spec:\n"
      "      containers:\n        - image: x\n          command: [\"/bin/sh\", \"-c\", \"touch " + marker.string() + "\"]\n";
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"GET", "/system/functions"},        {"POST", "/system/functions"}, {"PUT", "/system/functions"},
      {"DELETE", "/system/functions"},     {"GET", "/system/function/hello"},
      {"POST", "/system/scale-function/hello"}, {"GET", "/system/logs?name=hello"}, {"GET", "/system/info"}};
  for (auto& [method, target] : calls) {
    for (auto auth : {std::string(), basic_authorization("admin", "wrong"), basic_authorization("root", "x")}) {
      Headers h;
      if (!auth.empty()) h.emplace_back("Authorization", auth);
      auto r = http_call(p->port, method, target, method == "POST" || method == "PUT" ? evil : "", h);
      EXPECT_EQ(r.status, 401) << method << " " << target << ": " << r.body;
      EXPECT_NE(r.header("www-authenticate").find("Basic"), std::string::npos);
    }
  }
  std::this_thread::sleep_for(500ms);
  EXPECT_FALSE(fs::exists(marker)) << "an unauthenticated spec ran";
  // Invocations stay open, and so do health and metrics.
  EXPECT_EQ(http_call(p->port, "GET", "/function/hello/").status, 200);
  EXPECT_EQ(http_call(p->port, "GET", "/healthz").status, 200);
  EXPECT_EQ(http_call(p->port, "GET", "/metrics").status, 200);
  // With the credentials, the API works.
  EXPECT_EQ(p->call("GET", "/system/functions").status, 200);
}

TEST(AdminAuth, ThePasswordIsGeneratedPrivateAndNeverLogged) {
  auto p = start_platform(hello_service("hello"));
  const auto file = test_state_dir() / "mlfaas" / "basic-auth-password";
  ASSERT_TRUE(fs::exists(file));
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(file.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  const std::string pw = read_password_file(file);
  EXPECT_GE(pw.size(), 24u);
  auto again = start_platform(hello_service("hello"));  // the same password on the next start
  EXPECT_EQ(read_password_file(file), pw);
  EXPECT_EQ(p->proc->stderr_text().find(pw), std::string::npos);
  EXPECT_EQ(p->proc->stdout_text().find(pw), std::string::npos);
}

TEST(AdminAuth, TheCliWorksUnchangedAgainstALocalGateway) {
  auto p = start_platform(hello_service("hello"));
  auto ls = run_cli({"ls", "--gateway", p->gateway()});
  EXPECT_EQ(ls.code, 0) << ls.err;
  EXPECT_NE(ls.out.find("hello"), std::string::npos);
}

TEST(AdminAuth, APasswordFileAndMlfaasLogin) {
  auto dir = make_temp_dir("auth");
  write_binary(dir / "pw", "s3cret-pass\n");
  auto p = start_platform(hello_service("hello"), {"--basic-auth-password-file", (dir / "pw").string()});
  // Not the local generated password: the CLI is refused and says how to log in.
  auto refused = run_cli({"ls", "--gateway", p->gateway()});
  EXPECT_NE(refused.code, 0);
  EXPECT_NE(refused.err.find("mlfaas login"), std::string::npos) << refused.err;
  // A wrong password is not saved.
  Subprocess bad({"/bin/sh", "-c", "printf wrong | " + mlfaas_exe().string() + " login --password-stdin --gateway " + p->gateway()});
  EXPECT_EQ(bad.wait(30s), 1) << bad.stderr_text();
  auto no_stdin = run_cli({"login", "--gateway", p->gateway()});
  EXPECT_EQ(no_stdin.code, 2);
  Subprocess good({"/bin/sh", "-c", "printf s3cret-pass | " + mlfaas_exe().string() + " login --password-stdin --gateway " + p->gateway()});
  EXPECT_EQ(good.wait(30s), 0) << good.stderr_text();
  auto ls = run_cli({"ls", "--gateway", p->gateway()});
  EXPECT_EQ(ls.code, 0) << ls.err;
  struct stat st {};
  ASSERT_EQ(stat((test_state_dir() / "mlfaas" / "logins.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(AdminAuth, NoAuthIsRefusedOffLoopback) {
  auto r = run_cli({"up", "--address", "0.0.0.0", "--no-auth", "--port", std::to_string(free_port())});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--no-auth is refused"), std::string::npos) << r.err;
}

TEST(AdminAuth, NoAuthOnLoopbackIsAnExplicitChoice) {
  auto p = start_platform(hello_service("hello"), {"--no-auth"});
  EXPECT_EQ(http_call(p->port, "GET", "/system/functions").status, 200);
}

}  // namespace
}  // namespace mlfaas::test
