#include <gtest/gtest.h>

#include "platform/function_spec.h"
#include "platform/spec_fields.h"
#include "platform/up.h"

using namespace mlfaas::platform;
using namespace std::chrono_literals;

namespace {

const char* kKnative = R"(apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: classifier
  namespace: ml
  labels: {team: vision}
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/class: kpa.autoscaling.knative.dev
        autoscaling.knative.dev/metric: rps
        autoscaling.knative.dev/target: "50"
        autoscaling.knative.dev/target-utilization-percentage: "80"
        autoscaling.knative.dev/window: "2m"
        autoscaling.knative.dev/panic-window-percentage: "20"
        autoscaling.knative.dev/panic-threshold-percentage: "300"
        autoscaling.knative.dev/minScale: "1"
        autoscaling.knative.dev/max-scale: "7"
        autoscaling.knative.dev/initial-scale: "2"
        autoscaling.knative.dev/activation-scale: "2"
        autoscaling.knative.dev/scale-down-delay: "30s"
        autoscaling.knative.dev/scale-to-zero-pod-retention-period: "1m30s"
        autoscaling.knative.dev/target-burst-capacity: "-1"
    spec:
      containerConcurrency: 10
      timeoutSeconds: 45
      containers:
        - image: ghcr.io/x/y:1
          command: ["/bin/echo"]
          args: ["serve", "--fast"]
          env:
            - {name: A, value: "1"}
            - {name: B}
          ports: [{containerPort: 9000}]
          readinessProbe:
            httpGet: {path: /ready}
            timeoutSeconds: 2
)";

std::string renamed(std::string s, const std::string& name) {
  s.replace(s.find("name: s"), 7, "name: " + name);
  return s;
}

