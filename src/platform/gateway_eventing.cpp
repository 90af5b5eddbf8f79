// The gateway's eventing side (Knative Eventing on the JetStream event store, see eventing.h):
//   POST /{namespace}/{broker}                       broker ingress (Knative's multi-tenant broker path)
//   Host: {broker}-broker.{namespace}.svc.cluster.local   the same (Knative's legacy broker address)
//   GET  /system/brokers | /system/triggers | /system/sources
//   DELETE /system/eventing/{Broker|Trigger|PingSource|SinkBinding}/{namespace}/{name}
// Objects are created and updated through /system/functions with the rest of a spec file.
#include <fmt/format.h>

#include "common/log.h"
#include "http/responses.h"
#include "platform/gateway.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
namespace json = boost::json;
using http::Status;

std::pair<std::string, std::string> Gateway::broker_route(const http::Request& req, const std::string& path) const {
  std::string_view host = req[http::Field::host];
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  constexpr std::string_view legacy = ".svc.cluster.local";
  if (host.size() > legacy.size() && host.ends_with(legacy)) {
    auto labels = host.substr(0, host.size() - legacy.size());  // {broker}-broker.{namespace}
    auto dot = labels.find('.');
    if (dot != std::string_view::npos && labels.substr(0, dot).ends_with("-broker")) {
      std::string broker(labels.substr(0, dot - 7)), ns(labels.substr(dot + 1));
      if (!broker.empty() && ns.find('.') == std::string::npos) return {ns, broker};
    }
  }
  // /{namespace}/{broker}, exactly two segments.
  if (path.size() < 4 || path[0] != '/') return {"", ""};
  auto slash = path.find('/', 1);
  if (slash == std::string::npos || slash + 1 >= path.size() || path.find('/', slash + 1) != std::string::npos)
    return {"", ""};
  std::string ns = path.substr(1, slash - 1), broker = path.substr(slash + 1);
  if (!eventing_ || !eventing_->has_broker(ns, broker)) return {"", ""};
  return {ns, broker};
}

void Gateway::apply_eventing(const EventingSpecs& e) {
  if (e.empty()) return;
  if (!eventing_) throw SpecError("eventing objects need the event store, which is off: " + async_unavailable_);
  for (auto& b : e.brokers) eventing_->apply(b);
  for (auto& t : e.triggers) eventing_->apply(t);
  for (auto& b : e.sink_bindings) redeploy(eventing_->apply(b));
  for (auto& p : e.ping_sources) eventing_->apply(p);
  persist();
}

void Gateway::redeploy(const std::string& name) {
  auto* fn = find(name);
  if (!fn) return;  // bound when it is deployed (deploy() decorates every spec)
  FunctionSpec spec = fn->spec();
  spec.traffic = fn->traffic();  // a binding changes the template, not the routing
  spec.revision_name.clear();    // the changed template is a new revision with a generated name
  const std::string rev = deploy(std::move(spec));
  if (!rev.empty()) log::info("function {}: new revision {} for its sink binding", name, rev);
}

asio::awaitable<http::Response> Gateway::eventing_api(http::Request& req, const std::string& path) {
  if (!eventing_) co_return http::unavailable("eventing is unavailable: " + async_unavailable_, 5);
  const auto m = req.method();
  const bool get = m == http::Verb::get || m == http::Verb::head;
  if (path == "/system/brokers") {
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    co_return http::json_response(Status::ok, json::serialize(eventing_->brokers_json()));
  }
  if (path == "/system/triggers") {
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    co_return http::json_response(Status::ok, json::serialize(eventing_->triggers_json()));
  }
  if (path == "/system/sources") {
    if (!get) co_return http::method_not_allowed("GET, HEAD");
    co_return http::json_response(Status::ok, json::serialize(eventing_->sources_json()));
  }
  // /system/eventing/{kind}/{namespace}/{name}
  if (m != http::Verb::delete_) co_return http::method_not_allowed("DELETE");
  std::vector<std::string> parts;
  for (size_t pos = 17; pos <= path.size();) {
    size_t next = path.find('/', pos);
    parts.push_back(path.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  if (parts.size() != 3)
    co_return http::error_response(Status::bad_request, "expected /system/eventing/{kind}/{namespace}/{name}");
  std::string unbound;
  if (!eventing_->remove(parts[0], parts[1], parts[2], &unbound))
    co_return http::error_response(Status::not_found, fmt::format("{} {}/{} does not exist", parts[0], parts[1], parts[2]));
  if (!unbound.empty()) redeploy(unbound);
  persist();
  co_return http::json_response(Status::accepted,
                                json::serialize(json::object{{"removed", parts[0] + " " + parts[1] + "/" + parts[2]}}));
}

}  // namespace mlfaas::platform
