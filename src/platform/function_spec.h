#pragma once
// A function as the platform runs it, whatever file it came from: a Knative Service
// (serving.knative.dev/v1), an OpenFaaS stack.yml function, or an OpenFaaS API deployment (JSON).
// The original text is kept so the same file can still be applied to a real cluster.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "autoscale/policy_factory.h"
#include "platform/traffic.h"

namespace mlfaas::platform {

// An invalid spec. The message names the file, the function and the field, e.g.
// "classifier.yaml: service 'classifier': spec.template.spec.containerConcurrency: must be >= 0".
class SpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ReadinessProbe {
  enum class Kind { tcp, http } kind = Kind::tcp;  // Knative's default probe is TCP on the serving port
  std::string path = "/";
  std::chrono::milliseconds timeout{1000};  // per attempt
};

// A container's securityContext (Knative), applied to container replicas (--runtime podman) the way
// the kubelet applies it; process replicas run as the platform's user.
struct ContainerSecurity {
  std::optional<int64_t> run_as_user, run_as_group;
  bool run_as_non_root = false;  // runAsNonRoot: the kubelet refuses to run a container as uid 0
  bool read_only_root_filesystem = false;
  bool no_new_privileges = false;  // allowPrivilegeEscalation: false
  std::vector<std::string> drop_capabilities;  // capabilities.drop, e.g. ALL
};

struct FunctionSpec {
  std::string name;
  std::string namespace_ = "default";
  std::string format;  // "knative" | "openfaas-stack" | "openfaas-api"
  std::string source;  // file the spec came from ("" for API)
  std::string image;   // used on a cluster only
  std::vector<std::string> command;  // argv run locally; command[0] resolved (see resolve_command)
  // command + args as the spec wrote them, for a container of `image` (mlfaas up --runtime podman);
  // empty: the image's own CMD (OpenFaaS functions run their image's watchdog/CMD).
  std::vector<std::string> container_command;
  // Set when the spec names an image but no command: it runs only as a container (mlfaas up
  // --runtime podman), and deploying it with process replicas is refused with this message.
  std::string no_command_error;
  std::map<std::string, std::string> env;
  int container_port = 8080;  // what the spec says; locally every replica gets its own PORT
  ReadinessProbe readiness;
  int container_concurrency = 0;  // hard per-replica limit, 0 = unlimited (Knative semantics)
  // Cores (resources.requests.cpu / limits.cpu). The request is what the node reserves per replica:
  // replicas that do not fit on the node's cores stay pending, as Kubernetes leaves pods Pending.
  // The limit sizes the replica's threads (MLFAAS_CPUS). 0 = not set.
  double cpu_request = 0, cpu_limit = 0;
  uint64_t memory_limit = 0;  // bytes (limits.memory); container replicas get it as their cgroup limit
  ContainerSecurity security;
  std::chrono::milliseconds timeout{300'000};  // per request (Knative timeoutSeconds default 300)
  std::chrono::milliseconds startup_timeout{120'000};  // a replica not ready by then is restarted
  autoscale::PolicyConfig scaling;
  std::map<std::string, std::string> labels, annotations;
  std::vector<std::string> warnings;  // accepted but ignored settings, shown by deploy
  std::string text;                   // the document it was parsed from
  // Revisions (Knative): a change of `template_key` makes a new revision, named `revision_name` if
  // the user chose one (spec.template.metadata.name), else {name}-{generation:05d}. `traffic` is
  // the Service's spec.traffic (absent: all to the latest revision); `rollout_duration` is
  // serving.knative.dev/rollout-duration.
  std::string template_key;
  std::string revision_name;
  std::optional<std::vector<TrafficTarget>> traffic;
  std::chrono::milliseconds rollout_duration{0};
};

// Parses every function in `text` (YAML, several documents allowed, or JSON): Knative Services,
// OpenFaaS stack files and OpenFaaS API deployments. `source` names the file in errors and is
// used to resolve relative commands. Throws SpecError.
std::vector<FunctionSpec> parse_specs(const std::string& text, const std::string& source);

// Reads and parses a file, or every *.yaml / *.yml / *.json file of a directory.
std::vector<FunctionSpec> load_specs(const std::string& path);

// Go-style duration ("60s", "1m30s", "500ms", "2h") or a bare number of seconds.
std::chrono::milliseconds parse_duration(const std::string& s, const std::string& field);

}  // namespace mlfaas::platform
