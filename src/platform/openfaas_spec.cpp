// OpenFaaS stack.yml functions and OpenFaaS API deployments (the JSON faas-cli POSTs to
// /system/functions) -> FunctionSpec. OpenFaaS files describe images, not commands, so the local
// command comes from (in order) a `command` field on the function (ignored by faas-cli), the
// annotation com.mlfaas.command, or the of-watchdog variable environment.fprocess.
#include <fmt/format.h>

#include "platform/spec_fields.h"

namespace mlfaas::platform {

namespace {

void read_openfaas_scaling(const FieldReader& r, FunctionSpec& f, const std::string& labels_field) {
  auto& cfg = f.scaling;
  cfg.kind = autoscale::PolicyKind::openfaas_ce;
  auto& ce = cfg.openfaas_ce;
  auto label = [&](const std::string& k) -> const std::string* {
    auto it = f.labels.find(k);
    return it == f.labels.end() ? nullptr : &it->second;
  };
  auto num = [&](const std::string& k, int lo, int hi) {
    return r.integer(YAML::Node(*label(k)), labels_field + "." + k, lo, hi);
  };
  if (label("com.openfaas.scale.min")) ce.min_replicas = num("com.openfaas.scale.min", 1, 10000);
  if (label("com.openfaas.scale.max")) ce.max_replicas = num("com.openfaas.scale.max", 1, 10000);
  if (label("com.openfaas.scale.factor")) ce.scaling_factor = num("com.openfaas.scale.factor", 0, 100);
  if (ce.max_replicas > autoscale::kOpenFaasCeMaxReplicas)
    f.warnings.push_back(fmt::format("com.openfaas.scale.max {} is capped to {} (OpenFaaS CE)", ce.max_replicas,
                                     autoscale::kOpenFaasCeMaxReplicas));
  if (label("com.openfaas.scale.zero"))
    f.warnings.push_back("com.openfaas.scale.zero is an OpenFaaS Pro feature; the CE policy never scales to zero "
                         "(use the annotation mlfaas.dev/autoscaler: kpa for scale to zero)");
  if (ce.min_replicas > ce.effective_max())
    r.fail(labels_field + ".com.openfaas.scale.min",
           fmt::format("min {} is above max {}", ce.min_replicas, ce.effective_max()));
  cfg.fixed.replicas = ce.min_replicas;
  cfg.kpa.min_scale = ce.min_replicas;
  cfg.kpa.max_scale = ce.max_replicas;
  cfg.kpa.container_concurrency = f.container_concurrency;
  auto ann = f.annotations.find("mlfaas.dev/autoscaler");
  if (ann != f.annotations.end()) {
    auto kind = autoscale::parse_policy_kind(ann->second);
    if (!kind) r.fail("annotations.mlfaas.dev/autoscaler", "expected kpa, openfaas-ce or fixed, got '" + ann->second + "'");
    cfg.kind = *kind;
    // kpa's default min-scale for OpenFaaS files is the CE min (1) unless 0 is asked for.
    if (*kind == autoscale::PolicyKind::kpa && f.annotations.count("mlfaas.dev/min-scale"))
      cfg.kpa.min_scale = r.integer(YAML::Node(f.annotations["mlfaas.dev/min-scale"]), "annotations.mlfaas.dev/min-scale", 0, 10000);
  }
  try {
    if (cfg.kind == autoscale::PolicyKind::openfaas_ce) ce.validate();
    if (cfg.kind == autoscale::PolicyKind::kpa) cfg.kpa.validate();
  } catch (const std::invalid_argument& e) {
    r.fail(labels_field, e.what());
  }
}

// The of-watchdog timeouts bound a request's duration; take the longest one set.
void read_watchdog_env(const FieldReader& r, FunctionSpec& f, const std::string& env_field) {
  std::chrono::milliseconds t{0};
  for (const char* k : {"exec_timeout", "write_timeout", "read_timeout"}) {
    auto it = f.env.find(k);
    if (it != f.env.end()) t = std::max(t, r.duration(YAML::Node(it->second), env_field + "." + k));
  }
  if (t.count() > 0) f.timeout = t;
  auto mi = f.env.find("max_inflight");
  if (mi != f.env.end()) f.container_concurrency = r.integer(YAML::Node(mi->second), env_field + ".max_inflight", 0, 1000);
  auto rp = f.annotations.find("com.openfaas.ready.http.path");
  if (rp != f.annotations.end()) {
    f.readiness.kind = ReadinessProbe::Kind::http;
    f.readiness.path = rp->second;
  }
}

std::vector<std::string> local_command(const FieldReader& r, const YAML::Node& fn, const FunctionSpec& f,
                                       const std::string& field) {
  if (fn["command"]) {
    auto argv = r.strings(fn["command"], field + ".command");
    if (argv.empty()) r.fail(field + ".command", "the command is empty");
    return argv;
  }
  auto a = f.annotations.find("com.mlfaas.command");
  if (a != f.annotations.end()) return split_command_line(a->second);
  auto e = f.env.find("fprocess");
  if (e != f.env.end()) return split_command_line(e->second);
  if (!f.image.empty()) return {};  // a container of the image (mlfaas up --runtime podman)
  r.fail(field + ".command", "is required to run the function locally: add `command:` (ignored by faas-cli), the "
                             "annotation com.mlfaas.command, or environment.fprocess");
}

// A function's identity for revisions: what its document says, and the command it resolved to.
std::string template_key(const YAML::Node& fn, const FunctionSpec& f) {
  std::string key = YAML::Dump(fn);
  for (auto& c : f.command) key += "\n" + c;
  return key;
}

}  // namespace

std::vector<FunctionSpec> parse_openfaas_stack(const YAML::Node& doc, const std::string& source, const std::string& text) {
  FieldReader top{source.empty() ? "stack.yml" : source};
  if (doc["provider"] && doc["provider"]["name"]) {
    std::string p = top.str(doc["provider"]["name"], "provider.name");
    if (p != "openfaas" && p != "faas") top.fail("provider.name", "expected openfaas, got '" + p + "'");
  }
  const YAML::Node fns = doc["functions"];
  if (!fns.IsMap() || fns.size() == 0) top.fail("functions", "expected a mapping of function names to functions");
  std::vector<FunctionSpec> out;
  for (auto it = fns.begin(); it != fns.end(); ++it) {
    FunctionSpec f;
    f.format = "openfaas-stack";
    f.source = source;
    f.text = text;
    f.name = it->first.Scalar();
    FieldReader r{top.where + ": function '" + f.name + "'"};
    const YAML::Node fn = it->second;
    const std::string field = "functions." + f.name;
    if (!fn.IsMap()) r.fail(field, "expected a mapping");
    if (fn["image"]) f.image = r.str(fn["image"], field + ".image");
    if (fn["namespace"]) f.namespace_ = r.str(fn["namespace"], field + ".namespace");
    f.env = r.string_map(fn["environment"], field + ".environment");
    f.labels = r.string_map(fn["labels"], field + ".labels");
    f.annotations = r.string_map(fn["annotations"], field + ".annotations");
    if (fn["secrets"]) f.warnings.push_back("secrets are not mounted locally");
    r.resources(fn["requests"], fn["limits"], field, f);
    f.command = resolve_command(local_command(r, fn, f, field), source);
    if (f.command.empty())
      f.no_command_error = r.message(field + ".command", "is required to run the function as a process: add `command:` "
                                                         "(ignored by faas-cli), the annotation com.mlfaas.command, or "
                                                         "environment.fprocess; or run its image with mlfaas up --runtime podman");
    read_watchdog_env(r, f, field + ".environment");
    read_openfaas_scaling(r, f, field + ".labels");
    f.template_key = template_key(fn, f);
    out.push_back(std::move(f));
  }
  return out;
}

FunctionSpec parse_openfaas_deployment(const YAML::Node& doc, const std::string& source, const std::string& text) {
  FunctionSpec f;
  f.format = "openfaas-api";
  f.source = source;
  f.text = text;
  FieldReader r{"deployment"};
  f.name = r.str(doc["service"], "service");
  r.where += " '" + f.name + "'";
  if (doc["image"]) f.image = r.str(doc["image"], "image");
  if (doc["namespace"]) f.namespace_ = r.str(doc["namespace"], "namespace");
  f.env = r.string_map(doc["envVars"], "envVars");
  f.labels = r.string_map(doc["labels"], "labels");
  f.annotations = r.string_map(doc["annotations"], "annotations");
  r.resources(doc["requests"], doc["limits"], "", f);
  std::vector<std::string> argv;
  if (doc["envProcess"]) argv = split_command_line(r.str(doc["envProcess"], "envProcess"));
  else if (f.annotations.count("com.mlfaas.command")) argv = split_command_line(f.annotations["com.mlfaas.command"]);
  else if (f.env.count("fprocess")) argv = split_command_line(f.env["fprocess"]);
  if (argv.empty() && f.image.empty()) r.fail("envProcess", "is required to run the function locally (or an image)");
  if (argv.empty())
    f.no_command_error = r.message("envProcess", "is required to run the function as a process (its image runs as a "
                                                 "container with mlfaas up --runtime podman)");
  f.command = resolve_command(argv, source);
  read_watchdog_env(r, f, "envVars");
  read_openfaas_scaling(r, f, "labels");
  f.template_key = template_key(doc, f);
  return f;
}

}  // namespace mlfaas::platform
