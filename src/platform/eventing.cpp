#include "platform/eventing.h"

#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <ctime>

#include "async/async_call.h"
#include "common/base64.h"
#include "common/access_log.h"
#include "common/log.h"
#include "events/cron.h"
#include "http/responses.h"
#include "http/url.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Status;

struct Eventing::Trigger {
  TriggerSpec spec;
  std::string durable;
  std::unique_ptr<ConsumerLoop> loop;
  uint64_t delivered = 0, filtered = 0, retried = 0, dead_lettered = 0, dropped = 0, replies = 0;
};

struct Eventing::Ping {
  PingSourceSpec spec;
  std::shared_ptr<bool> stopped = std::make_shared<bool>(false);
  std::shared_ptr<asio::steady_timer> timer;
  uint64_t sent = 0, failed = 0;
};

namespace {

std::string subject_of(const std::string& ns, const std::string& broker) {
  return std::string(async::kEventsSubjectPrefix) + ns + "." + broker;
}


events::HeaderList headers_of(const boost::beast::http::fields& fields) {
  events::HeaderList h;
  for (auto& f : fields) h.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return h;
}

// ceOverrides {"extensions": {...}} onto an event.
void apply_overrides(events::CloudEvent& e, const std::string& overrides) {
  if (overrides.empty()) return;
  boost::system::error_code ec;
  auto v = json::parse(overrides, ec);
  if (ec || !v.is_object()) return;
  if (auto* ext = v.as_object().if_contains("extensions"); ext && ext->is_object())
    for (auto& [k, x] : ext->as_object())
      if (x.is_string()) e.set(std::string(k), std::string(x.as_string()));
}

std::vector<double> latency_buckets() { return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}; }

}  // namespace

Eventing::Eventing(asio::io_context& ioc, async::JetStream& js, BlockingPool& pool, http::Client& client,
                   metrics::Registry& r, EventingOptions opts, Invoke invoke, std::function<std::string()> self)
    : ioc_(ioc),
      js_(js),
      pool_(pool),
      client_(client),
      opts_(opts),
      invoke_(std::move(invoke)),
      self_(std::move(self)),
      m_{r.counter("mlfaas_broker_events_total", "Events stored by a broker's ingress", {"namespace", "broker"}),
         r.counter("mlfaas_broker_rejected_total", "Requests to a broker's ingress refused: invalid (400), overloaded or unavailable (503)",
                   {"namespace", "broker", "reason"}),
         r.counter("mlfaas_trigger_events_total",
                   "Events a trigger handled: delivered, filtered (did not match), retried, dead_lettered, dropped",
                   {"namespace", "trigger", "result"}),
         r.counter("mlfaas_pingsource_events_total", "Events a PingSource sent: sent, failed", {"namespace", "name", "result"}),
         r.histogram("mlfaas_trigger_delivery_seconds", "From the broker storing an event to its subscriber accepting it",
                     latency_buckets(), {"namespace", "trigger"})} {}

Eventing::~Eventing() { stop_intake(); }

void Eventing::stop_intake() {
  stopped_ = true;
  for (auto& [k, t] : triggers_)
    if (t->loop) t->loop->stop();
  for (auto& [k, p] : pings_) {
    *p->stopped = true;
    if (p->timer) p->timer->cancel();
  }
}

// ---------------------------------------------------------------------------------------------
// Objects

void Eventing::apply(const BrokerSpec& b) {
  const bool is_new = !brokers_.count(key(b.namespace_, b.name));
  brokers_[key(b.namespace_, b.name)] = b;
  if (is_new) log::info("broker {}/{}: ready at {}/{}/{}", b.namespace_, b.name, self_(), b.namespace_, b.name);
}

