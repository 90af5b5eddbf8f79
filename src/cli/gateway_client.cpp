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
