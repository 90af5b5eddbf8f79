#pragma once
// Knative Eventing objects as the platform runs them, from the same YAML/JSON files as functions:
// Broker and Trigger (eventing.knative.dev/v1), SinkBinding and PingSource (sources.knative.dev/v1).
// What a single node cannot honour (a Kafka broker class's config, CESQL filters, subjects chosen by
// label selector) is an error naming the field, never a silent difference.
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "events/delivery.h"
#include "events/filter.h"
#include "platform/function_spec.h"

namespace mlfaas::platform {

// Knative's duckv1.Destination: a reference to an object on this platform, or a URI.
struct Destination {
  std::string ref_kind, ref_name, ref_namespace;  // Service (a function) or Broker
  std::string uri;                                // absolute http:// URI (or a path added to the ref's)
  bool empty() const { return ref_name.empty() && uri.empty(); }
  std::string describe() const;  // "Service demo/logger" or the URI
};

// spec.delivery, as written (unresolved dead-letter sink; defaults are the runtime's).
struct DeliverySpec {
  std::optional<int> retry;
  std::optional<events::BackoffPolicy> backoff_policy;
  std::optional<std::chrono::milliseconds> backoff_delay, timeout;
  std::optional<Destination> dead_letter_sink;
};

struct EventingObject {
  std::string kind, name, namespace_ = "default";
  std::string source, text;  // the file and the document text it came from (saved for restarts)
};

struct BrokerSpec : EventingObject {
  DeliverySpec delivery;  // the triggers' default
};

struct TriggerSpec : EventingObject {
  std::string broker = "default";
  std::map<std::string, std::string> attributes;  // legacy spec.filter.attributes
  std::vector<events::Filter> filters;            // spec.filters (wins over filter when both are set)
  bool has_filters = false;
  Destination subscriber;
  DeliverySpec delivery;
};

struct SinkBindingSpec : EventingObject {
  std::string subject_name;  // a Service (function) in the binding's namespace
  Destination sink;
  std::string ce_overrides;  // JSON of spec.ceOverrides ("" = none)
};

struct PingSourceSpec : EventingObject {
  std::string schedule;
  std::string content_type, data;  // data is the payload bytes (decoded from dataBase64 when given)
  Destination sink;
  std::string ce_overrides;
};

struct EventingSpecs {
  std::vector<BrokerSpec> brokers;
  std::vector<TriggerSpec> triggers;
  std::vector<SinkBindingSpec> sink_bindings;
  std::vector<PingSourceSpec> ping_sources;
  bool empty() const { return brokers.empty() && triggers.empty() && sink_bindings.empty() && ping_sources.empty(); }
  size_t size() const { return brokers.size() + triggers.size() + sink_bindings.size() + ping_sources.size(); }
};

// True for the documents parse_eventing_document reads.
bool is_eventing_document(const YAML::Node& doc);
// One document into `out`. Throws SpecError naming the file, the object and the field.
void parse_eventing_document(const YAML::Node& doc, const std::string& source, const std::string& text,
                             EventingSpecs& out);

// Functions and eventing objects of one file (or API body).
struct SpecSet {
  std::vector<FunctionSpec> functions;
  EventingSpecs eventing;
};
SpecSet parse_spec_set(const std::string& text, const std::string& source);
SpecSet load_spec_set(const std::string& path);

}  // namespace mlfaas::platform