std::string spec_error(const std::string& text) {
  try {
    parse_specs(text, "f.yaml");
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

std::string knative_with(const std::string& annotations, const std::string& spec = "", const std::string& container = "") {
  return "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  template:\n"
         "    metadata:\n      annotations:\n" + annotations + "        x: y\n    spec:\n" + spec +
         "      containers:\n        - image: x\n          command: [\"true\"]\n" + container;
}

TEST(KnativeSpec, AContainerRunsTheCommandAsWrittenNotTheHostsBinary) {
  auto f = parse_specs(knative_with("").replace(knative_with("").find("[\"true\"]"), 8, "[\"mlfaas\", \"serve\"]"),
                       "/tmp/f.yaml")[0];
  EXPECT_EQ(f.container_command, (std::vector<std::string>{"mlfaas", "serve"}));
  EXPECT_NE(f.command[0], "mlfaas");  // locally: the running binary (/proc/self/exe)
}

TEST(KnativeSpec, MemoryLimitAndSecurityContextForContainerReplicas) {
  auto f = parse_specs(knative_with("", "", "          resources: {limits: {memory: 512Mi}}\n"
                                            "          securityContext:\n"
                                            "            runAsUser: 10001\n            runAsGroup: 10001\n"
                                            "            runAsNonRoot: true\n"
                                            "            readOnlyRootFilesystem: true\n"
                                            "            allowPrivilegeEscalation: false\n"
                                            "            capabilities: {drop: [ALL]}\n"),
                       "f.yaml")[0];
  EXPECT_EQ(f.memory_limit, 512ull << 20);
  EXPECT_EQ(f.security.run_as_user, 10001);
  EXPECT_EQ(f.security.run_as_group, 10001);
  EXPECT_TRUE(f.security.run_as_non_root);
  EXPECT_TRUE(f.security.read_only_root_filesystem);
  EXPECT_TRUE(f.security.no_new_privileges);
  EXPECT_EQ(f.security.drop_capabilities, (std::vector<std::string>{"ALL"}));
  auto plain = parse_specs(knative_with(""), "f.yaml")[0];
  EXPECT_EQ(plain.memory_limit, 0u);
  EXPECT_FALSE(plain.security.run_as_user.has_value());
  EXPECT_FALSE(plain.security.read_only_root_filesystem);
  EXPECT_FALSE(plain.security.run_as_non_root);
  for (auto [text, needle] : {std::pair<std::string, std::string>{
           knative_with("", "", "          resources: {limits: {memory: lots}}\n"),
           "containers[0].resources.limits.memory: expected a memory quantity"},
       {knative_with("", "", "          securityContext: {runAsUser: root}\n"), "securityContext.runAsUser"},
       {knative_with("", "", "          securityContext: {runAsNonRoot: maybe}\n"), "securityContext.runAsNonRoot"}}) {
    auto e = spec_error(text);
    EXPECT_NE(e.find(needle), std::string::npos) << "error: '" << e << "'\nexpected: " << needle;
  }
}

TEST(Specs, AnImageWithoutACommandRunsOnlyAsAContainer) {
  auto k = parse_specs("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: s}\nspec:\n  template:\n"
                       "    spec:\n      containers:\n        - image: ghcr.io/x/y:1\n",
                       "k.yaml")[0];
  EXPECT_TRUE(k.command.empty());
  EXPECT_TRUE(k.container_command.empty());  // the image's own CMD
  EXPECT_NE(k.no_command_error.find("k.yaml: service 's': spec.template.spec.containers[0].command: is required to run "
                                    "the function as a process"),
            std::string::npos)
      << k.no_command_error;
  auto o = parse_specs("functions:\n  f:\n    image: x\n", "stack.yml")[0];
  EXPECT_TRUE(o.command.empty());
  EXPECT_NE(o.no_command_error.find("functions.f.command"), std::string::npos) << o.no_command_error;
  EXPECT_TRUE(parse_specs(kKnative, "k.yaml")[0].no_command_error.empty());
}

TEST(KnativeSpec, EveryFieldIsRead) {
  auto specs = parse_specs(kKnative, "/tmp/f.yaml");
  ASSERT_EQ(specs.size(), 1u);
  const auto& f = specs[0];
  EXPECT_EQ(f.name, "classifier");
  EXPECT_EQ(f.namespace_, "ml");
  EXPECT_EQ(f.format, "knative");
  EXPECT_EQ(f.image, "ghcr.io/x/y:1");
  EXPECT_EQ(f.command, (std::vector<std::string>{"/bin/echo", "serve", "--fast"}));
  EXPECT_EQ(f.container_command, f.command);  // what a container of the image runs
  EXPECT_EQ(f.env.at("A"), "1");
  EXPECT_EQ(f.env.at("B"), "");
  EXPECT_EQ(f.container_port, 9000);
  EXPECT_EQ(f.readiness.kind, ReadinessProbe::Kind::http);
  EXPECT_EQ(f.readiness.path, "/ready");
  EXPECT_EQ(f.readiness.timeout, 2s);
  EXPECT_EQ(f.container_concurrency, 10);
  EXPECT_EQ(f.timeout, 45s);
  EXPECT_EQ(f.labels.at("team"), "vision");
  const auto& k = f.scaling.kpa;
  EXPECT_EQ(f.scaling.kind, mlfaas::autoscale::PolicyKind::kpa);
  EXPECT_EQ(k.metric, mlfaas::autoscale::Metric::rps);
  EXPECT_EQ(*k.target, 50);
  EXPECT_EQ(k.target_utilization, 80);
  EXPECT_EQ(k.stable_window, 120s);
  EXPECT_EQ(k.panic_window_percentage, 20);
  EXPECT_EQ(k.panic_threshold_percentage, 300);
  EXPECT_EQ(k.min_scale, 1);
  EXPECT_EQ(k.max_scale, 7);
  EXPECT_EQ(k.initial_scale, 2);
  EXPECT_EQ(k.activation_scale, 2);
  EXPECT_EQ(k.scale_down_delay, 30s);
  EXPECT_EQ(k.scale_to_zero_pod_retention_period, 90s);
  EXPECT_EQ(k.target_burst_capacity, -1);
  EXPECT_EQ(k.container_concurrency, 10);
}

TEST(KnativeSpec, DefaultsAreKnatives) {
  auto f = parse_specs(knative_with(""), "f.yaml")[0];
  EXPECT_EQ(f.namespace_, "default");
  EXPECT_EQ(f.readiness.kind, ReadinessProbe::Kind::tcp);
  EXPECT_EQ(f.container_concurrency, 0);
  EXPECT_EQ(f.timeout, 300s);
  EXPECT_EQ(f.scaling.kpa.min_scale, 0);
  EXPECT_EQ(f.scaling.kpa.stable_window, 60s);
  EXPECT_FALSE(f.scaling.kpa.target.has_value());
}

TEST(KnativeSpec, ErrorsNameTheField) {
  auto has = [](const std::string& text, const std::string& needle) {
    auto e = spec_error(text);
    EXPECT_NE(e.find(needle), std::string::npos) << "error: '" << e << "'\nexpected: " << needle;
  };
  has(knative_with("        autoscaling.knative.dev/class: hpa.autoscaling.knative.dev\n"), "HPA class");
  has(knative_with("        autoscaling.knative.dev/metric: cpu\n"), "autoscaling.knative.dev/metric");
  has(knative_with("        autoscaling.knative.dev/target: \"-3\"\n"), "autoscaling.knative.dev/target");
  has(knative_with("        autoscaling.knative.dev/window: \"2s\"\n"), "window");
  has(knative_with("        autoscaling.knative.dev/min-scale: \"5\"\n        autoscaling.knative.dev/max-scale: \"2\"\n"),
      "min-scale 5 is above max-scale 2");
  has(knative_with("        autoscaling.knative.dev/panic-threshold-percentage: \"50\"\n"), "panic-threshold-percentage");
  has(knative_with("", "      containerConcurrency: 5000\n"), "containerConcurrency");
  has(knative_with("", "      timeoutSeconds: 0\n"), "timeoutSeconds");
  has(knative_with("", "", "          readinessProbe: {exec: {command: [x]}}\n"), "readinessProbe.exec");
  has(knative_with("", "", "          env: [{name: X, valueFrom: {secretKeyRef: {name: s, key: k}}}]\n"),
      "env[0].valueFrom");
  has(knative_with("", "", "          ports: [{containerPort: 0}]\n"), "containerPort");
  has("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: s}\nspec:\n  template:\n    spec:\n"
      "      containers:\n        - ports: [{containerPort: 8080}]\n",
      "containers[0].command: is required (or an image");
  has("apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: s}\nspec:\n  template:\n    spec:\n"
      "      containers: [{image: a, command: [x]}, {image: b, command: [y]}]\n",
      "sidecars");
  has("apiVersion: serving.knative.dev/v1\nkind: Service\nspec: {}\n", "metadata.name");
  has("apiVersion: v1\nkind: Pod\n", "not supported");
  has("a: [", "not valid YAML");
  has("hello: world\n", "not a Knative Service");
  has(renamed(knative_with(""), "Not_A_DNS_Label"), "must be a DNS label");
}

TEST(OpenFaasStack, FunctionsLabelsEnvAndCommand) {
  auto specs = parse_specs(R"(version: 1.0
provider: {name: openfaas, gateway: http://127.0.0.1:8080}
functions:
  classifier:
    lang: python3-http-debian
    handler: ./classifier
    image: x/classifier:latest
    command: mlfaas serve --workers 1
    environment:
      write_timeout: 20s
      exec_timeout: "45"
      max_inflight: "8"
    labels:
      com.openfaas.scale.min: "2"
      com.openfaas.scale.max: "10"
      com.openfaas.scale.factor: "30"
    annotations:
      com.openfaas.ready.http.path: /_/ready
  other:
    image: x/other
    environment: {fprocess: "./bin/other --flag"}
)", "/srv/app/stack.yml");
  ASSERT_EQ(specs.size(), 2u);
  auto& c = specs[0].name == "classifier" ? specs[0] : specs[1];
  auto& o = specs[0].name == "classifier" ? specs[1] : specs[0];
  EXPECT_EQ(c.format, "openfaas-stack");
  EXPECT_EQ(c.command.size(), 4u);
  EXPECT_EQ(c.command[1], "serve");
  EXPECT_EQ(c.timeout, 45s);
  EXPECT_EQ(c.container_concurrency, 8);
  EXPECT_EQ(c.readiness.kind, ReadinessProbe::Kind::http);
  EXPECT_EQ(c.readiness.path, "/_/ready");
  EXPECT_EQ(c.scaling.kind, mlfaas::autoscale::PolicyKind::openfaas_ce);
  EXPECT_EQ(c.scaling.openfaas_ce.min_replicas, 2);
  EXPECT_EQ(c.scaling.openfaas_ce.max_replicas, 10);
  EXPECT_EQ(c.scaling.openfaas_ce.effective_max(), 5);
  EXPECT_EQ(c.scaling.openfaas_ce.scaling_factor, 30);
  ASSERT_FALSE(c.warnings.empty());  // max capped to 5
  EXPECT_NE(c.warnings[0].find("capped"), std::string::npos);
  // fprocess, relative to the stack file's directory
  EXPECT_EQ(o.command, (std::vector<std::string>{"/srv/app/bin/other", "--flag"}));
  EXPECT_EQ(o.scaling.openfaas_ce.min_replicas, 1);
}

TEST(OpenFaasStack, ErrorsNameTheFunctionAndField) {
  EXPECT_NE(spec_error("functions:\n  f:\n    environment: {a: b}\n").find("functions.f.command"), std::string::npos);
  EXPECT_NE(spec_error("functions:\n  f:\n    image: x\n    command: x\n    labels: {com.openfaas.scale.min: \"0\"}\n")
                .find("com.openfaas.scale.min"),
            std::string::npos);
  EXPECT_NE(spec_error("functions:\n  f:\n    image: x\n    command: x\n    labels: {com.openfaas.scale.min: \"4\", "
                       "com.openfaas.scale.max: \"2\"}\n")
                .find("above max"),
            std::string::npos);
  EXPECT_NE(spec_error("provider: {name: lambda}\nfunctions:\n  f: {command: x}\n").find("provider.name"), std::string::npos);
  EXPECT_NE(spec_error("functions: {}\n").find("functions"), std::string::npos);
  EXPECT_NE(spec_error("functions:\n  f:\n    command: x\n    environment: {exec_timeout: forever}\n").find("exec_timeout"),
            std::string::npos);
}

TEST(OpenFaasApi, DeploymentJson) {
  auto specs = parse_specs(R"({"service":"hello","image":"x/hello","envProcess":"/bin/hello -v",
                               "envVars":{"K":"V"},"labels":{"com.openfaas.scale.min":"1"},
                               "annotations":{"mlfaas.dev/autoscaler":"fixed"}})", "");
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].format, "openfaas-api");
  EXPECT_EQ(specs[0].command, (std::vector<std::string>{"/bin/hello", "-v"}));
  EXPECT_EQ(specs[0].env.at("K"), "V");
  EXPECT_EQ(specs[0].scaling.kind, mlfaas::autoscale::PolicyKind::fixed);
}

