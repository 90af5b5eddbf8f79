// Eventing against a running gateway (the shape of `kn broker|trigger|event`):
//   mlfaas broker ls | create NAME | rm NAME                 [-n NAMESPACE]
//   mlfaas trigger ls | create NAME --broker B [--filter k=v ...] --sink FUNCTION|URL | rm NAME
//   mlfaas event send (--to BROKER | --to-url URL) --type T [--source S] [--id ID] [--data D] [--extension k=v ...]
// Objects are created as Knative YAML through /system/functions, as `mlfaas deploy FILE` would.
#include <fmt/format.h>

#include <boost/json.hpp>

#include "cli/commands.h"
#include "cli/gateway_client.h"
#include "common/random.h"
#include "events/cloudevent.h"

namespace mlfaas::cli {

namespace json = boost::json;

namespace {

int apply(const std::string& gw, const std::string& yaml, const std::string& what) {
  auto r = call_gateway(gateway_url(gw), http::Verb::put, "/system/functions", yaml, {{"Content-Type", "application/yaml"}});
  if (r.response.result_int() != 202) throw std::runtime_error(api_error(r));
  fmt::print("{}\n", what);
  return 0;
}

int remove(const std::string& gw, const std::string& kind, const std::string& ns, const std::string& name) {
  auto r = call_gateway(gateway_url(gw), http::Verb::delete_, fmt::format("/system/eventing/{}/{}/{}", kind, ns, name));
  if (r.response.result_int() != 202) throw std::runtime_error(api_error(r));
  fmt::print("removed {} {}/{}\n", kind, ns, name);
  return 0;
}

std::string str(const json::object& o, const char* k) {
  auto* v = o.if_contains(k);
  if (!v) return "-";
  return v->is_string() ? std::string(v->as_string()) : json::serialize(*v);
}

int broker_ls(const std::string& gw) {
  fmt::print("{:<16} {:<20} {:>8}  {}\n", "NAMESPACE", "NAME", "TRIGGERS", "ADDRESS");
  const auto list = get_json(gw, "/system/brokers");
  for (auto& b : list.as_array()) {
    auto& o = b.as_object();
    fmt::print("{:<16} {:<20} {:>8}  {}\n", str(o, "namespace"), str(o, "name"), str(o, "triggers"), str(o, "address"));
  }
  return 0;
}

int trigger_ls(const std::string& gw) {
  fmt::print("{:<16} {:<24} {:<12} {:>9} {:>8} {:>7} {:>8} {:>7}  {}\n", "NAMESPACE", "NAME", "BROKER", "DELIVERED",
             "FILTERED", "RETRIED", "DEAD", "DROPPED", "SUBSCRIBER");
  const auto list = get_json(gw, "/system/triggers");
  for (auto& t : list.as_array()) {
    auto& o = t.as_object();
    fmt::print("{:<16} {:<24} {:<12} {:>9} {:>8} {:>7} {:>8} {:>7}  {}\n", str(o, "namespace"), str(o, "name"),
               str(o, "broker"), str(o, "delivered"), str(o, "filtered"), str(o, "retried"), str(o, "deadLettered"),
               str(o, "dropped"), str(o, "subscriber"));
  }
  return 0;
}

std::pair<std::string, std::string> split_kv(const std::string& s, const char* what) {
  auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0) throw std::runtime_error(fmt::format("expected {}, got '{}'", what, s));
  return {s.substr(0, eq), s.substr(eq + 1)};
}

// A YAML double-quoted scalar.
std::string q(const std::string& s) { return json::serialize(json::string(s)); }

int trigger_create(const std::string& gw, const std::string& ns, const std::string& name, const std::string& broker,
                   const std::vector<std::string>& filters, const std::string& sink) {
  std::string y = fmt::format("apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: {}\n  namespace: {}\n"
                              "spec:\n  broker: {}\n",
                              name, ns, broker);
  if (!filters.empty()) {
    y += "  filter:\n    attributes:\n";
    for (auto& f : filters) {
      auto [k, v] = split_kv(f, "ATTRIBUTE=VALUE");
      y += fmt::format("      {}: {}\n", k, q(v));
    }
  }
  if (sink.rfind("http://", 0) == 0) y += fmt::format("  subscriber:\n    uri: {}\n", q(sink));
  else y += fmt::format("  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: {}\n", sink);
  return apply(gw, y, fmt::format("trigger {}/{} on broker {} -> {}", ns, name, broker, sink));
}

int event_send(const std::string& gw, const std::string& ns, const std::string& to, const std::string& to_url,
               events::CloudEvent e) {
  std::string url = to_url.empty() ? fmt::format("{}/{}/{}", gateway_url(gw), ns, to) : to_url;
  http::HeaderList headers;
  for (auto& [k, v] : events::binary_headers(e)) headers.emplace_back(k, v);
  auto r = http::fetch(url, http::Verb::post, e.data, headers, std::chrono::seconds(30));
  if (!r.ok()) throw std::runtime_error(fmt::format("{}: {}", url, r.message));
  if (r.response.result_int() >= 300) throw std::runtime_error(fmt::format("{} answered {}: {}", url, r.response.result_int(), api_error(r)));
  fmt::print("sent event {} ({}) to {}: {}\n", e.attr("id"), e.attr("type"), url, r.response.result_int());
  return 0;
}

}  // namespace

