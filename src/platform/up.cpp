#include "platform/up.h"

#include <stdlib.h>

#include <filesystem>
#include <functional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/credentials.h"
#include "common/log.h"
#include <fmt/format.h>
#include "http/server.h"
#include "platform/container_runtime.h"
#include "platform/helper_supervisor.h"
#include "platform/orphan_guard.h"
#include "platform/prometheus_server.h"
#include "async/jetstream.h"
#include "async/nats_server.h"

namespace mlfaas::platform {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

extern const char* kBuiltinClassifierSpec;  // generated from functions/classifier/service.yaml

const std::string& builtin_classifier_spec() {
  static const std::string s = kBuiltinClassifierSpec;
  return s;
}

namespace {

// Polls `done` every 10 ms until it holds or `deadline` passes; true if it held.
asio::awaitable<bool> wait_until(asio::io_context& ioc, const std::function<bool()>& done, Clock::time_point deadline) {
  asio::steady_timer t(ioc);
  while (!done()) {
    if (Clock::now() >= deadline) co_return false;
    t.expires_after(std::chrono::milliseconds(10));
    co_await t.async_wait(asio::use_awaitable);
  }
  co_return true;
}

asio::awaitable<void> shutdown(asio::io_context& ioc, http::Server& server, Gateway& gateway, const UpOptions& o) {
  gateway.stop_async_intake();  // queued calls stay queued for the next start
  if (!co_await wait_until(ioc, [&] { return server.in_flight() == 0; }, Clock::now() + o.drain_grace))
    log::warn("{} requests still in flight after the drain grace; stopping anyway", server.in_flight());
  gateway.stop_all();
  const auto stop_deadline = Clock::now() + o.gateway.runtime.stop_grace + std::chrono::seconds(1);
  if (!co_await wait_until(ioc, [&] { return gateway.all_stopped(); }, stop_deadline))
    log::warn("replicas still running after the grace period");
  server.close_connections();
  ioc.stop();
}

// How the platform reaches itself (K_SINK of a broker, brokers' addresses).
std::string self_url(const std::string& address, int port) {
  std::string host = address == "0.0.0.0" || address == "::" || address.empty() ? "127.0.0.1" : address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return fmt::format("http://{}:{}", host, port);
}

}  // namespace

int run_up(UpOptions o) {
  const auto t0 = Clock::now();
  auto& containers = o.gateway.runtime.container;
  containers.owner = getpid();
  // Before any thread: nothing we start may outlive us; containers are removed by their label.
  OrphanGuard::start(containers.containers() ? platform_cleanup_argv(containers) : std::vector<std::string>{});
  if (o.model_dir) setenv("MLFAAS_MODEL_DIR", o.model_dir->c_str(), 1);  // inherited by replicas
  SpecSet set;
  try {
    set = o.specs ? load_spec_set(*o.specs) : parse_spec_set(builtin_classifier_spec(), "built-in classifier");
  } catch (const SpecError& e) {
    log::error("{}", e.what());
    return 2;
  }

  const bool loopback = o.address == "127.0.0.1" || o.address == "::1" || o.address.rfind("127.", 0) == 0;
  if (o.no_auth && !loopback) {
    log::error("--no-auth is refused on {}: anyone who can reach it could run commands on this machine; "
               "bind 127.0.0.1 or keep the admin password",
               o.address);
    return 2;
  }
  std::string auth_note = "admin API without authentication (--no-auth, loopback only)";
  if (!o.no_auth) {
    try {
      const auto file = o.password_file ? std::filesystem::path(*o.password_file) : local_password_file();
      o.gateway.admin_password = o.password_file ? read_password_file(file) : load_or_create_password(file);
      auth_note = "admin API: HTTP basic auth, user admin, password in " + file.string();
    } catch (const std::exception& e) {
      log::error("admin password: {}", e.what());
      return 2;
    }
  }

  if (o.ephemeral) o.gateway.state_dir.clear();
  else if (o.gateway.state_dir.empty()) o.gateway.state_dir = (state_dir() / "platform").string();

  // The durable queue first: it must outlive the gateway that uses it.
  std::unique_ptr<async::NatsServer> nats;
  std::unique_ptr<async::JetStream> js;
  std::string async_note = "async invocations off (--nats none)";
  std::filesystem::path scratch;  // the queue's store when nothing is saved
  if (o.nats_url != "none") {
    try {
      std::string url = o.nats_url;
      if (url.empty()) {
        async::NatsServerOptions no;
        if (o.gateway.state_dir.empty()) {
          char tmpl[] = "/tmp/mlfaas-nats-XXXXXX";
          if (!mkdtemp(tmpl)) throw std::runtime_error("cannot create a scratch directory for the queue");
          scratch = tmpl;
          no.dir = scratch;
        } else {
          no.dir = std::filesystem::path(o.gateway.state_dir) / "nats";
        }
        no.max_payload = o.async.max_payload;
        nats = std::make_unique<async::NatsServer>(no);
        url = nats->url();
      }
      js = std::make_unique<async::JetStream>(url);
      js->ensure_streams(o.async.max_payload);
      async_note = "async queue: NATS JetStream at " + url + (nats ? " (private nats-server, store " + nats->dir().string() + ")" : "");
    } catch (const std::exception& e) {
      log::error("async invocations are unavailable: {}", e.what());
      async_note = std::string("async invocations unavailable: ") + e.what();
      js.reset();
      nats.reset();
    }
  }

  std::unique_ptr<PrometheusServer> prometheus;
  if (o.prometheus) {
    PrometheusOptions po;
    po.dir = o.gateway.state_dir.empty() ? (scratch.empty() ? std::filesystem::temp_directory_path() / fmt::format("mlfaas-prometheus-{}", getpid())
                                                            : scratch / "prometheus")
                                         : std::filesystem::path(o.gateway.state_dir) / "prometheus";
    po.address = o.prometheus_address;
    po.gateway = fmt::format("127.0.0.1:{}", o.port);
    try {
      prometheus = std::make_unique<PrometheusServer>(po);
      o.gateway.scrape_targets_file = prometheus->targets_file().string();
    } catch (const std::exception& e) {
      log::error("--prometheus: {}", e.what());
      return 2;
    }
  }

  asio::io_context ioc(1);
  std::unique_ptr<Gateway> gateway_ptr;
  size_t restored = 0;
  try {
    gateway_ptr = std::make_unique<Gateway>(ioc, o.gateway);
    gateway_ptr->set_self_url(self_url(o.address, o.port));
    if (js) gateway_ptr->attach_async(*js, o.async);
    else gateway_ptr->async_unavailable(async_note);
    restored = gateway_ptr->restore();
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return 2;
  }
  Gateway& gateway = *gateway_ptr;
  http::ServerOptions so;
  so.address = o.address;
  so.port = uint16_t(o.port);
  so.max_body_bytes = 64ull << 20;
  // Specs and API documents are small: don't read megabytes of them (a spec is a few KiB).
  so.body_limit_for = [&gateway](const http::Request& head) { return gateway.body_limit(head); };
  http::Server server(ioc, so, gateway.handler());
  try {
    server.start();
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return 2;
  }
  gateway.set_self_url(self_url(o.address, server.port()));
  auto& specs = set.functions;
  const size_t count = specs.size();
  for (auto& s : specs) {
    for (auto& w : s.warnings) log::warn("function {}: {}", s.name, w);
    try {
      const std::string name = s.name;
      if (!gateway.deploy_at_start(std::move(s)))
        log::info("function {}: its spec is unchanged since the last start: kept as restored", name);
    } catch (const std::exception& e) {
      log::error("{}", e.what());
      return 2;
    }
  }
  try {
    gateway.apply_eventing(set.eventing);
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return 2;
  }
  log::info("mlfaas up: gateway listening on {}:{} ({} function(s){}) in {:.0f} ms; invoke with "
            "http://127.0.0.1:{}/function/<name>/...; {}; {}",
            o.address, server.port(), count,
            restored ? fmt::format(", {} restored from {}", restored, o.gateway.state_dir) : std::string(),
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count(), server.port(), auth_note, async_note);
  if (prometheus) log::info("prometheus: {} (scrapes the gateway and every replica; alert rules loaded)", prometheus->url());
  if (containers.containers()) {
    if (int n = remove_stale_containers(containers))
      log::info("removed {} container(s) left by platforms that are gone", n);
    log::info("replicas run as podman containers of each function's image ({}, host network, label io.mlfaas.owner={})",
              containers.podman, containers.owner);
    if (o.model_dir) log::warn("--model is not used by container replicas: each image carries its model");
  }

  // The helpers stay up: one that dies is started again on the same store and port.
  HelperSupervisor helpers;
  if (nats) {
    auto* n = nats.get();
    helpers.add({.name = "nats-server",
                 .exited = [n] { return n->exited(); },
                 .respawn = [n] { n->respawn(); },
                 // Usable again once our client has reconnected, not just when the server listens.
                 .listening = [n, &js] { return n->listening() && js && js->connected(); },
                 .log_tail = [n] { return n->last_log_lines(8); }},
                Clock::now());
  }
  if (prometheus) {
    auto* p = prometheus.get();
    helpers.add({.name = "prometheus",
                 .exited = [p] { return p->exited(); },
                 .respawn = [p] { p->respawn(); },
                 .listening = {},
                 .log_tail = [p] { return p->last_log_lines(8); }},
                Clock::now());
  }
  for (size_t i = 0; i < helpers.size(); ++i) {
    const metrics::Labels labels = {{"helper", helpers.name(i)}};
    gateway.registry().gauge_callback("mlfaas_helper_up", "Whether a helper server of the platform runs (1) or is being restarted (0)",
                                      [&helpers, i] { return helpers.up(i) ? 1.0 : 0.0; }, labels);
    gateway.registry().counter_callback("mlfaas_helper_restarts_total", "Times a helper server died and was started again",
                                        [&helpers, i] { return double(helpers.restarts(i)); }, labels);
  }
  asio::steady_timer helper_timer(ioc);
  std::function<void()> supervise = [&] {
    helper_timer.expires_after(std::chrono::milliseconds(helpers.all_running() ? 250 : 10));
    helper_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      helpers.tick(Clock::now());
      supervise();
    });
  };
  // A helper's death is noticed at once: SIGCHLD (the ChildReaper has its own signal_set; asio
  // tells both) ticks the supervisor; the timer covers the backoff and the restart.
  asio::signal_set child_exits(ioc, SIGCHLD);
  std::function<void()> on_child_exit = [&] {
    child_exits.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      helpers.tick(Clock::now());
      if (!helpers.all_running()) {
        helper_timer.cancel();  // poll often while one is down
        supervise();
      }
      on_child_exit();
    });
  };
  if (helpers.size()) {
    supervise();
    on_child_exit();
  }

  // Graceful stop: no new connections; requests already in (queued or running) are answered
  // while the replicas keep serving, up to the drain grace; then the replicas are stopped
  // (SIGTERM, SIGKILL after their grace), then the process exits.
  asio::signal_set signals(ioc, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    log::info("received {}: draining (up to {} ms), then stopping functions", sig == SIGTERM ? "SIGTERM" : "SIGINT",
              o.drain_grace.count());
    server.stop_accepting();
    server.begin_drain();
    asio::co_spawn(ioc, shutdown(ioc, server, gateway, o), asio::detached);
  });
  ioc.run();
  helpers.stop();
  gateway_ptr.reset();  // its async workers first, then the queue they use
  prometheus.reset();
  js.reset();
  nats.reset();
  if (!scratch.empty()) std::filesystem::remove_all(scratch);
  log::info("stopped");
  return 0;
}

}  // namespace mlfaas::platform