TEST(Specs, SeveralDocumentsAndTheBuiltinClassifier) {
  auto two = parse_specs(knative_with("") + "---\n" + renamed(knative_with(""), "t"), "f.yaml");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].name, "t");
  auto builtin = parse_specs(builtin_classifier_spec(), "built-in");
  ASSERT_EQ(builtin.size(), 1u);
  EXPECT_EQ(builtin[0].name, "classifier");
  EXPECT_EQ(builtin[0].scaling.kpa.min_scale, 0);
  // "mlfaas" does not exist as a file here, so it is resolved to the running binary.
  EXPECT_EQ(builtin[0].command[0][0], '/');
  EXPECT_EQ(builtin[0].command[1], "serve");
}

TEST(Specs, DurationsAndCommandLines) {
  EXPECT_EQ(parse_duration("60s", ""), 60s);
  EXPECT_EQ(parse_duration("1m30s", ""), 90s);
  EXPECT_EQ(parse_duration("500ms", ""), 500ms);
  EXPECT_EQ(parse_duration("2h", ""), 7200s);
  EXPECT_EQ(parse_duration("1.5s", ""), 1500ms);
  EXPECT_EQ(parse_duration("30", ""), 30s);
  EXPECT_THROW(parse_duration("soon", ""), SpecError);
  EXPECT_THROW(parse_duration("5d", ""), SpecError);
  EXPECT_THROW(parse_duration("", ""), SpecError);
  EXPECT_EQ(split_command_line("a 'b c' \"d \\\"e\\\"\" f\\ g"),
            (std::vector<std::string>{"a", "b c", "d \"e\"", "f g"}));
  EXPECT_THROW(split_command_line("a 'b"), SpecError);
}

}  // namespace

