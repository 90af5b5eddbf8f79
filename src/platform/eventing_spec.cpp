// Knative Eventing documents -> EventingSpecs. Field errors name the file, the object and the path,
// like the function parsers (spec_fields.h).
#include "platform/eventing_spec.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "common/base64.h"
#include "events/cron.h"
#include "platform/spec_fields.h"

namespace mlfaas::platform {

namespace json = boost::json;

std::string Destination::describe() const {
  if (ref_name.empty()) return uri;
  return fmt::format("{} {}/{}{}", ref_kind, ref_namespace, ref_name, uri.empty() ? "" : " " + uri);
}

namespace {

// YAML -> JSON with scalars as strings (what the filter and ceOverrides readers take).
json::value to_json(const YAML::Node& n) {
  if (!n || n.IsNull()) return nullptr;
  if (n.IsScalar()) return json::string(n.Scalar());
  if (n.IsSequence()) {
    json::array a;
    for (const auto& x : n) a.push_back(to_json(x));
    return a;
  }
  json::object o;
  for (auto it = n.begin(); it != n.end(); ++it) o[it->first.Scalar()] = to_json(it->second);
  return o;
}

// A DNS-1123 label: object names become host name labels and queue subjects.
void check_label(const FieldReader& r, const std::string& field, const std::string& v) {
  bool ok = !v.empty() && v.size() <= 63 && v.front() != '-' && v.back() != '-';
  for (char c : v) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok) r.fail(field, fmt::format("'{}' must be a DNS label: lower-case letters, digits and '-'", v));
}

Destination read_destination(const YAML::Node& n, const FieldReader& r, const std::string& field,
                             const std::string& default_ns) {
  if (!n || !n.IsMap()) r.fail(field, "expected a destination: ref: {kind, name} or uri");
  Destination d;
  if (auto ref = n["ref"]) {
    if (!ref.IsMap() || !ref["name"]) r.fail(field + ".ref.name", "is required");
    d.ref_name = r.str(ref["name"], field + ".ref.name");
    d.ref_kind = ref["kind"] ? r.str(ref["kind"], field + ".ref.kind") : "Service";
    d.ref_namespace = ref["namespace"] ? r.str(ref["namespace"], field + ".ref.namespace") : default_ns;
    const std::string api = ref["apiVersion"] ? r.str(ref["apiVersion"], field + ".ref.apiVersion") : "";
    if (d.ref_kind == "Service") {
      if (!api.empty() && api != "serving.knative.dev/v1" && api != "v1")
        r.fail(field + ".ref.apiVersion", "a Service reference must be serving.knative.dev/v1");
    } else if (d.ref_kind == "Broker") {
      if (!api.empty() && api != "eventing.knative.dev/v1")
        r.fail(field + ".ref.apiVersion", "a Broker reference must be eventing.knative.dev/v1");
    } else {
      r.fail(field + ".ref.kind", fmt::format("'{}' cannot be addressed here; use a Service (function), a Broker or a uri",
                                              d.ref_kind));
    }
  }
  if (n["uri"]) {
    d.uri = r.str(n["uri"], field + ".uri");
    if (d.ref_name.empty() && d.uri.rfind("http://", 0) != 0)
      r.fail(field + ".uri", fmt::format("'{}' must be an http:// URI (https needs a cluster's ingress)", d.uri));
  }
  if (d.empty()) r.fail(field, "needs a ref or a uri");
  return d;
}

DeliverySpec read_delivery(const YAML::Node& n, const FieldReader& r, const std::string& field, const std::string& ns) {
  DeliverySpec d;
  if (!n) return d;
  if (!n.IsMap()) r.fail(field, "expected a mapping");
  auto iso = [&](const YAML::Node& v, const std::string& f) {
    try {
      return events::parse_iso8601_duration(r.str(v, f), f);
    } catch (const std::exception& e) {
      r.fail(f, e.what());
    }
  };
  for (auto it = n.begin(); it != n.end(); ++it) {
    const std::string k = it->first.Scalar(), f = field + "." + k;
    if (k == "retry") d.retry = r.integer(it->second, f, 0, 1000);
    else if (k == "backoffPolicy") {
      const std::string p = r.str(it->second, f);
      if (p == "linear") d.backoff_policy = events::BackoffPolicy::linear;
      else if (p == "exponential") d.backoff_policy = events::BackoffPolicy::exponential;
      else r.fail(f, "expected linear or exponential, got '" + p + "'");
    } else if (k == "backoffDelay") d.backoff_delay = iso(it->second, f);
    else if (k == "timeout") d.timeout = iso(it->second, f);
    else if (k == "deadLetterSink") d.dead_letter_sink = read_destination(it->second, r, f, ns);
    else if (k == "retryAfterMax" || k == "backoffMax") r.fail(f, "is not supported (alpha in Knative)");
    else r.fail(f, "unknown field");
  }
  return d;
}

// metadata.name / namespace; the reader's `where` gains "kind 'name'".
void read_meta(const YAML::Node& doc, FieldReader& r, EventingObject& o, const std::string& source,
               const std::string& text) {
  o.kind = doc["kind"].Scalar();
  o.source = source;
  o.text = text;
  if (!doc["metadata"] || !doc["metadata"]["name"]) r.fail("metadata.name", "is required");
  o.name = r.str(doc["metadata"]["name"], "metadata.name");
  if (doc["metadata"]["namespace"]) o.namespace_ = r.str(doc["metadata"]["namespace"], "metadata.namespace");
  check_label(r, "metadata.name", o.name);
  check_label(r, "metadata.namespace", o.namespace_);
  r.where += fmt::format(": {} '{}'", o.kind, o.name);
}

std::string ce_overrides(const YAML::Node& n, const FieldReader& r, const std::string& field) {
  if (!n) return "";
  if (!n.IsMap() || !n["extensions"] || !n["extensions"].IsMap())
    r.fail(field, "expected {extensions: {name: value, ...}}");
  return json::serialize(to_json(n));
}

}  // namespace