void add_eventing(CLI::App& app, Runner& run) {
  auto gw = std::make_shared<std::string>();
  auto ns = std::make_shared<std::string>("default");
  auto common = [gw, ns](CLI::App* c) {
    c->add_option("--gateway,-g", *gw, "gateway URL (default: $MLFAAS_GATEWAY, $OPENFAAS_URL, http://127.0.0.1:8080)");
    c->add_option("--namespace,-n", *ns, "namespace")->capture_default_str();
  };

  auto* b = app.add_subcommand("broker", "CloudEvents brokers (Knative Eventing): ls, create, rm");
  b->require_subcommand(1);
  auto* bls = b->add_subcommand("ls", "Brokers and their addresses");
  common(bls);
  bls->callback([=, &run] { run = [=] { return guarded("broker ls", [&] { return broker_ls(*gw); }); }; });
  auto bname = std::make_shared<std::string>();
  auto* bc = b->add_subcommand("create", "Create a broker (events stored in NATS JetStream)");
  bc->add_option("name", *bname, "broker")->required();
  common(bc);
  bc->callback([=, &run] {
    run = [=] {
      return guarded("broker create", [&] {
        return apply(*gw,
                     fmt::format("apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: {}\n  namespace: {}\n",
                                 *bname, *ns),
                     fmt::format("broker {}/{}: {}/{}/{}", *ns, *bname, gateway_url(*gw), *ns, *bname));
      });
    };
  });
  auto* brm = b->add_subcommand("rm", "Remove a broker");
  brm->add_option("name", *bname, "broker")->required();
  common(brm);
  brm->callback([=, &run] { run = [=] { return guarded("broker rm", [&] { return remove(*gw, "Broker", *ns, *bname); }); }; });

  auto* t = app.add_subcommand("trigger", "Triggers: a broker's events that match a filter, delivered to a function or URL");
  t->require_subcommand(1);
  auto* tls = t->add_subcommand("ls", "Triggers and their delivery counts");
  common(tls);
  tls->callback([=, &run] { run = [=] { return guarded("trigger ls", [&] { return trigger_ls(*gw); }); }; });
  auto tname = std::make_shared<std::string>(), tbroker = std::make_shared<std::string>("default"),
       tsink = std::make_shared<std::string>();
  auto tfilters = std::make_shared<std::vector<std::string>>();
  auto* tc = t->add_subcommand("create", "Create or update a trigger");
  tc->add_option("name", *tname, "trigger")->required();
  tc->add_option("--broker", *tbroker, "broker")->capture_default_str();
  tc->add_option("--filter", *tfilters, "ATTRIBUTE=VALUE (exact match; several are ANDed)");
  tc->add_option("--sink,-s", *tsink, "a function name or an http:// URL")->required();
  common(tc);
  tc->callback([=, &run] {
    run = [=] { return guarded("trigger create", [&] { return trigger_create(*gw, *ns, *tname, *tbroker, *tfilters, *tsink); }); };
  });
  auto* trm = t->add_subcommand("rm", "Remove a trigger");
  trm->add_option("name", *tname, "trigger")->required();
  common(trm);
  trm->callback([=, &run] { run = [=] { return guarded("trigger rm", [&] { return remove(*gw, "Trigger", *ns, *tname); }); }; });

  auto* ev = app.add_subcommand("event", "Send CloudEvents (like kn event send)");
  ev->require_subcommand(1);
  auto* es = ev->add_subcommand("send", "Send one event in binary mode to a broker or a URL");
  auto to = std::make_shared<std::string>(), to_url = std::make_shared<std::string>(),
       type = std::make_shared<std::string>(), source = std::make_shared<std::string>("mlfaas/cli"),
       id = std::make_shared<std::string>(), data = std::make_shared<std::string>();
  auto exts = std::make_shared<std::vector<std::string>>();
  es->add_option("--to", *to, "a broker on the gateway");
  es->add_option("--to-url", *to_url, "any http:// URL");
  es->add_option("--type,-t", *type, "ce-type")->required();
  es->add_option("--source", *source, "ce-source")->capture_default_str();
  es->add_option("--id", *id, "ce-id (default: a new UUID)");
  es->add_option("--data,-d", *data, "JSON data");
  es->add_option("--extension,-e", *exts, "NAME=VALUE extension attribute");
  common(es);
  es->callback([=, &run] {
    run = [=] {
      return guarded("event send", [&] {
        if (to->empty() == to_url->empty()) throw std::runtime_error("give exactly one of --to BROKER and --to-url URL");
        events::CloudEvent e;
        e.set("specversion", "1.0");
        e.set("id", id->empty() ? uuid_v4() : *id);
        e.set("type", *type);
        e.set("source", *source);
        for (auto& x : *exts) {
          auto [k, v] = split_kv(x, "NAME=VALUE");
          e.set(k, v);
        }
        if (!data->empty()) {
          e.set("datacontenttype", "application/json");
          e.data = *data;
          e.has_data = true;
        }
        events::validate(e);
        return event_send(*gw, *ns, *to, *to_url, e);
      });
    };
  });
}

}  // namespace mlfaas::cli
