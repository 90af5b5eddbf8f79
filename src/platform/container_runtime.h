#pragma once
// How replicas run: as processes of the platform (the default: `command` from the spec), or as
// containers of the function's image through podman (`mlfaas up --runtime podman`), as faasd runs
// OpenFaaS functions on containerd. A container replica is `podman run` in the foreground: its
// output is the replica's output, SIGTERM reaches the function through podman's signal proxy, and
// its exit is the replica's exit. SIGKILL cannot be proxied, so a replica killed hard is also
// removed by name (remove_container_argv), and the orphan guard removes every container labelled
// with this platform's pid if the platform itself dies (platform_cleanup_argv).
#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/function_spec.h"

namespace mlfaas::platform {

struct ContainerRuntime {
  enum class Kind { process, podman } kind = Kind::process;
  std::string podman = "podman";  // the podman binary
  pid_t owner = 0;                // this platform's pid: the containers' label and name prefix

  bool containers() const { return kind == Kind::podman; }
};

// "process" | "podman"; throws std::invalid_argument otherwise.
ContainerRuntime::Kind parse_runtime_kind(const std::string& s);

// A name podman accepts, unique per platform and replica: mlfaas-{owner}-{function}-{replica}.
std::string container_name(const ContainerRuntime& rt, const std::string& function, int replica);

// The argv that runs one replica with `env` (PORT, K_*, MLFAAS_CPUS and the spec's own values):
// the spec's command as a process, or `podman run` of its image with only that environment (the
// container never sees the platform's), on the host's network (PORT stays the replica's port),
// never pulling (a missing image fails at once instead of waiting for a registry); the CPU and
// memory limits become cgroup limits and the securityContext podman's equivalents.
std::vector<std::string> replica_argv(const ContainerRuntime& rt, const FunctionSpec& spec,
                                      const std::map<std::string, std::string>& env, const std::string& name);

// runAsNonRoot as the kubelet checks it (pkg/kubelet/kuberuntime verifyRunAsNonRoot): the
// container's runAsUser must not be 0; without one, the image's USER must be numeric and not 0
// ("" runs as root). `image_user` is the image's Config.User ("10001", "10001:10001", "app").
// Returns why it breaks the policy, or "" when it does not (or runAsNonRoot is not set).
std::string run_as_non_root_violation(const ContainerSecurity& sec, const std::string& image, const std::string& image_user);

// The USER of a local image (`podman image inspect`); nullopt when podman does not have it.
std::optional<std::string> image_user(const ContainerRuntime& rt, const std::string& image);

// Removes one container at once (SIGKILL, then delete).
std::vector<std::string> remove_container_argv(const ContainerRuntime& rt, const std::string& name);

// Removes every container this platform started (run by the orphan guard after the platform died).
std::vector<std::string> platform_cleanup_argv(const ContainerRuntime& rt);

// Removes the containers of platforms that are gone (their owner pid no longer runs): what a
// platform killed together with its orphan guard left behind. Returns how many it removed.
int remove_stale_containers(const ContainerRuntime& rt);

// Runs argv in the background, detached from the platform (it survives the platform's exit and
// needs no reaping): for clean-up commands whose result nobody waits for.
void run_detached(const std::vector<std::string>& argv);

}  // namespace mlfaas::platform
