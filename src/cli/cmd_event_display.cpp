// `mlfaas event-display`: a function that logs every CloudEvent it receives, in Knative's
// event_display format: the study's logger-service, done right (any path, binary, structured and
// batched modes, 400 for what is not an event, never a crash). Serves $PORT (Knative contract).
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "common/log.h"
#include "events/cloudevent.h"
#include "http/responses.h"
#include "http/server.h"

namespace mlfaas::cli {

namespace {

std::string format_event(const events::CloudEvent& e) {
  static const char* context[] = {"specversion", "type", "source", "subject", "id", "time", "dataschema", "datacontenttype"};
  std::string out = "☁️  cloudevents.Event\nContext Attributes,\n";
  for (const char* k : context)
    if (auto v = e.attr(k); !v.empty()) out += fmt::format("  {}: {}\n", k, v);
  std::string ext;
  for (auto& [k, v] : e.attributes)
    if (std::find_if(std::begin(context), std::end(context), [&](const char* c) { return k == c; }) == std::end(context))
      ext += fmt::format("  {}: {}\n", k, v);
  if (!ext.empty()) out += "Extensions,\n" + ext;
  if (e.has_data) {
    std::string data = e.data;
    boost::system::error_code ec;
    auto v = boost::json::parse(data, ec);
    if (!ec) data = boost::json::serialize(v);
    out += "Data,\n  " + data + "\n";
  }
  return out;
}

int event_display(int port) {
  boost::asio::io_context ioc(1);
  http::ServerOptions so;
  so.address = "0.0.0.0";
  so.port = uint16_t(port);
  uint64_t seen = 0;
  auto handler = [&seen](http::Request& req, http::RequestContext&) -> boost::asio::awaitable<http::Response> {
    if (req.target() == "/healthz" || req.target() == "/_/health")
      co_return http::text_response(http::Status::ok, "OK");
    if (req.method() != http::Verb::post) co_return http::method_not_allowed("POST");
    events::HeaderList headers;
    for (auto& f : req) headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    try {
      for (auto& e : events::decode_http(headers, req.body())) {
        ++seen;
        std::fputs(format_event(e).c_str(), stdout);
      }
      std::fflush(stdout);
    } catch (const std::exception& ex) {
      log::warn("not a CloudEvent ({} {}): {}", std::string(req.method_string()), std::string(req.target()), ex.what());
      co_return http::error_response(http::Status::bad_request, ex.what());
    }
    co_return http::Response{http::Status::accepted, 11};
  };
  http::Server server(ioc, so, handler);
  try {
    server.start();
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return 2;
  }
  log::info("event-display: listening on port {}", server.port());
  boost::asio::signal_set signals(ioc, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int) {
    server.stop_accepting();
    ioc.stop();
  });
  ioc.run();
  log::info("event-display: {} events", seen);
  return 0;
}

}  // namespace

void add_event_display(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("event-display", "A function that logs every CloudEvent it receives (Knative's event_display)");
  auto port = std::make_shared<int>(0);
  cmd->add_option("--port", *port, "TCP port (default: $PORT, else 8080)");
  cmd->callback([=, &run] {
    run = [=] {
      int p = *port;
      if (p <= 0) p = std::getenv("PORT") ? std::atoi(std::getenv("PORT")) : 8080;
      return event_display(p);
    };
  });
}

}  // namespace mlfaas::cli
