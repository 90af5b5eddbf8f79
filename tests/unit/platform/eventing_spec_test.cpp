// Knative Eventing documents: what is read, and every refusal names the file, object and field.
#include "platform/eventing_spec.h"

#include <gtest/gtest.h>

namespace mlfaas::platform {
namespace {

std::string error_of(const std::string& yaml) {
  try {
    parse_spec_set(yaml, "f.yaml");
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

const char* kTrigger = R"(apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: log-ml-predictions
  namespace: demo
spec:
  broker: default
  filter:
    attributes:
      type: ml.prediction
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: logger-service
  delivery:
    retry: 3
    backoffPolicy: linear
    backoffDelay: PT0.5S
    deadLetterSink:
      uri: http://127.0.0.1:9/dls
)";

TEST(EventingSpec, ReadsTheStudysTriggerAndBroker) {
  auto set = parse_spec_set(std::string(kTrigger) +
                                "---\napiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n"
                                "  namespace: demo\n",
                            "f.yaml");
  EXPECT_TRUE(set.functions.empty());
  ASSERT_EQ(set.eventing.triggers.size(), 1u);
  ASSERT_EQ(set.eventing.brokers.size(), 1u);
  const auto& t = set.eventing.triggers[0];
  EXPECT_EQ(t.namespace_, "demo");
  EXPECT_EQ(t.broker, "default");
  EXPECT_EQ(t.attributes.at("type"), "ml.prediction");
  EXPECT_FALSE(t.has_filters);
  EXPECT_EQ(t.subscriber.ref_kind, "Service");
  EXPECT_EQ(t.subscriber.ref_name, "logger-service");
  EXPECT_EQ(t.subscriber.ref_namespace, "demo");
  EXPECT_EQ(*t.delivery.retry, 3);
  EXPECT_EQ(*t.delivery.backoff_policy, events::BackoffPolicy::linear);
  EXPECT_EQ(t.delivery.backoff_delay->count(), 500);
  EXPECT_EQ(t.delivery.dead_letter_sink->uri, "http://127.0.0.1:9/dls");
  EXPECT_EQ(set.eventing.brokers[0].name, "default");
}

TEST(EventingSpec, FunctionsAloneStillParseAndEventingDocumentsAreSkippedThere) {
  auto fns = parse_specs(std::string(kTrigger) + "---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n"
                                                  "  name: f\nspec:\n  template:\n    spec:\n      containers:\n"
                                                  "        - image: x\n          command: [\"/bin/true\"]\n",
                         "f.yaml");
  EXPECT_EQ(fns.size(), 1u);
  EXPECT_THROW(parse_specs(kTrigger, "f.yaml"), SpecError);  // no functions in it
}

TEST(EventingSpec, RefusalsNameTheField) {
  const std::string head = "apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t\nspec:\n";
  EXPECT_NE(error_of(head + "  broker: default\n").find("spec.subscriber: is required"), std::string::npos);
  EXPECT_NE(error_of(head + "  subscriber:\n    uri: ftp://x\n").find("spec.subscriber.uri"), std::string::npos);
  EXPECT_NE(error_of(head + "  subscriber:\n    uri: http://x/\n  delivery:\n    backoffPolicy: random\n")
                .find("spec.delivery.backoffPolicy: expected linear or exponential"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  subscriber:\n    uri: http://x/\n  delivery:\n    backoffDelay: 5s\n").find("spec.delivery.backoffDelay"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  subscriber:\n    uri: http://x/\n  filters:\n    - cesql: \"type = 'x'\"\n").find("spec.filters[0]"),
            std::string::npos);
  EXPECT_NE(error_of(head + "  subscriber:\n    ref:\n      kind: KafkaSink\n      name: k\n").find("spec.subscriber.ref.kind"),
            std::string::npos);
  EXPECT_NE(error_of("apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: Bad_Name\nspec:\n"
                     "  subscriber:\n    uri: http://x/\n")
                .find("metadata.name"),
            std::string::npos);
  EXPECT_NE(error_of("apiVersion: sources.knative.dev/v1\nkind: SinkBinding\nmetadata:\n  name: b\nspec:\n  subject:\n"
                     "    selector:\n      matchLabels: {app: x}\n  sink:\n    uri: http://x/\n")
                .find("spec.subject.selector"),
            std::string::npos);
  EXPECT_NE(error_of("apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: p\nspec:\n"
                     "  schedule: \"61 * * * *\"\n  sink:\n    uri: http://x/\n")
                .find("spec.schedule"),
            std::string::npos);
  EXPECT_NE(error_of("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: b\nspec:\n  config:\n"
                     "    kind: ConfigMap\n    name: kafka\n")
                .find("spec.config"),
            std::string::npos);
  // Every message names the file and the object.
  EXPECT_NE(error_of(head + "  broker: default\n").find("f.yaml: Trigger 't': "), std::string::npos);
}

TEST(EventingSpec, PingSourceAndSinkBinding) {
  auto set = parse_spec_set(
      "apiVersion: sources.knative.dev/v1\nkind: PingSource\nmetadata:\n  name: p\nspec:\n  schedule: \"*/5 * * * *\"\n"
      "  contentType: text/plain\n  dataBase64: aGVsbG8=\n  sink:\n    ref:\n      apiVersion: eventing.knative.dev/v1\n"
      "      kind: Broker\n      name: default\n---\napiVersion: sources.knative.dev/v1\nkind: SinkBinding\nmetadata:\n"
      "  name: b\nspec:\n  subject:\n    apiVersion: serving.knative.dev/v1\n    kind: Service\n    name: classifier\n"
      "  sink:\n    uri: http://127.0.0.1:1/\n  ceOverrides:\n    extensions:\n      team: ml\n",
      "f.yaml");
  ASSERT_EQ(set.eventing.ping_sources.size(), 1u);
  EXPECT_EQ(set.eventing.ping_sources[0].data, "hello");
  EXPECT_EQ(set.eventing.ping_sources[0].sink.ref_kind, "Broker");
  ASSERT_EQ(set.eventing.sink_bindings.size(), 1u);
  EXPECT_EQ(set.eventing.sink_bindings[0].subject_name, "classifier");
  EXPECT_EQ(set.eventing.sink_bindings[0].ce_overrides, R"({"extensions":{"team":"ml"}})");
}

}  // namespace
}  // namespace mlfaas::platform
