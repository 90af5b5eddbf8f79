// Knative Service (serving.knative.dev/v1) -> FunctionSpec. What a single node can honour is
// mapped; what it cannot (sidecars, exec probes, env from secrets, the HPA class) is an error
// naming the field, never silently different behaviour.
#include <fmt/format.h>

#include <optional>

#include "platform/revision_name.h"
#include "platform/spec_fields.h"

namespace mlfaas::platform {

namespace {

constexpr const char* kAs = "autoscaling.knative.dev/";

// Annotation value by its current name or its older camelCase alias. (A default-constructed
// YAML::Node is a defined null, so "absent" needs the optional.)
std::optional<YAML::Node> annotation(const YAML::Node& ann, const std::string& key, const std::string& alias = "") {
  if (!ann || !ann.IsMap()) return std::nullopt;
  if (auto v = ann[std::string(kAs) + key]) return v;
  if (!alias.empty())
    if (auto v = ann[std::string(kAs) + alias]) return v;
  return std::nullopt;
}

void read_autoscaling(const YAML::Node& ann, const FieldReader& r, FunctionSpec& f) {
  const std::string base = "spec.template.metadata.annotations.";
  auto field = [&](const std::string& k) { return base + kAs + k; };
  auto& cfg = f.scaling;
  cfg.kind = autoscale::PolicyKind::kpa;
  if (auto v = annotation(ann, "class")) {
    std::string c = r.str(*v, field("class"));
    if (c == "hpa.autoscaling.knative.dev")
      r.fail(field("class"), "the HPA class (CPU/memory scaling) is not supported locally; use kpa.autoscaling.knative.dev");
    if (c != "kpa.autoscaling.knative.dev") r.fail(field("class"), "unknown class '" + c + "'");
  }
  // mlfaas extension: run the same service under another policy locally.
  if (ann && ann["mlfaas.dev/autoscaler"]) {
    std::string p = r.str(ann["mlfaas.dev/autoscaler"], base + "mlfaas.dev/autoscaler");
    auto kind = autoscale::parse_policy_kind(p);
    if (!kind) r.fail(base + "mlfaas.dev/autoscaler", "expected kpa, openfaas-ce or fixed, got '" + p + "'");
    cfg.kind = *kind;
  }
  auto& k = cfg.kpa;
  k.container_concurrency = f.container_concurrency;
  if (auto v = annotation(ann, "metric")) {
    std::string m = r.str(*v, field("metric"));
    if (m == "concurrency") k.metric = autoscale::Metric::concurrency;
    else if (m == "rps") k.metric = autoscale::Metric::rps;
    else r.fail(field("metric"), "expected concurrency or rps (cpu/memory need the HPA class), got '" + m + "'");
  }
  if (auto v = annotation(ann, "target")) k.target = r.number(*v, field("target"), 0.01, 1e9);
  if (auto v = annotation(ann, "target-utilization-percentage"))
    k.target_utilization = r.number(*v, field("target-utilization-percentage"), 1, 100);
  if (auto v = annotation(ann, "window")) k.stable_window = r.duration(*v, field("window"));
  if (auto v = annotation(ann, "panic-window-percentage"))
    k.panic_window_percentage = r.number(*v, field("panic-window-percentage"), 1, 100);
  if (auto v = annotation(ann, "panic-threshold-percentage"))
    k.panic_threshold_percentage = r.number(*v, field("panic-threshold-percentage"), 110, 1000);
  if (auto v = annotation(ann, "min-scale", "minScale")) k.min_scale = r.integer(*v, field("min-scale"), 0, 10000);
  if (auto v = annotation(ann, "max-scale", "maxScale")) k.max_scale = r.integer(*v, field("max-scale"), 0, 10000);
  if (auto v = annotation(ann, "initial-scale", "initialScale")) {
    k.initial_scale = r.integer(*v, field("initial-scale"), 0, 10000);
    k.allow_zero_initial_scale = k.initial_scale == 0;
  }
  if (auto v = annotation(ann, "activation-scale")) k.activation_scale = r.integer(*v, field("activation-scale"), 1, 10000);
  if (auto v = annotation(ann, "scale-down-delay")) k.scale_down_delay = r.duration(*v, field("scale-down-delay"));
  if (auto v = annotation(ann, "scale-to-zero-pod-retention-period", "scaleToZeroPodRetentionPeriod"))
    k.scale_to_zero_pod_retention_period = r.duration(*v, field("scale-to-zero-pod-retention-period"));
  if (auto v = annotation(ann, "target-burst-capacity"))
    k.target_burst_capacity = r.number(*v, field("target-burst-capacity"), -1, 1e9);
  // Cluster-wide settings in Knative (config-autoscaler); per function here, as an mlfaas extension.
  if (ann && ann["mlfaas.dev/scale-to-zero-grace-period"])
    k.scale_to_zero_grace_period = r.duration(ann["mlfaas.dev/scale-to-zero-grace-period"], base + "mlfaas.dev/scale-to-zero-grace-period");
  if (ann && ann["mlfaas.dev/max-scale-down-rate"])
    k.max_scale_down_rate = r.number(ann["mlfaas.dev/max-scale-down-rate"], base + "mlfaas.dev/max-scale-down-rate", 1.0001, 1e6);
  if (k.max_scale > 0 && k.min_scale > k.max_scale)
    r.fail(field("min-scale"), fmt::format("min-scale {} is above max-scale {}", k.min_scale, k.max_scale));
  // The other policies, when chosen, take their bounds from the same annotations.
  cfg.fixed.replicas = std::max(1, k.min_scale);
  cfg.openfaas_ce.min_replicas = std::max(1, k.min_scale);
  if (k.max_scale > 0) cfg.openfaas_ce.max_replicas = k.max_scale;
  try {
    if (cfg.kind == autoscale::PolicyKind::kpa) k.validate();
    if (cfg.kind == autoscale::PolicyKind::openfaas_ce) cfg.openfaas_ce.validate();
  } catch (const std::invalid_argument& e) {
    r.fail(base + "autoscaling", e.what());
  }
}

std::vector<TrafficTarget> read_traffic(const YAML::Node& list, const FieldReader& r) {
  const std::string field = "spec.traffic";
  if (!list.IsSequence()) r.fail(field, "expected a list of traffic targets");
  std::vector<TrafficTarget> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string f = fmt::format("{}[{}]", field, i);
    const YAML::Node t = list[i];
    if (!t.IsMap()) r.fail(f, "expected a mapping");
    TrafficTarget tt;
    for (auto it = t.begin(); it != t.end(); ++it) {
      const std::string k = it->first.Scalar();
      if (k == "revisionName") tt.revision_name = r.str(it->second, f + ".revisionName");
      else if (k == "latestRevision") tt.latest_revision = r.boolean(it->second, f + ".latestRevision");
      else if (k == "percent") tt.percent = r.integer(it->second, f + ".percent", 0, 100);
      else if (k == "tag") tt.tag = r.str(it->second, f + ".tag");
      else if (k == "configurationName") r.fail(f + ".configurationName", "is not allowed in a Service's traffic");
      else if (k == "url") continue;  // status, not spec
      else r.fail(f + "." + k, "unknown field");
    }
    out.push_back(std::move(tt));
  }
  try {
    validate_traffic(out, field);
  } catch (const SpecError& e) {
    throw SpecError(r.where + ": " + e.what());
  }
  return out;
}

// The template's identity and chosen name, the traffic block and the rollout duration.
void read_revisions(const YAML::Node& doc, const YAML::Node& tmpl, const FieldReader& r, FunctionSpec& f) {
  f.template_key = YAML::Dump(tmpl);
  for (auto& c : f.command) f.template_key += "\n" + c;  // a relative command resolves per file
  if (tmpl["metadata"] && tmpl["metadata"]["name"]) {
    f.revision_name = r.str(tmpl["metadata"]["name"], "spec.template.metadata.name");
    try {
      validate_revision_name(f.name, f.revision_name, "spec.template.metadata.name");
    } catch (const SpecError& e) {
      throw SpecError(r.where + ": " + e.what());
    }
  }
  if (doc["spec"]["traffic"]) f.traffic = read_traffic(doc["spec"]["traffic"], r);
  const YAML::Node ann = doc["metadata"]["annotations"];
  if (ann && ann.IsMap() && ann["serving.knative.dev/rollout-duration"])
    f.rollout_duration = r.duration(ann["serving.knative.dev/rollout-duration"], "metadata.annotations.serving.knative.dev/rollout-duration");
}

}  // namespace

