#include "http/url.h"

#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <stdexcept>

namespace mlfaas::http {

HttpUrl parse_http_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument(fmt::format("invalid URL \"{}\": {}", url, parsed.error().message()));
  const auto& u = *parsed;
  if (u.scheme() != "http")
    throw std::invalid_argument(fmt::format("unsupported URL \"{}\": only http:// is supported", url));
  if (u.host_address().empty()) throw std::invalid_argument(fmt::format("invalid URL \"{}\": no host", url));
  HttpUrl out;
  out.endpoint = Endpoint(u.host_address(), u.has_port() ? u.port_number() : uint16_t(80));
  out.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) {
    out.target += '?';
    out.target += std::string_view(u.encoded_query());
  }
  return out;
}

}  // namespace mlfaas::http