void Eventing::apply(const TriggerSpec& t) {
  if (!t.subscriber.ref_name.empty() && t.subscriber.ref_kind != "Service")
    throw SpecError(fmt::format("{}: Trigger '{}': spec.subscriber.ref.kind: deliver to a Service (function) or a uri",
                                t.source.empty() ? "spec" : t.source, t.name));
  const std::string k = key(t.namespace_, t.name);
  auto& slot = triggers_[k];
  if (!slot) slot = std::make_unique<Trigger>();
  const bool moved = slot->spec.broker != t.broker && !slot->durable.empty();
  slot->spec = t;
  // '_' never appears in a DNS label: namespace and name cannot run into each other.
  slot->durable = "trigger_" + t.namespace_ + "_" + t.name;
  if (slot->loop && !moved) return;  // same broker: the running loop reads the new spec per delivery
  if (slot->loop) slot->loop->stop();
  slot->loop.reset();
  if (moved) js_.delete_consumer(slot->durable, async::kEventsStream);
  if (!stopped_) start_trigger(*slot);
  log::info("trigger {}: broker {}, subscriber {}", k, t.broker, t.subscriber.describe());
}

void Eventing::start_trigger(Trigger& t) {
  async::ConsumerOptions co;
  co.stream = async::kEventsStream;
  co.deliver_new = true;  // Knative: a trigger gets the events sent after it exists
  co.max_ack_pending = std::max(64, 4 * opts_.trigger_max_inflight);
  co.ack_wait = opts_.ack_wait;
  const std::string k = key(t.spec.namespace_, t.spec.name);
  auto consumer = js_.consumer(t.durable, subject_of(t.spec.namespace_, t.spec.broker), co);
  t.loop = std::make_unique<ConsumerLoop>(ioc_, std::move(consumer), opts_.trigger_max_inflight, "trigger " + k,
                                          [this, k](std::shared_ptr<async::Delivery> d) { return deliver(k, std::move(d)); });
}

void Eventing::apply(const PingSourceSpec& p) {
  const std::string k = key(p.namespace_, p.name);
  if (auto it = pings_.find(k); it != pings_.end()) {
    *it->second->stopped = true;
    if (it->second->timer) it->second->timer->cancel();
  }
  auto ping = std::make_unique<Ping>();
  ping->spec = p;
  ping->timer = std::make_shared<asio::steady_timer>(ioc_);
  auto stopped = ping->stopped;
  pings_[k] = std::move(ping);
  if (!stopped_) asio::co_spawn(ioc_, ping_loop(k, stopped), asio::detached);
  log::info("pingsource {}: \"{}\" to {}", k, p.schedule, p.sink.describe());
}

std::string Eventing::apply(const SinkBindingSpec& b) {
  bindings_[key(b.namespace_, b.name)] = b;
  log::info("sinkbinding {}/{}: function {} sends to {}", b.namespace_, b.name, b.subject_name, b.sink.describe());
  return b.subject_name;
}

bool Eventing::remove(const std::string& kind, const std::string& ns, const std::string& name, std::string* unbound) {
  const std::string k = key(ns, name);
  if (kind == "Broker") return brokers_.erase(k) > 0;
  if (kind == "Trigger") {
    auto it = triggers_.find(k);
    if (it == triggers_.end()) return false;
    if (it->second->loop) it->second->loop->stop();
    const std::string durable = it->second->durable;
    triggers_.erase(it);
    try {
      js_.delete_consumer(durable, async::kEventsStream);
    } catch (const std::exception& e) {
      log::warn("trigger {}: its queue consumer stays: {}", k, e.what());
    }
    return true;
  }
  if (kind == "PingSource") {
    auto it = pings_.find(k);
    if (it == pings_.end()) return false;
    *it->second->stopped = true;
    it->second->timer->cancel();
    pings_.erase(it);
    return true;
  }
  if (kind == "SinkBinding") {
    auto it = bindings_.find(k);
    if (it == bindings_.end()) return false;
    if (unbound) *unbound = it->second.subject_name;
    bindings_.erase(it);
    return true;
  }
  return false;
}

bool Eventing::has_broker(const std::string& ns, const std::string& name) const { return brokers_.count(key(ns, name)) > 0; }

std::string Eventing::resolve(const Destination& d) const {
  if (d.ref_name.empty()) return d.uri;
  std::string base;
  if (d.ref_kind == "Broker") base = fmt::format("{}/{}/{}", self_(), d.ref_namespace, d.ref_name);
  else base = fmt::format("{}/function/{}", self_(), d.ref_name);
  if (d.uri.empty()) return base;
  return base + (d.uri.front() == '/' ? "" : "/") + d.uri;
}