namespace {

std::string hostile_error(const std::string& text) {
  try {
    parse_specs(text, "");
  } catch (const SpecError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted:\n" << text;
  return {};
}

const std::string kBase = "apiVersion: serving.knative.dev/v1\nkind: Service\n";

TEST(HostileSpecs, InvalidUtf8IsRefused) {
  auto e = hostile_error(kBase + "metadata: {name: s}\nspec:\n  template:\n    spec:\n      containers:\n"
                                 "        - image: x\n          command: [\"/bin/echo\", \"\xff\xfe\"]\n");
  EXPECT_NE(e.find("not valid UTF-8"), std::string::npos) << e;
}

TEST(HostileSpecs, WrongTypesAreSpecErrorsNotCrashes) {
  for (const std::string& text :
       {kBase + "metadata: x\n", kBase + "metadata: {name: s}\nspec: 5\n",
        kBase + "metadata: {name: s}\nspec:\n  template:\n    spec:\n      containers: {a: b}\n",
        kBase + "metadata: {name: [1, 2]}\nspec: {}\n", std::string("functions: 7\n"), std::string("functions:\n  f: [1]\n"),
        std::string("service: {a: b}\n")}) {
    auto e = hostile_error(text);
    EXPECT_FALSE(e.empty()) << text;
  }
}

TEST(HostileSpecs, NamespacesAreDnsLabels) {
  auto e = hostile_error(kBase + "metadata: {name: s, namespace: \"../etc\"}\nspec:\n  template:\n    spec:\n"
                                 "      containers: [{image: x, command: [/bin/true]}]\n");
  EXPECT_NE(e.find("namespace '../etc' must be a DNS label"), std::string::npos) << e;
}

TEST(HostileSpecs, HugeEnvironmentsAreRefused) {
  auto e = hostile_error(kBase + "metadata: {name: s}\nspec:\n  template:\n    spec:\n"
                                 "      containers: [{image: x, command: [/bin/true], env: [{name: BIG, value: \"" +
                         std::string(1 << 20, 'a') + "\"}]}]\n");
  EXPECT_NE(e.find("environment variable BIG"), std::string::npos) << e.substr(0, 200);
}

TEST(HostileSpecs, AnEmptyCommandIsRefused) {
  auto e = hostile_error("functions:\n  f:\n    image: x\n    command: \"\\r\\r\"\n");
  EXPECT_NE(e.find("command"), std::string::npos) << e;
}

TEST(HostileSpecs, CpuQuantitiesAreChecked) {
  auto spec = [](const std::string& res) {
    return kBase + "metadata: {name: s}\nspec:\n  template:\n    spec:\n      containers:\n"
                   "        - image: x\n          command: [/bin/true]\n          resources: " + res + "\n";
  };
  auto ok = parse_specs(spec("{requests: {cpu: 500m}, limits: {cpu: \"2\"}}"), "");
  EXPECT_DOUBLE_EQ(ok[0].cpu_request, 0.5);
  EXPECT_DOUBLE_EQ(ok[0].cpu_limit, 2);
  auto limit_only = parse_specs(spec("{limits: {cpu: \"1.5\"}}"), "");
  EXPECT_DOUBLE_EQ(limit_only[0].cpu_request, 1.5);  // Kubernetes: the request defaults to the limit
  EXPECT_NE(hostile_error(spec("{requests: {cpu: lots}}")).find("requests.cpu"), std::string::npos);
  EXPECT_NE(hostile_error(spec("{requests: {cpu: \"3\"}, limits: {cpu: \"2\"}}")).find("above the limit"), std::string::npos);
}

}  // namespace

namespace {

// Found by fuzz/targets/specs.cpp: yaml-cpp 0.7 never returns on these (a document whose top node
// is a flow collection followed by more text); they must be refused, at once.
TEST(HostileSpecs, TextAfterATopLevelFlowCollectionIsRefusedNotHung) {
  for (const std::string& text : {std::string(", a\n"), std::string("\"a\", b"), std::string("'a', b\n"),
                                  std::string("&x \"a\" , b"), std::string("--- \"a\", b\n"), std::string("\n&..,"),
                                  std::string("!t, a"), std::string("# z\n&!.a% K\n&..i,"), std::string("K\n&a,"),
                                  std::string("a: 1\n...\n, b"), std::string("plain scalar, b\n"),
                                  std::string("a: 1\n%    x: 1\n    ,,,b: 1\n"),
                                  std::string("    a: 1\n    b: 2\n   , c\n"), std::string("-\n&..,"), std::string("- a\n, b"),
                                  std::string(", \"lab\0\0\0\0\x04\0" "0\"}}\n", 15),
                                  std::string("\0,{{{k{assify:\n}\n", 16)}) {
    auto e = hostile_error(text);
    EXPECT_TRUE(e.find("document") != std::string::npos || e.find("control character") != std::string::npos)
        << text << " -> " << e;
  }
  for (const std::string& text : {std::string("{a: 1}, b\n"), std::string("[a], b\n"), std::string("{a}, b"),
                                  std::string("x: 1\n---\n{a: 1}, b\n"),
                                  std::string("{\"servis\": \"1\"}, \"lative Service;: \"1\"}}\n"),
                                  std::string("{Ce\": N4YAML9ExceptionE\"x\",}, \"labe{\"com.cpr}\"s")}) {
    auto e = hostile_error(text);
    EXPECT_NE(e.find("is not JSON"), std::string::npos) << text << " -> " << e;
  }
  // Comment lines around a JSON document are fine.
  auto ok = parse_specs("# a deployment\n{\"service\": \"fn\", \"envProcess\": \"/bin/true\"}\n\n# another\n", "");
  EXPECT_EQ(ok.size(), 1u);
}

}  // namespace
