#include "cli/gateway_client.h"

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

#include "common/credentials.h"

namespace mlfaas::cli {

std::string gateway_url(const std::string& flag) {
  std::string url = flag;
  if (url.empty())
    if (const char* e = std::getenv("MLFAAS_GATEWAY"); e && *e) url = e;
  if (url.empty())
    if (const char* e = std::getenv("OPENFAAS_URL"); e && *e) url = e;
  if (url.empty()) url = "http://127.0.0.1:8080";
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

http::ClientResult call_gateway(const std::string& base, http::Verb method, const std::string& path, std::string body,
                                const http::HeaderList& headers, std::chrono::milliseconds timeout) {
  http::ClientResult r;
  http::HeaderList with_auth = headers;
  if (path.rfind("/system/", 0) == 0)
    if (auto auth = gateway_authorization(base)) with_auth.emplace_back("Authorization", *auth);
  try {
    r = http::fetch(base + path, method, std::move(body), with_auth, timeout);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(fmt::format("bad gateway URL {}: {}", base, e.what()));
  }
  if (!r.ok())
    throw std::runtime_error(fmt::format("cannot reach the gateway at {} ({}); is `mlfaas up` running?", base, r.message));
  if (r.response.result_int() == 401)
    throw std::runtime_error(fmt::format("the gateway at {} refused our credentials for {}; run `mlfaas login --gateway {} "
                                         "--password-stdin` with its admin password",
                                         base, path, base));
  return r;
}

std::string api_error(const http::ClientResult& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.response.body(), ec);
  if (!ec && v.is_object() && v.as_object().contains("error") && v.as_object().at("error").is_string())
    return std::string(v.as_object().at("error").as_string());
  return fmt::format("HTTP {}: {}", r.response.result_int(), r.response.body());
}

}  // namespace mlfaas::cli

namespace mlfaas::cli {

boost::json::value get_json(const std::string& gw, const std::string& path) {
  auto r = call_gateway(gateway_url(gw), http::Verb::get, path);
  if (r.response.result_int() != 200) throw std::runtime_error(api_error(r));
  return boost::json::parse(r.response.body());
}

int guarded(const char* cmd, const std::function<int()>& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    fmt::print(stderr, "mlfaas {}: {}\n", cmd, e.what());
    return 1;
  }
}

void print_traffic(const boost::json::object& o) {
  namespace json = boost::json;
  fmt::print("\n{:<28} {:>4} {:>8} {:<16} {:>7} {:>6} {:>12}  {}\n", "REVISION", "GEN", "TRAFFIC", "TAGS", "DESIRED",
             "READY", "INVOCATIONS", "STATUS");
  for (auto& rv : o.at("revisions").as_array()) {
    auto& r = rv.as_object();
    std::string tags;
    for (auto& t : r.at("tags").as_array()) tags += (tags.empty() ? "" : ",") + std::string(t.as_string());
    auto& cond = r.at("conditions").as_array().at(0).as_object();
    std::string status = std::string(cond.at("status").as_string()) == "True" ? "Ready"
                         : cond.at("reason").as_string().empty() ? std::string(cond.at("status").as_string())
                                                                 : std::string(cond.at("reason").as_string());
    fmt::print("{:<28} {:>4} {:>7.0f}% {:<16} {:>7} {:>6} {:>12}  {}\n", std::string(r.at("name").as_string()),
               r.at("generation").to_number<int64_t>(), r.at("percent").to_number<double>(), tags.empty() ? "-" : tags,
               r.at("desiredReplicas").to_number<int64_t>(), r.at("readyReplicas").to_number<int64_t>(),
               r.at("invocationCount").to_number<int64_t>(), status);
  }
  for (auto& t : o.at("traffic").as_array()) {
    auto& to = t.as_object();
    if (to.contains("host"))
      fmt::print("tag {:<12} -> {:<28} Host: {}.<domain>\n", std::string(to.at("tag").as_string()),
                 std::string(to.at("revisionName").as_string()), std::string(to.at("host").as_string()));
  }
  if (o.contains("rollout")) {
    auto& ro = o.at("rollout").as_object();
    fmt::print("rollout: {} -> {}, {:.0f}% done of {} s\n", std::string(ro.at("from").as_string()),
               std::string(ro.at("to").as_string()), 100 * ro.at("progress").to_number<double>(),
               ro.at("durationSeconds").to_number<double>());
  }
}

}  // namespace mlfaas::cli