bool is_eventing_document(const YAML::Node& doc) {
  if (!doc.IsMap() || !doc["apiVersion"] || !doc["kind"] || !doc["apiVersion"].IsScalar() || !doc["kind"].IsScalar())
    return false;
  const std::string api = doc["apiVersion"].Scalar(), kind = doc["kind"].Scalar();
  if (api == "eventing.knative.dev/v1") return kind == "Broker" || kind == "Trigger";
  if (api == "sources.knative.dev/v1") return kind == "SinkBinding" || kind == "PingSource";
  return false;
}

void parse_eventing_document(const YAML::Node& doc, const std::string& source, const std::string& text,
                             EventingSpecs& out) {
  FieldReader r{source.empty() ? "spec" : source};
  const std::string kind = doc["kind"].Scalar();
  const YAML::Node spec = doc["spec"];
  if (spec && !spec.IsMap()) r.fail("spec", "expected a mapping");
  if (kind == "Broker") {
    BrokerSpec b;
    read_meta(doc, r, b, source, text);
    if (spec && spec["config"]) r.fail("spec.config", "broker classes with their own config (Kafka, RabbitMQ) are a cluster's; "
                                                      "here every broker is stored in NATS JetStream");
    if (spec) b.delivery = read_delivery(spec["delivery"], r, "spec.delivery", b.namespace_);
    out.brokers.push_back(std::move(b));
  } else if (kind == "Trigger") {
    TriggerSpec t;
    read_meta(doc, r, t, source, text);
    if (!spec) r.fail("spec", "is required");
    if (spec["broker"]) t.broker = r.str(spec["broker"], "spec.broker");
    check_label(r, "spec.broker", t.broker);
    if (spec["filter"]) {
      const YAML::Node f = spec["filter"];
      if (!f.IsMap()) r.fail("spec.filter", "expected {attributes: {...}}");
      t.attributes = r.string_map(f["attributes"], "spec.filter.attributes");
    }
    if (spec["filters"]) {
      const YAML::Node fs = spec["filters"];
      if (!fs.IsSequence()) r.fail("spec.filters", "expected a list of filters");
      t.has_filters = true;
      for (size_t i = 0; i < fs.size(); ++i) {
        const std::string f = fmt::format("spec.filters[{}]", i);
        try {
          t.filters.push_back(events::parse_filter(to_json(fs[i]), f));
        } catch (const std::exception& e) {
          throw SpecError(r.where + ": " + e.what());
        }
      }
    }
    if (!spec["subscriber"]) r.fail("spec.subscriber", "is required");
    t.subscriber = read_destination(spec["subscriber"], r, "spec.subscriber", t.namespace_);
    t.delivery = read_delivery(spec["delivery"], r, "spec.delivery", t.namespace_);
    out.triggers.push_back(std::move(t));
  } else if (kind == "SinkBinding") {
    SinkBindingSpec b;
    read_meta(doc, r, b, source, text);
    if (!spec || !spec["subject"]) r.fail("spec.subject", "is required");
    const YAML::Node sub = spec["subject"];
    if (sub["selector"]) r.fail("spec.subject.selector", "is not supported: name the Service (spec.subject.name)");
    if (!sub["name"]) r.fail("spec.subject.name", "is required");
    const std::string skind = sub["kind"] ? r.str(sub["kind"], "spec.subject.kind") : "Service";
    if (skind != "Service") r.fail("spec.subject.kind", "only a Service (a function) can be bound here, got '" + skind + "'");
    b.subject_name = r.str(sub["name"], "spec.subject.name");
    if (sub["namespace"] && r.str(sub["namespace"], "spec.subject.namespace") != b.namespace_)
      r.fail("spec.subject.namespace", "must be the binding's namespace");
    if (!spec["sink"]) r.fail("spec.sink", "is required");
    b.sink = read_destination(spec["sink"], r, "spec.sink", b.namespace_);
    b.ce_overrides = ce_overrides(spec["ceOverrides"], r, "spec.ceOverrides");
    out.sink_bindings.push_back(std::move(b));
  } else if (kind == "PingSource") {
    PingSourceSpec p;
    read_meta(doc, r, p, source, text);
    if (!spec || !spec["schedule"]) r.fail("spec.schedule", "is required");
    p.schedule = r.str(spec["schedule"], "spec.schedule");
    try {
      events::CronSchedule::parse(p.schedule);
    } catch (const std::exception& e) {
      r.fail("spec.schedule", e.what());
    }
    if (spec["timezone"]) {
      const std::string tz = r.str(spec["timezone"], "spec.timezone");
      if (tz != "UTC" && tz != "Etc/UTC") r.fail("spec.timezone", "only UTC is supported, got '" + tz + "'");
    }
    p.content_type = spec["contentType"] ? r.str(spec["contentType"], "spec.contentType") : "";
    if (spec["data"] && spec["dataBase64"]) r.fail("spec.dataBase64", "data and dataBase64 are mutually exclusive");
    if (spec["data"]) p.data = r.str(spec["data"], "spec.data");
    if (spec["dataBase64"]) {
      auto bytes = base64_decode(r.str(spec["dataBase64"], "spec.dataBase64"));
      if (!bytes) r.fail("spec.dataBase64", "not base64");
      p.data = std::move(*bytes);
    }
    if (!spec["sink"]) r.fail("spec.sink", "is required");
    p.sink = read_destination(spec["sink"], r, "spec.sink", p.namespace_);
    p.ce_overrides = ce_overrides(spec["ceOverrides"], r, "spec.ceOverrides");
    out.ping_sources.push_back(std::move(p));
  }
}

}  // namespace mlfaas::platform
