#include "platform/up.h"

#include <stdlib.h>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/log.h"
#include "http/server.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

extern const char* kBuiltinClassifierSpec;  // generated from functions/classifier/service.yaml

const std::string& builtin_classifier_spec() {
  static const std::string s = kBuiltinClassifierSpec;
  return s;
}

int run_up(UpOptions o) {
  const auto t0 = Clock::now();
  if (o.model_dir) setenv("MLFAAS_MODEL_DIR", o.model_dir->c_str(), 1);  // inherited by replicas
  std::vector<FunctionSpec> specs;
  try {
    specs = o.specs ? load_specs(*o.specs) : parse_specs(builtin_classifier_spec(), "built-in classifier");
  } catch (const SpecError& e) {
    log::error("{}", e.what());
    return 2;
  }

  asio::io_context ioc(1);
  Gateway gateway(ioc, o.gateway);
  http::ServerOptions so;
  so.address = o.address;
  so.port = uint16_t(o.port);
  so.max_body_bytes = 64ull << 20;
  http::Server server(ioc, so, gateway.handler());
  try {
    server.start();
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return 2;
  }
  const size_t count = specs.size();
  for (auto& s : specs) {
    for (auto& w : s.warnings) log::warn("function {}: {}", s.name, w);
    gateway.deploy(std::move(s));
  }
  log::info("mlfaas up: gateway listening on {}:{} ({} function(s)) in {:.0f} ms; invoke with "
            "http://127.0.0.1:{}/function/<name>/...",
            o.address, server.port(), count,
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count(), server.port());

  asio::signal_set signals(ioc, SIGTERM, SIGINT);
  asio::steady_timer poll(ioc);
  Clock::time_point deadline;
  std::function<void()> wait_stopped = [&] {
    if (gateway.all_stopped() || Clock::now() >= deadline) {
      if (!gateway.all_stopped()) log::warn("replicas still running after the grace period");
      server.close_connections();
      ioc.stop();
      return;
    }
    poll.expires_after(std::chrono::milliseconds(20));
    poll.async_wait([&](boost::system::error_code) { wait_stopped(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    log::info("received {}: stopping functions", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    server.stop_accepting();
    server.begin_drain();
    gateway.stop_all();
    deadline = Clock::now() + o.gateway.runtime.stop_grace + std::chrono::seconds(1);
    wait_stopped();
  });
  ioc.run();
  log::info("stopped");
  return 0;
}

}  // namespace mlfaas::platform
