#include "platform/container_runtime.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <stdexcept>

#include <fmt/format.h>

#include "common/command_output.h"

namespace mlfaas::platform {

namespace {

constexpr const char* kOwnerLabel = "io.mlfaas.owner";

// Container names allow [a-zA-Z0-9][a-zA-Z0-9_.-]*; function names are DNS labels already, but
// an OpenFaaS API deployment could carry anything.
std::string name_part(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return out;
}

}  // namespace

ContainerRuntime::Kind parse_runtime_kind(const std::string& s) {
  if (s == "process") return ContainerRuntime::Kind::process;
  if (s == "podman") return ContainerRuntime::Kind::podman;
  throw std::invalid_argument("runtime '" + s + "': expected process or podman");
}

std::string container_name(const ContainerRuntime& rt, const std::string& function, int replica) {
  return fmt::format("mlfaas-{}-{}-{}", rt.owner, name_part(function), replica);
}

std::vector<std::string> replica_argv(const ContainerRuntime& rt, const FunctionSpec& spec,
                                      const std::map<std::string, std::string>& env, const std::string& name) {
  if (!rt.containers()) return spec.command;
  if (spec.image.empty())
    throw std::runtime_error("function '" + spec.name + "' names no image (needed by --runtime podman)");
  std::vector<std::string> a = {rt.podman, "run", "--rm", "--name", name, "--network", "host", "--pull", "never",
                                "--label", fmt::format("{}={}", kOwnerLabel, rt.owner),
                                "--label", "io.mlfaas.function=" + spec.name};
  if (!spec.revision_name.empty()) a.insert(a.end(), {"--label", "io.mlfaas.revision=" + spec.revision_name});
  // The CPU limit as a quota, like the kubelet's; the request only reserves the node's cores.
  if (spec.cpu_limit > 0) a.insert(a.end(), {"--cpus", fmt::format("{:g}", spec.cpu_limit)});
  if (spec.memory_limit > 0) a.insert(a.end(), {"--memory", std::to_string(spec.memory_limit)});
  // The securityContext, as the kubelet applies it.
  const ContainerSecurity& sec = spec.security;
  if (sec.run_as_user)
    a.insert(a.end(), {"--user", sec.run_as_group ? fmt::format("{}:{}", *sec.run_as_user, *sec.run_as_group)
                                                  : std::to_string(*sec.run_as_user)});
  if (sec.read_only_root_filesystem) a.push_back("--read-only");
  if (sec.no_new_privileges) a.insert(a.end(), {"--security-opt", "no-new-privileges"});
  for (auto& c : sec.drop_capabilities) a.insert(a.end(), {"--cap-drop", c});
  for (auto& [k, v] : env) a.insert(a.end(), {"--env", k + "=" + v});
  a.push_back(spec.image);
  // Knative's command replaces the image's entrypoint; the image has none, so its CMD is replaced.
  a.insert(a.end(), spec.container_command.begin(), spec.container_command.end());
  return a;
}

std::string run_as_non_root_violation(const ContainerSecurity& sec, const std::string& image, const std::string& image_user) {
  if (!sec.run_as_non_root) return "";
  if (sec.run_as_user) return *sec.run_as_user == 0 ? "securityContext.runAsUser 0 breaks its runAsNonRoot" : "";
  const std::string uid = image_user.substr(0, image_user.find(':'));
  if (uid.empty() || uid == "root") return fmt::format("runAsNonRoot is set and image {} will run as root (it has no USER)", image);
  for (char c : uid)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return fmt::format("runAsNonRoot is set and image {} has a non-numeric USER ({}), so it cannot be verified as "
                         "non-root; give the container a securityContext.runAsUser",
                         image, uid);
  if (std::strtoll(uid.c_str(), nullptr, 10) == 0) return fmt::format("runAsNonRoot is set and image {} runs as uid 0", image);
  return "";
}

std::optional<std::string> image_user(const ContainerRuntime& rt, const std::string& image) {
  auto out = command_output({rt.podman, "image", "inspect", "--format", "{{.Config.User}}", image});
  if (!out) return std::nullopt;
  while (!out->empty() && std::isspace(static_cast<unsigned char>(out->back()))) out->pop_back();
  return out;
}

std::vector<std::string> remove_container_argv(const ContainerRuntime& rt, const std::string& name) {
  return {rt.podman, "rm", "--force", "--time", "0", name};
}

std::vector<std::string> platform_cleanup_argv(const ContainerRuntime& rt) {
  return {rt.podman, "rm", "--force", "--time", "0", "--filter", fmt::format("label={}={}", kOwnerLabel, rt.owner)};
}

int remove_stale_containers(const ContainerRuntime& rt) {
  const std::string label = kOwnerLabel;
  auto listed = command_output({rt.podman, "ps", "--all", "--filter", "label=" + label, "--format",
                                "{{.Names}} {{index .Labels \"" + label + "\"}}"});
  if (!listed) return 0;
  std::istringstream lines(*listed);
  std::string name;
  long owner = 0;
  int removed = 0;
  while (lines >> name >> owner)
    if (owner > 0 && owner != rt.owner && kill(pid_t(owner), 0) != 0 && errno == ESRCH)
      removed += command_output(remove_container_argv(rt, name)) ? 1 : 0;
  return removed;
}

void run_detached(const std::vector<std::string>& argv) {
  if (argv.empty()) return;
  std::vector<std::string> args = argv;
  std::vector<char*> av;
  for (auto& s : args) av.push_back(s.data());
  av.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return;
  if (pid == 0) {
    // Only async-signal-safe calls: the platform has threads.
    setsid();
    if (fork() != 0) _exit(0);  // the grandchild is adopted by init: nobody needs to reap it
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    close_range(3, ~0U, 0);
    execvp(av[0], av.data());
    _exit(127);
  }
  waitpid(pid, nullptr, 0);
}

}  // namespace mlfaas::platform