// The fields of a container securityContext a container replica can honour.
static void read_security_context(const FieldReader& r, const YAML::Node& sc, const std::string& field, ContainerSecurity& s) {
  if (!sc.IsMap()) r.fail(field, "expected a mapping");
  if (sc["runAsUser"]) s.run_as_user = r.integer(sc["runAsUser"], field + ".runAsUser", 0, 2147483647);
  if (sc["runAsNonRoot"]) s.run_as_non_root = r.boolean(sc["runAsNonRoot"], field + ".runAsNonRoot");
  if (sc["runAsGroup"]) s.run_as_group = r.integer(sc["runAsGroup"], field + ".runAsGroup", 0, 2147483647);
  if (sc["readOnlyRootFilesystem"])
    s.read_only_root_filesystem = r.boolean(sc["readOnlyRootFilesystem"], field + ".readOnlyRootFilesystem");
  if (sc["allowPrivilegeEscalation"])
    s.no_new_privileges = !r.boolean(sc["allowPrivilegeEscalation"], field + ".allowPrivilegeEscalation");
  if (sc["capabilities"] && sc["capabilities"]["drop"])
    s.drop_capabilities = r.strings(sc["capabilities"]["drop"], field + ".capabilities.drop");
}

FunctionSpec parse_knative_service(const YAML::Node& doc, const std::string& source, const std::string& text) {
  FunctionSpec f;
  f.format = "knative";
  f.source = source;
  f.text = text;
  FieldReader r{source.empty() ? "Knative Service" : source};
  if (!doc["metadata"] || !doc["metadata"]["name"]) r.fail("metadata.name", "is required");
  f.name = r.str(doc["metadata"]["name"], "metadata.name");
  if (doc["metadata"]["namespace"]) f.namespace_ = r.str(doc["metadata"]["namespace"], "metadata.namespace");
  r.where += ": service '" + f.name + "'";
  f.labels = r.string_map(doc["metadata"]["labels"], "metadata.labels");

  const YAML::Node tmpl = doc["spec"] ? doc["spec"]["template"] : YAML::Node();
  if (!tmpl || !tmpl["spec"]) r.fail("spec.template.spec", "is required");
  const YAML::Node ps = tmpl["spec"];
  if (tmpl["metadata"]) f.annotations = r.string_map(tmpl["metadata"]["annotations"], "spec.template.metadata.annotations");
  if (ps["containerConcurrency"])
    f.container_concurrency = r.integer(ps["containerConcurrency"], "spec.template.spec.containerConcurrency", 0, 1000);
  if (ps["timeoutSeconds"])
    f.timeout = std::chrono::seconds(r.integer(ps["timeoutSeconds"], "spec.template.spec.timeoutSeconds", 1, 3600));

  const YAML::Node cs = ps["containers"];
  if (!cs || !cs.IsSequence() || cs.size() == 0) r.fail("spec.template.spec.containers", "needs one container");
  if (cs.size() > 1) r.fail("spec.template.spec.containers", "sidecars (more than one container) are not supported locally");
  const YAML::Node c = cs[0];
  const std::string cf = "spec.template.spec.containers[0]";
  if (c["image"]) f.image = r.str(c["image"], cf + ".image");
  std::vector<std::string> argv;
  if (c["command"]) argv = r.strings(c["command"], cf + ".command");
  if (c["args"]) {
    auto args = r.strings(c["args"], cf + ".args");
    argv.insert(argv.end(), args.begin(), args.end());
  }
  if (argv.empty()) {
    if (f.image.empty()) r.fail(cf + ".command", "is required (or an image, to run as a container)");
    f.no_command_error = r.message(cf + ".command", "is required to run the function as a process (its image runs "
                                                    "as a container with mlfaas up --runtime podman)");
  }
  f.container_command = argv;
  f.command = resolve_command(argv, source);
  if (auto env = c["env"]) {
    if (!env.IsSequence()) r.fail(cf + ".env", "expected a list of {name, value}");
    for (size_t i = 0; i < env.size(); ++i) {
      std::string ef = fmt::format("{}.env[{}]", cf, i);
      if (!env[i]["name"]) r.fail(ef + ".name", "is required");
      if (env[i]["valueFrom"]) r.fail(ef + ".valueFrom", "is not supported locally (secrets and config maps live in the cluster)");
      f.env[r.str(env[i]["name"], ef + ".name")] = env[i]["value"] ? r.str(env[i]["value"], ef + ".value") : "";
    }
  }
  if (auto res = c["resources"]) r.resources(res["requests"], res["limits"], cf + ".resources", f);
  if (auto sc = c["securityContext"]) read_security_context(r, sc, cf + ".securityContext", f.security);
  if (auto ports = c["ports"]) {
    if (!ports.IsSequence() || ports.size() != 1) r.fail(cf + ".ports", "expected exactly one port");
    if (ports[0]["containerPort"]) f.container_port = r.integer(ports[0]["containerPort"], cf + ".ports[0].containerPort", 1, 65535);
  }
  if (auto probe = c["readinessProbe"]) {
    const std::string pf = cf + ".readinessProbe";
    if (probe["exec"]) r.fail(pf + ".exec", "exec probes are not supported (Knative allows httpGet and tcpSocket)");
    if (auto hg = probe["httpGet"]) {
      f.readiness.kind = ReadinessProbe::Kind::http;
      if (hg["path"]) f.readiness.path = r.str(hg["path"], pf + ".httpGet.path");
      if (f.readiness.path.empty() || f.readiness.path[0] != '/') r.fail(pf + ".httpGet.path", "must start with /");
    }
    if (probe["timeoutSeconds"])
      f.readiness.timeout = std::chrono::seconds(r.integer(probe["timeoutSeconds"], pf + ".timeoutSeconds", 1, 3600));
  }
  if (f.annotations.count("mlfaas.dev/startup-timeout"))
    f.startup_timeout = parse_duration(f.annotations["mlfaas.dev/startup-timeout"], "mlfaas.dev/startup-timeout");
  read_autoscaling(tmpl["metadata"] ? tmpl["metadata"]["annotations"] : YAML::Node(), r, f);
  read_revisions(doc, tmpl, r, f);
  return f;
}

}  // namespace mlfaas::platform