void Eventing::decorate(FunctionSpec& spec) const {
  static const std::string marker = "\n#bound-by-sinkbinding\n";
  // Take off what an earlier decoration added, so the same binding gives the same template.
  if (auto m = spec.template_key.find(marker); m != std::string::npos) spec.template_key.resize(m);
  if (auto it = spec.env.find("MLFAAS_SINK_BINDING"); it != spec.env.end()) {
    spec.env.erase("K_SINK");
    spec.env.erase("K_CE_OVERRIDES");
    spec.env.erase("MLFAAS_SINK_MODE");
    spec.env.erase(it);
  }
  std::string added;
  // K_SINK: broker:[NAMESPACE/]NAME (an mlfaas shorthand) becomes the broker's address.
  if (auto it = spec.env.find("K_SINK"); it != spec.env.end() && it->second.rfind("broker:", 0) == 0) {
    std::string ref = it->second.substr(7), ns = spec.namespace_;
    if (auto slash = ref.find('/'); slash != std::string::npos) {
      ns = ref.substr(0, slash);
      ref = ref.substr(slash + 1);
    }
    it->second = fmt::format("{}/{}/{}", self_(), ns, ref);
    spec.env["MLFAAS_SINK_MODE"] = "batch";  // our own ingress takes batches
  }
  for (auto& [k, b] : bindings_) {
    if (b.subject_name != spec.name || b.namespace_ != spec.namespace_) continue;
    const std::string sink = resolve(b.sink);
    if (sink.empty()) continue;
    spec.env["K_SINK"] = sink;
    if (!b.ce_overrides.empty()) spec.env["K_CE_OVERRIDES"] = b.ce_overrides;
    if (b.sink.ref_kind == "Broker") spec.env["MLFAAS_SINK_MODE"] = "batch";
    spec.env["MLFAAS_SINK_BINDING"] = b.name;
    added = fmt::format("K_SINK={}\nK_CE_OVERRIDES={}", sink, b.ce_overrides);
  }
  if (!added.empty()) spec.template_key += marker + added;
}

// ---------------------------------------------------------------------------------------------
// Ingress

asio::awaitable<bool> Eventing::publish(const std::string& ns, const std::string& broker, events::CloudEvent e) {
  if (e.attr("knativearrivaltime").empty()) e.set("knativearrivaltime", rfc3339_now());
  const std::string subject = subject_of(ns, broker), wire = events::to_structured_json(e);
  // A sender retrying the same event (source + id) within two minutes stores it once.
  const std::string msg_id = e.attr("source") + " " + e.attr("id");
  const auto timeout = opts_.publish_timeout;
  std::function<int()> put = [this, &subject, &wire, &msg_id, timeout] {
    js_.publish(subject, wire, msg_id, timeout);
    return 0;
  };
  try {
    co_await pool_.run<int>(put);
  } catch (const std::exception& ex) {
    log::warn("broker {}/{}: event {} not stored: {}", ns, broker, e.attr("id"), ex.what());
    co_return false;
  }
  m_.ingested.with({{"namespace", ns}, {"broker", broker}}).inc();
  co_return true;
}

asio::awaitable<http::Response> Eventing::ingress(http::Request& req, const std::string& ns, const std::string& broker) {
  if (!has_broker(ns, broker))
    co_return http::error_response(Status::not_found, fmt::format("broker '{}' does not exist in namespace '{}'", broker, ns));
  if (req.method() != http::Verb::post) co_return http::method_not_allowed("POST");
  if (pool_.pending() >= kMaxPendingPublishes) {
    m_.rejected.with({{"namespace", ns}, {"broker", broker}, {"reason", "overloaded"}}).inc();
    co_return http::unavailable("the broker is saturated; send the event again", 1);
  }
  std::vector<events::CloudEvent> evs;
  try {
    evs = events::decode_http(headers_of(req), req.body());
  } catch (const std::exception& e) {
    m_.rejected.with({{"namespace", ns}, {"broker", broker}, {"reason", "invalid"}}).inc();
    co_return http::error_response(Status::bad_request, e.what());
  }
  for (auto& e : evs)
    if (!co_await publish(ns, broker, std::move(e))) {
      m_.rejected.with({{"namespace", ns}, {"broker", broker}, {"reason", "unavailable"}}).inc();
      co_return http::unavailable("the broker could not store the event; send it again", 1);
    }
  co_return http::Response{Status::accepted, 11};
}

