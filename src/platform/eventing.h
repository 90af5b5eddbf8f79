#pragma once
// Knative Eventing on one node: brokers whose events are stored in NATS JetStream (stream
// MLFAAS_EVENTS, subject mlfaas.events.{namespace}.{broker}) before the ingress answers 202, and
// triggers, each a durable consumer of its broker's subject that filters (Knative's filters and
// legacy attributes) and delivers in binary mode to a function or a URI, with Knative's delivery
// spec: retries with linear or exponential backoff as delayed redeliveries, then the dead-letter
// sink; a subscriber's reply event goes back into the broker. PingSources emit on a cron schedule;
// SinkBindings give functions K_SINK and K_CE_OVERRIDES. Runs on the platform's I/O thread; NATS
// calls on the BlockingPool.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "async/jetstream.h"
#include "events/cloudevent.h"
#include "http/client.h"
#include "metrics/registry.h"
#include "platform/blocking_pool.h"
#include "platform/consumer_loop.h"
#include "platform/eventing_spec.h"

namespace mlfaas::platform {

struct EventingOptions {
  int trigger_max_inflight = 32;               // deliveries at once per trigger
  std::chrono::milliseconds ack_wait{30'000};  // a delivery whose worker went silent this long is redone
  std::chrono::milliseconds publish_timeout{5'000};
  std::chrono::milliseconds default_timeout{30'000};  // per delivery attempt without spec.delivery.timeout
  // Without spec.delivery on the trigger or its broker (Knative's config-br-defaults as commonly shipped).
  int default_retry = 10;
  std::chrono::milliseconds default_backoff_delay{200};
};

class Eventing {
 public:
  // Invokes a function (nullopt: not deployed); the same path as the gateway's.
  using Invoke = std::function<boost::asio::awaitable<std::optional<http::Response>>(const std::string& function,
                                                                                    http::Request& req)>;
  // `self` is the gateway's own base URL ("http://127.0.0.1:8080"): what K_SINK points at for a broker.
  Eventing(boost::asio::io_context& ioc, async::JetStream& js, BlockingPool& pool, http::Client& client,
           metrics::Registry& registry, EventingOptions opts, Invoke invoke, std::function<std::string()> self);
  ~Eventing();
  Eventing(const Eventing&) = delete;
  Eventing& operator=(const Eventing&) = delete;

  // Create or update. Throws SpecError (a ping source to nowhere, a subscriber that cannot be resolved).
  void apply(const BrokerSpec& b);
  void apply(const TriggerSpec& t);
  void apply(const PingSourceSpec& p);
  // Returns the function whose spec must be deployed again (decorate() adds the binding).
  std::string apply(const SinkBindingSpec& b);
  // kind: Broker | Trigger | PingSource | SinkBinding. For a SinkBinding, `unbound` names the function
  // to deploy again.
  bool remove(const std::string& kind, const std::string& ns, const std::string& name, std::string* unbound = nullptr);
  // No new deliveries or pings (shutdown).
  void stop_intake();

  bool has_broker(const std::string& ns, const std::string& name) const;
  // POST /{namespace}/{broker}: 202 once every event of the request is stored; 400 not CloudEvents;
  // 404 no such broker; 503 + Retry-After when the queue cannot store them.
  boost::asio::awaitable<http::Response> ingress(http::Request& req, const std::string& ns, const std::string& broker);

  // A destination's URL ("" when it names nothing deployed yet).
  std::string resolve(const Destination& d) const;
  // Adds K_SINK / K_CE_OVERRIDES of the SinkBinding whose subject is `spec` (and resolves a
  // `K_SINK: broker:[NAMESPACE/]NAME` the spec sets itself); removes a binding's that went away.
  void decorate(FunctionSpec& spec) const;

  boost::json::array brokers_json() const;
  boost::json::array triggers_json() const;
  boost::json::array sources_json() const;
  // Every applied object's document, for a restart; restore() applies them again.
  boost::json::array to_state() const;
  void restore(const boost::json::array& state);

 private:
  struct Trigger;
  struct Ping;
  std::string key(const std::string& ns, const std::string& name) const { return ns + "/" + name; }
  void start_trigger(Trigger& t);
  boost::asio::awaitable<void> deliver(std::string trigger_key, std::shared_ptr<async::Delivery> d);
  events::DeliveryPolicy policy_for(const TriggerSpec& t) const;
  // POSTs `e` in binary mode to a destination; returns the HTTP status (0: no answer) and the response.
  boost::asio::awaitable<std::pair<unsigned, http::Response>> send(const Destination& to, const events::CloudEvent& e,
                                                                  std::chrono::milliseconds timeout, bool want_reply);
  boost::asio::awaitable<bool> publish(const std::string& ns, const std::string& broker, events::CloudEvent e);
  boost::asio::awaitable<void> dead_letter(const Trigger& t, const events::DeliveryPolicy& p,
                                           const events::CloudEvent& e, unsigned status, const std::string& why);
  boost::asio::awaitable<void> ping_loop(std::string key, std::shared_ptr<bool> stopped);
  void ack(std::shared_ptr<async::Delivery> d);

  boost::asio::io_context& ioc_;
  async::JetStream& js_;
  BlockingPool& pool_;
  http::Client& client_;
  EventingOptions opts_;
  Invoke invoke_;
  std::function<std::string()> self_;
  std::map<std::string, BrokerSpec> brokers_;
  std::map<std::string, std::unique_ptr<Trigger>> triggers_;
  std::map<std::string, std::unique_ptr<Ping>> pings_;
  std::map<std::string, SinkBindingSpec> bindings_;
  bool stopped_ = false;

  struct Metrics {
    metrics::CounterFamily &ingested, &rejected, &trigger_events, &pings;
    metrics::HistogramFamily& delivery_latency;
  } m_;
};

}  // namespace mlfaas::platform
