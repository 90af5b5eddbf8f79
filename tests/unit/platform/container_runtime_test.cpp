// How a replica is run: the spec's command as a process, or `podman run` of its image.
#include "platform/container_runtime.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "platform/function_spec.h"

namespace mlfaas::platform {
namespace {

FunctionSpec spec() {
  FunctionSpec s;
  s.name = "classifier";
  s.revision_name = "classifier-00002";
  s.image = "localhost/mlfaas:0.1.0";
  s.command = {"/usr/local/bin/mlfaas-on-the-host", "serve"};
  s.container_command = {"mlfaas", "serve"};
  return s;
}

ContainerRuntime podman() {
  ContainerRuntime rt;
  rt.kind = ContainerRuntime::Kind::podman;
  rt.owner = 4242;
  return rt;
}

bool has_pair(const std::vector<std::string>& a, const std::string& flag, const std::string& value) {
  for (size_t i = 0; i + 1 < a.size(); ++i)
    if (a[i] == flag && a[i + 1] == value) return true;
  return false;
}

TEST(ContainerRuntime, ProcessRuntimeRunsTheResolvedCommand) {
  ContainerRuntime rt;
  EXPECT_EQ(replica_argv(rt, spec(), {{"PORT", "9000"}}, ""), spec().command);
}

TEST(ContainerRuntime, PodmanRunsTheImageWithTheSpecsOwnCommand) {
  auto a = replica_argv(podman(), spec(), {{"PORT", "9000"}, {"K_SERVICE", "classifier"}}, "mlfaas-4242-classifier-3");
  ASSERT_GE(a.size(), 4u);
  EXPECT_EQ(a[0], "podman");
  EXPECT_EQ(a[1], "run");
  // The image, then the command as the spec wrote it (not resolved to a host path), last.
  EXPECT_EQ(std::vector<std::string>(a.end() - 3, a.end()),
            (std::vector<std::string>{"localhost/mlfaas:0.1.0", "mlfaas", "serve"}));
  EXPECT_TRUE(has_pair(a, "--name", "mlfaas-4242-classifier-3"));
  EXPECT_TRUE(has_pair(a, "--network", "host"));  // PORT is the replica's port on this host
  EXPECT_TRUE(has_pair(a, "--pull", "never"));     // no registry wait
  EXPECT_TRUE(has_pair(a, "--label", "io.mlfaas.owner=4242"));
  EXPECT_TRUE(has_pair(a, "--label", "io.mlfaas.function=classifier"));
  EXPECT_TRUE(has_pair(a, "--label", "io.mlfaas.revision=classifier-00002"));
  EXPECT_TRUE(has_pair(a, "--env", "PORT=9000"));
  EXPECT_TRUE(has_pair(a, "--env", "K_SERVICE=classifier"));
  EXPECT_NE(std::find(a.begin(), a.end(), "--rm"), a.end());
  EXPECT_EQ(std::find(a.begin(), a.end(), "--cpus"), a.end());  // no limit in the spec
}

TEST(ContainerRuntime, CpuLimitBecomesAQuota) {
  auto s = spec();
  s.cpu_limit = 1.5;
  EXPECT_TRUE(has_pair(replica_argv(podman(), s, {}, "n"), "--cpus", "1.5"));
  s.cpu_limit = 2;
  EXPECT_TRUE(has_pair(replica_argv(podman(), s, {}, "n"), "--cpus", "2"));
}

TEST(ContainerRuntime, MemoryLimitAndSecurityContextAreApplied) {
  auto s = spec();
  s.memory_limit = 512ull << 20;
  s.security.run_as_user = 10001;
  s.security.run_as_group = 10002;
  s.security.read_only_root_filesystem = true;
  s.security.no_new_privileges = true;
  s.security.drop_capabilities = {"ALL"};
  auto a = replica_argv(podman(), s, {}, "n");
  EXPECT_TRUE(has_pair(a, "--memory", "536870912"));
  EXPECT_TRUE(has_pair(a, "--user", "10001:10002"));
  EXPECT_NE(std::find(a.begin(), a.end(), "--read-only"), a.end());
  EXPECT_TRUE(has_pair(a, "--security-opt", "no-new-privileges"));
  EXPECT_TRUE(has_pair(a, "--cap-drop", "ALL"));
  s.security.run_as_group.reset();
  EXPECT_TRUE(has_pair(replica_argv(podman(), s, {}, "n"), "--user", "10001"));
  // None of it without a securityContext.
  auto plain = replica_argv(podman(), spec(), {}, "n");
  for (const char* flag : {"--memory", "--user", "--read-only", "--security-opt", "--cap-drop"})
    EXPECT_EQ(std::find(plain.begin(), plain.end(), flag), plain.end()) << flag;
}

TEST(ContainerRuntime, NoCommandRunsTheImagesCmd) {
  auto s = spec();
  s.container_command.clear();  // an OpenFaaS function: its image's CMD (watchdog)
  EXPECT_EQ(replica_argv(podman(), s, {}, "n").back(), "localhost/mlfaas:0.1.0");
}

TEST(ContainerRuntime, AFunctionWithoutAnImageCannotRunAsAContainer) {
  auto s = spec();
  s.image.clear();
  EXPECT_THROW(replica_argv(podman(), s, {}, "n"), std::runtime_error);
}

TEST(ContainerRuntime, NamesAreValidForPodman) {
  EXPECT_EQ(container_name(podman(), "classifier", 7), "mlfaas-4242-classifier-7");
  EXPECT_EQ(container_name(podman(), "a/b c", 1), "mlfaas-4242-a_b_c-1");
}

TEST(ContainerRuntime, CleanUpCommands) {
  auto rt = podman();
  rt.podman = "/usr/bin/podman";
  EXPECT_EQ(remove_container_argv(rt, "x"),
            (std::vector<std::string>{"/usr/bin/podman", "rm", "--force", "--time", "0", "x"}));
  EXPECT_EQ(platform_cleanup_argv(rt), (std::vector<std::string>{"/usr/bin/podman", "rm", "--force", "--time", "0",
                                                                 "--filter", "label=io.mlfaas.owner=4242"}));
}

TEST(ContainerRuntime, ParsesTheRuntimeFlag) {
  EXPECT_EQ(parse_runtime_kind("process"), ContainerRuntime::Kind::process);
  EXPECT_EQ(parse_runtime_kind("podman"), ContainerRuntime::Kind::podman);
  EXPECT_THROW(parse_runtime_kind("docker"), std::invalid_argument);
}

// runAsNonRoot, as the kubelet's verifyRunAsNonRoot decides it.
TEST(ContainerRuntime, RunAsNonRootIsCheckedAgainstRunAsUserThenTheImagesUser) {
  ContainerSecurity off;
  EXPECT_EQ(run_as_non_root_violation(off, "img", ""), "");  // not asked for: root is fine
  ContainerSecurity on;
  on.run_as_non_root = true;
  EXPECT_EQ(run_as_non_root_violation(on, "img", "10001"), "");
  EXPECT_EQ(run_as_non_root_violation(on, "img", "10001:10001"), "");
  EXPECT_NE(run_as_non_root_violation(on, "img", "").find("will run as root"), std::string::npos);
  EXPECT_NE(run_as_non_root_violation(on, "img", "root").find("will run as root"), std::string::npos);
  EXPECT_NE(run_as_non_root_violation(on, "img", "0").find("uid 0"), std::string::npos);
  EXPECT_NE(run_as_non_root_violation(on, "img", "0:10001").find("uid 0"), std::string::npos);
  EXPECT_NE(run_as_non_root_violation(on, "img", "000").find("uid 0"), std::string::npos);
  const auto named = run_as_non_root_violation(on, "img", "mlfaas:mlfaas");
  EXPECT_NE(named.find("non-numeric USER (mlfaas)"), std::string::npos) << named;
  EXPECT_NE(named.find("runAsUser"), std::string::npos) << named;
  // The container's runAsUser decides over the image's USER.
  ContainerSecurity as_user = on;
  as_user.run_as_user = 1000;
  EXPECT_EQ(run_as_non_root_violation(as_user, "img", ""), "");
  as_user.run_as_user = 0;
  EXPECT_NE(run_as_non_root_violation(as_user, "img", "10001").find("runAsUser 0"), std::string::npos);
}

TEST(ContainerRuntime, AnImagePodmanDoesNotHaveHasNoUser) {
  ContainerRuntime rt = podman();
  rt.podman = "/bin/false";  // `podman image inspect` failing, as for a missing image
  EXPECT_EQ(image_user(rt, "localhost/nope:1"), std::nullopt);
  rt.podman = "/bin/echo";   // prints its arguments: the format and the quoted image come through
  auto u = image_user(rt, "it's");
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, "image inspect --format {{.Config.User}} it's");
}

}  // namespace
}  // namespace mlfaas::platform
