#include "http/fetch.h"
#include "http/url.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <optional>
#include <stdexcept>

namespace mlfaas::http {

ClientResult fetch(std::string_view url, Verb method, std::string body, const HeaderList& headers,
                   std::chrono::milliseconds timeout) {
  auto [ep, target] = parse_http_url(url);

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