// ---------------------------------------------------------------------------------------------
// Delivery

events::DeliveryPolicy Eventing::policy_for(const TriggerSpec& t) const {
  // The trigger's settings, else its broker's, else the defaults (Knative propagates the same way).
  DeliverySpec merged;
  if (auto b = brokers_.find(key(t.namespace_, t.broker)); b != brokers_.end()) merged = b->second.delivery;
  const auto& d = t.delivery;
  if (d.retry) merged.retry = d.retry;
  if (d.backoff_policy) merged.backoff_policy = d.backoff_policy;
  if (d.backoff_delay) merged.backoff_delay = d.backoff_delay;
  if (d.timeout) merged.timeout = d.timeout;
  if (d.dead_letter_sink) merged.dead_letter_sink = d.dead_letter_sink;
  events::DeliveryPolicy p;
  p.retry = merged.retry.value_or(opts_.default_retry);
  p.backoff_policy = merged.backoff_policy.value_or(events::BackoffPolicy::exponential);
  p.backoff_delay = merged.backoff_delay.value_or(opts_.default_backoff_delay);
  p.timeout = merged.timeout.value_or(opts_.default_timeout);
  if (merged.dead_letter_sink) p.dead_letter_sink = resolve(*merged.dead_letter_sink);
  return p;
}

asio::awaitable<std::pair<unsigned, http::Response>> Eventing::send(const Destination& to, const events::CloudEvent& e,
                                                                   std::chrono::milliseconds timeout, bool want_reply) {
  http::Request req{http::Verb::post, "/", 11};
  for (auto& [k, v] : events::binary_headers(e)) req.set(k, v);
  if (want_reply) req.set("Prefer", "reply");
  req.body() = e.data;
  req.prepare_payload();
  if (!to.ref_name.empty() && to.ref_kind == "Service") {
    req.target(to.uri.empty() ? "/" : (to.uri.front() == '/' ? to.uri : "/" + to.uri));
    auto r = co_await invoke_(to.ref_name, req);
    if (!r) co_return std::pair<unsigned, http::Response>{404, http::Response{}};
    const unsigned code = r->result_int();
    co_return std::pair<unsigned, http::Response>{code, std::move(*r)};
  }
  const std::string url = resolve(to);
  http::HttpUrl u;
  try {
    u = http::parse_http_url(url);
  } catch (const std::exception&) {
    co_return std::pair<unsigned, http::Response>{0, http::Response{}};
  }
  req.target(u.target);
  auto r = co_await client_.request(u.endpoint, std::move(req), timeout);
  if (!r.ok()) co_return std::pair<unsigned, http::Response>{0, http::Response{}};
  const unsigned code = r.response.result_int();
  co_return std::pair<unsigned, http::Response>{code, std::move(r.response)};
}

namespace {

// A coroutine with its arguments copied into its frame (a capturing lambda would dangle once
// co_spawn returns).
asio::awaitable<void> run_on(BlockingPool& pool, std::function<int()> f) { co_await pool.run<int>(std::move(f)); }

}  // namespace

void Eventing::ack(std::shared_ptr<async::Delivery> d) {
  // Fire and forget on the pool: the I/O thread never waits for the server's confirmation.
  std::function<int()> f = [d] {
    try {
      d->ack();
    } catch (const std::exception& e) {
      log::warn("event ack: {} (it may be delivered again)", e.what());
    }
    return 0;
  };
  asio::co_spawn(ioc_, run_on(pool_, std::move(f)), asio::detached);
}

