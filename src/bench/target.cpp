#include "bench/target.h"

#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <stdexcept>

namespace mlfaas::bench {

Target parse_target(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed)
    throw std::invalid_argument(
        fmt::format("invalid URL \"{}\": {} (expected http://host[:port][/path])", url, parsed.error().message()));
  const auto& u = *parsed;
  if (u.scheme() == "https")
    throw std::invalid_argument(fmt::format("unsupported URL \"{}\": https is not supported, use http://", url));
  if (u.scheme() != "http")
    throw std::invalid_argument(fmt::format("invalid URL \"{}\": only http:// URLs are supported", url));
  if (u.host_address().empty()) throw std::invalid_argument(fmt::format("invalid URL \"{}\": no host", url));
  if (u.has_userinfo())
    throw std::invalid_argument(fmt::format("invalid URL \"{}\": user:password@ is not supported (use --header Authorization:...)", url));

  Target t;
  t.url = std::string(url);
  uint16_t port = 80;
  if (u.has_port()) {
    if (u.port_number() == 0) throw std::invalid_argument(fmt::format("invalid URL \"{}\": bad port", url));
    port = u.port_number();
  }
  std::string host = u.host_address();
  t.endpoint = http::Endpoint(host, port);
  std::string host_text = u.host_type() == boost::urls::host_type::ipv6 ? "[" + host + "]" : host;
  t.host_header = port == 80 ? host_text : fmt::format("{}:{}", host_text, port);
  t.origin = fmt::format("http://{}:{}", host_text, port);
  t.has_path = !u.encoded_path().empty() && u.encoded_path() != "/";
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) {
    t.target += '?';
    t.target += std::string_view(u.encoded_query());
  }

  std::string_view path = u.encoded_path();
  constexpr std::string_view prefix = "/function/";
  if (path.starts_with(prefix)) {
    std::string_view rest = path.substr(prefix.size());
    std::string_view name = rest.substr(0, rest.find('/'));
    if (!name.empty()) t.gateway_function = std::string(name);
  }
  return t;
}

std::string function_status_url(std::string_view gateway_origin, std::string_view function) {
  std::string_view base = gateway_origin;
  while (base.ends_with('/')) base.remove_suffix(1);
  return fmt::format("{}/system/function/{}", base, function);
}

}  // namespace mlfaas::bench
