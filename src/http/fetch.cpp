#include "http/fetch.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <optional>
#include <stdexcept>

namespace mlfaas::http {

ClientResult fetch(std::string_view url, Verb method, std::string body, const HeaderList& headers,
                   std::chrono::milliseconds timeout) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument(fmt::format("invalid URL \"{}\": {}", url, parsed.error().message()));
  const auto& u = *parsed;
  if (u.scheme() != "http")
    throw std::invalid_argument(fmt::format("unsupported URL \"{}\": only http:// is supported", url));
  if (u.host_address().empty()) throw std::invalid_argument(fmt::format("invalid URL \"{}\": no host", url));

  Endpoint ep{u.host_address(), u.has_port() ? u.port_number() : uint16_t(80)};
  std::string target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) {
    target += '?';
    target += std::string_view(u.encoded_query());
  }

  Request req{method, target, 11};
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = std::move(body);

  boost::asio::io_context ioc;
  std::optional<ClientResult> result;
  {
    Client client(ioc.get_executor());
    boost::asio::co_spawn(
        ioc,
        [&]() -> boost::asio::awaitable<void> {
          result = co_await client.request(ep, std::move(req), timeout);
          client.close_idle();  // lets run() return without waiting out the pooled connection's timer
        },
        boost::asio::detached);
    ioc.run();
  }
  return std::move(*result);
}

}  // namespace mlfaas::http