asio::awaitable<void> Eventing::deliver(std::string k, std::shared_ptr<async::Delivery> d) {
  auto it = triggers_.find(k);
  if (it == triggers_.end()) co_return;  // removed meanwhile: its consumer is gone too
  Trigger& t = *it->second;
  const auto labels = [&](const char* result) {
    return metrics::Labels{{"namespace", t.spec.namespace_}, {"trigger", t.spec.name}, {"result", result}};
  };
  events::CloudEvent e;
  try {
    e = events::from_structured_json(d->data());
  } catch (const std::exception& ex) {
    log::warn("trigger {}: a stored event is unreadable ({}); dropped", k, ex.what());
    ++t.dropped;
    m_.trigger_events.with(labels("dropped")).inc();
    ack(d);
    co_return;
  }
  const bool match = t.spec.has_filters ? events::matches_all(t.spec.filters, e) : events::matches_attributes(t.spec.attributes, e);
  if (!match) {
    ++t.filtered;
    m_.trigger_events.with(labels("filtered")).inc();
    ack(d);
    co_return;
  }
  const auto policy = policy_for(t.spec);
  const auto timeout = policy.timeout.value_or(opts_.default_timeout);
  auto working = keep_in_progress(ioc_, d, opts_.ack_wait / 3);
  const Destination subscriber = t.spec.subscriber;  // the trigger may change while we wait
  // (No structured bindings in coroutines: g++ 12 destroys a bound non-trivial object twice.)
  auto sent = co_await send(subscriber, e, timeout, true);
  const unsigned code = sent.first;
  http::Response& res = sent.second;
  *working = false;
  it = triggers_.find(k);
  if (it == triggers_.end()) co_return;
  Trigger& now = *it->second;
  const auto outcome = code == 0 ? events::Outcome::retry : events::outcome_for_status(code);
  if (outcome == events::Outcome::delivered) {
    ++now.delivered;
    m_.trigger_events.with(labels("delivered")).inc();
    if (auto arrived = e.attr("knativearrivaltime"); !arrived.empty()) {
      std::tm tm{};
      char frac[16] = "0";
      if (sscanf(arrived.c_str(), "%d-%d-%dT%d:%d:%d.%9[0-9]Z", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                 &tm.tm_min, &tm.tm_sec, frac) >= 6) {
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        const double fraction = std::strtod((std::string("0.") + frac).c_str(), nullptr);
        const auto at = std::chrono::system_clock::from_time_t(timegm(&tm)) +
                        std::chrono::microseconds(int64_t(fraction * 1e6));
        m_.delivery_latency.with({{"namespace", now.spec.namespace_}, {"trigger", now.spec.name}})
            .observe(std::max(0.0, std::chrono::duration<double>(std::chrono::system_clock::now() - at).count()));
      }
    }
    // A reply event goes back into the broker (Knative's reply semantics).
    if (events::looks_like_event(headers_of(res))) {
      try {
        for (auto& reply : events::decode_http(headers_of(res), res.body())) {
          ++now.replies;
          co_await publish(now.spec.namespace_, now.spec.broker, std::move(reply));
        }
      } catch (const std::exception& ex) {
        log::warn("trigger {}: the subscriber's reply is not a valid event: {}", k, ex.what());
      }
    }
    ack(d);
    co_return;
  }
  const int attempts = int(d->delivered_count());
  if (outcome == events::Outcome::retry && !policy.gives_up(attempts)) {
    ++now.retried;
    m_.trigger_events.with(labels("retried")).inc();
    const auto delay = policy.delay_before_retry(attempts);
    std::function<int()> nak = [d, delay] {
      d->nak(delay);
      return 0;
    };
    try {
      co_await pool_.run<int>(nak);
    } catch (const std::exception& ex) {
      log::warn("trigger {}: nak: {}", k, ex.what());
    }
    co_return;
  }
  // Named first: g++ 12 destroys a temporary inside a co_await expression twice.
  const std::string why = code == 0 ? "no answer from " + subscriber.describe()
                                    : fmt::format("{} answered {}", subscriber.describe(), code);
  co_await dead_letter(now, policy, e, code, why);
  ack(d);
}

asio::awaitable<void> Eventing::dead_letter(const Trigger& t, const events::DeliveryPolicy& p, const events::CloudEvent& e,
                                            unsigned status, const std::string& why) {
  const std::string k = key(t.spec.namespace_, t.spec.name);
  const auto labels = [&](const char* result) {
    return metrics::Labels{{"namespace", t.spec.namespace_}, {"trigger", t.spec.name}, {"result", result}};
  };
  if (p.dead_letter_sink.empty()) {
    log::warn("trigger {}: event {} dropped after {} retries ({}); no deadLetterSink", k, e.attr("id"), p.retry, why);
    m_.trigger_events.with(labels("dropped")).inc();
    co_return;
  }
  // Knative's dead-letter extensions: where it was going, what came back.
  events::CloudEvent dl = e;
  dl.set("knativeerrordest", resolve(t.spec.subscriber));
  if (status) dl.set("knativeerrorcode", std::to_string(status));
  dl.set("knativeerrordata", base64_encode(why));
  Destination sink;
  sink.uri = p.dead_letter_sink;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto sent = co_await send(sink, dl, p.timeout.value_or(opts_.default_timeout), false);
    if (sent.first >= 200 && sent.first < 300) {
      m_.trigger_events.with(labels("dead_lettered")).inc();
      log::warn("trigger {}: event {} sent to the dead-letter sink ({})", k, e.attr("id"), why);
      co_return;
    }
    asio::steady_timer timer(ioc_);
    timer.expires_after(p.delay_before_retry(attempt));
    co_await timer.async_wait(asio::use_awaitable);
  }
  log::error("trigger {}: event {} dropped: the dead-letter sink {} failed too", k, e.attr("id"), p.dead_letter_sink);
  m_.trigger_events.with(labels("dropped")).inc();
}

// ---------------------------------------------------------------------------------------------
// PingSource

asio::awaitable<void> Eventing::ping_loop(std::string k, std::shared_ptr<bool> stopped) {
  auto last = std::chrono::system_clock::now();
  for (;;) {
    auto it = pings_.find(k);
    if (*stopped || it == pings_.end()) co_return;
    const auto schedule = events::CronSchedule::parse(it->second->spec.schedule);
    // From the last firing, not from now: a timer that wakes a little early must not fire twice.
    const auto next = schedule.next_after(std::max(last, std::chrono::system_clock::now()));
    if (next == std::chrono::system_clock::time_point::max()) co_return;
    last = next;
    auto timer = it->second->timer;
    timer->expires_after(next - std::chrono::system_clock::now());
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (*stopped) co_return;
    it = pings_.find(k);
    if (it == pings_.end()) co_return;
    const PingSourceSpec spec = it->second->spec;
    events::CloudEvent e;
    e.set("specversion", "1.0");
    e.set("type", "dev.knative.sources.ping");
    e.set("source", fmt::format("/apis/v1/namespaces/{}/pingsources/{}", spec.namespace_, spec.name));
    e.set("id", async::new_call_id());
    e.set("time", rfc3339_now());
    if (!spec.content_type.empty()) e.set("datacontenttype", spec.content_type);
    if (!spec.data.empty()) {
      e.data = spec.data;
      e.has_data = true;
    }
    apply_overrides(e, spec.ce_overrides);
    bool ok;
    if (spec.sink.ref_kind == "Broker" && has_broker(spec.sink.ref_namespace, spec.sink.ref_name)) {
      ok = co_await publish(spec.sink.ref_namespace, spec.sink.ref_name, e);
    } else {
      auto sent = co_await send(spec.sink, e, opts_.default_timeout, false);
      ok = sent.first >= 200 && sent.first < 300;
    }
    it = pings_.find(k);
    if (it != pings_.end()) (ok ? it->second->sent : it->second->failed)++;
    m_.pings.with({{"namespace", spec.namespace_}, {"name", spec.name}, {"result", ok ? "sent" : "failed"}}).inc();
  }
}

// ---------------------------------------------------------------------------------------------
// Listings and state

json::array Eventing::brokers_json() const {
  json::array out;
  for (auto& [k, b] : brokers_) {
    int triggers = 0;
    for (auto& [tk, t] : triggers_) triggers += t->spec.namespace_ == b.namespace_ && t->spec.broker == b.name;
    out.push_back(json::object{{"name", b.name},
                               {"namespace", b.namespace_},
                               {"address", fmt::format("{}/{}/{}", self_(), b.namespace_, b.name)},
                               {"triggers", triggers}});
  }
  return out;
}

json::array Eventing::triggers_json() const {
  json::array out;
  for (auto& [k, t] : triggers_) {
    json::object filter;
    for (auto& [a, v] : t->spec.attributes) filter[a] = v;
    const auto p = policy_for(t->spec);
    out.push_back(json::object{
        {"name", t->spec.name},
        {"namespace", t->spec.namespace_},
        {"broker", t->spec.broker},
        {"brokerReady", has_broker(t->spec.namespace_, t->spec.broker)},
        {"filterAttributes", filter},
        {"filters", t->spec.has_filters ? json::value(t->spec.filters.size()) : json::value(nullptr)},
        {"subscriber", t->spec.subscriber.describe()},
        {"subscriberUri", resolve(t->spec.subscriber)},
        {"delivery", json::object{{"retry", p.retry},
                                  {"backoffPolicy", p.backoff_policy == events::BackoffPolicy::linear ? "linear" : "exponential"},
                                  {"backoffDelayMs", p.backoff_delay.count()},
                                  {"deadLetterSink", p.dead_letter_sink}}},
        {"delivered", t->delivered},
        {"filtered", t->filtered},
        {"retried", t->retried},
        {"deadLettered", t->dead_lettered},
        {"dropped", t->dropped},
        {"replies", t->replies}});
  }
  return out;
}

json::array Eventing::sources_json() const {
  json::array out;
  for (auto& [k, p] : pings_)
    out.push_back(json::object{{"kind", "PingSource"},
                               {"name", p->spec.name},
                               {"namespace", p->spec.namespace_},
                               {"schedule", p->spec.schedule},
                               {"sink", p->spec.sink.describe()},
                               {"sent", p->sent},
                               {"failed", p->failed}});
  for (auto& [k, b] : bindings_)
    out.push_back(json::object{{"kind", "SinkBinding"},
                               {"name", b.name},
                               {"namespace", b.namespace_},
                               {"subject", b.subject_name},
                               {"sink", resolve(b.sink)}});
  return out;
}

json::array Eventing::to_state() const {
  json::array out;
  auto add = [&](const EventingObject& o) {
    out.push_back(json::object{{"kind", o.kind}, {"namespace", o.namespace_}, {"name", o.name}, {"source", o.source},
                               {"text", o.text}});
  };
  for (auto& [k, b] : brokers_) add(b);
  for (auto& [k, t] : triggers_) add(t->spec);
  for (auto& [k, p] : pings_) add(p->spec);
  for (auto& [k, b] : bindings_) add(b);
  return out;
}

void Eventing::restore(const json::array& state) {
  for (auto& v : state) {
    const auto& o = v.as_object();
    const std::string kind(o.at("kind").as_string()), ns(o.at("namespace").as_string()), name(o.at("name").as_string());
    try {
      auto set = parse_spec_set(std::string(o.at("text").as_string()), std::string(o.at("source").as_string()));
      auto pick = [&](auto& list) {
        for (auto& x : list)
          if (x.namespace_ == ns && x.name == name) {
            apply(x);
            return true;
          }
        return false;
      };
      bool found = kind == "Broker"        ? pick(set.eventing.brokers)
                   : kind == "Trigger"     ? pick(set.eventing.triggers)
                   : kind == "PingSource"  ? pick(set.eventing.ping_sources)
                   : kind == "SinkBinding" ? pick(set.eventing.sink_bindings)
                                           : false;
      if (!found) log::error("{} {}/{}: its saved document no longer defines it", kind, ns, name);
    } catch (const std::exception& e) {
      log::error("{} {}/{}: could not be restored: {}", kind, ns, name, e.what());
    }
  }
}

}  // namespace mlfaas::platform
