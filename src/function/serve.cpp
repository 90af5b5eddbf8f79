#include "function/serve.h"
#include "function/event_emitter.h"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <thread>

#include "common/cpus.h"
#include "common/log.h"
#include "http/server.h"
#include "model/locator.h"
#include "model/model.h"

namespace mlfaas::function {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// Polls until the server has no request in flight and the pool no queued work, or the deadline.
void finish_when_idle(asio::steady_timer& timer, http::Server& server, WorkerPool& pool, Clock::time_point deadline,
                      asio::io_context& ioc) {
  timer.expires_after(std::chrono::milliseconds(10));
  timer.async_wait([&, deadline](boost::system::error_code) {
    const bool idle = server.in_flight() == 0 && pool.queue_depth() == 0;
    if (idle || Clock::now() >= deadline) {
      if (!idle) log::warn("grace period over with {} requests in flight; closing", server.in_flight());
      server.close_connections();
      ioc.stop();
      return;
    }
    finish_when_idle(timer, server, pool, deadline, ioc);
  });
}

}  // namespace

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// The sink from --sink or $K_SINK (what a SinkBinding injects), with $K_CE_OVERRIDES.
std::optional<EmitterOptions> emitter_options(const ServeOptions& o) {
  EmitterOptions eo;
  eo.sink = o.sink.empty() ? env_or("K_SINK", "") : o.sink;
  if (eo.sink.empty()) return std::nullopt;
  eo.type = o.event_type.empty() ? env_or("MLFAAS_EVENT_TYPE", "ml.prediction") : o.event_type;
  eo.source = env_or("MLFAAS_EVENT_SOURCE", "/mlfaas/" + env_or("K_REVISION", "classifier"));
  eo.ce_overrides = env_or("K_CE_OVERRIDES", "");
  eo.batch = (o.sink_mode.empty() ? env_or("MLFAAS_SINK_MODE", "binary") : o.sink_mode) == "batch";
  return eo;
}

}  // namespace

int run_serve(ServeOptions o) {
  const auto t0 = Clock::now();
  model::ModelLocation loc;
  std::unique_ptr<model::Model> model;
  try {
    loc = model::locate_model(o.model_dir);
    model = model::Model::load(loc.dir);
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return 2;
  }
  // Cores: --cpus, else $MLFAAS_CPUS (the platform sets it from the function's CPU limit), else
  // what the process may use (affinity, cgroup quota). Never more busy threads than that.
  int cores = o.cpus;
  if (cores <= 0)
    if (const char* e = std::getenv("MLFAAS_CPUS"); e && *e) cores = int(std::ceil(parse_cpu_quantity(e).value_or(0)));
  if (cores <= 0) cores = usable_cpus();
  if (o.scheduler.cores <= 0) o.scheduler.cores = cores;
  PoolOptions po;
  po.workers = o.workers > 0 ? o.workers : cores;
  po.scheduler = o.scheduler;
  po.queue = o.queue;
  po.max_pixels = o.service.max_pixels;
  po.jpeg_dct_scaling = o.jpeg_dct_scaling;
  WorkerPool pool(*model, po);

  asio::io_context ioc(o.io_threads);
  metrics::Registry registry;
  ClassifierService service(*model, pool, registry, o.service);
  std::unique_ptr<EventEmitter> emitter;
  if (auto eo = emitter_options(o)) {
    try {
      emitter = std::make_unique<EventEmitter>(*eo, registry);
      service.set_emitter(emitter.get());
      log::info("prediction events ({}) go to {} in {} mode", eo->type, eo->sink, eo->batch ? "batched" : "binary");
    } catch (const std::exception& e) {
      log::error("the event sink {}: {}", eo->sink, e.what());
      return 2;
    }
  }
  http::ServerOptions so;
  so.address = o.address;
  so.port = uint16_t(o.port);
  so.max_body_bytes = o.max_body_bytes;
  http::Server server(ioc, so, service.handler());
  try {
    server.start();
  } catch (const std::exception& e) {
    log::error("{}", e.what());
    return 2;
  }
  log::info("model {} {} ({} classes) from {} [{}], loaded in {:.0f} ms; listening on {}:{}", model->manifest.name,
            model->manifest.version, model->classes, loc.dir.string(), loc.found_by, model->load_ms, o.address,
            server.port());

  // Warm up off the I/O thread: requests that arrive meanwhile are queued, not refused.
  std::thread warm([&] {
    try {
      pool.warm_up();
    } catch (const std::exception& e) {
      log::error("warm-up failed: {}", e.what());
      std::exit(3);
    }
    pool.start();
    service.set_ready(true);
    log::info("ready in {:.0f} ms (workers {}, cores {}, max batch {}, queue delay {} us)", ms_since(t0), po.workers,
              o.scheduler.cores, o.scheduler.max_batch_size, o.scheduler.max_queue_delay.count());
  });

  asio::signal_set signals(ioc, SIGTERM, SIGINT);
  asio::steady_timer drain_timer(ioc), idle_timer(ioc);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    log::info("received {}: not ready; draining (delay {} ms, grace {} ms)", sig == SIGTERM ? "SIGTERM" : "SIGINT",
              o.drain_delay.count(), o.grace_period.count());
    service.set_draining();
    drain_timer.expires_after(o.drain_delay);
    drain_timer.async_wait([&](boost::system::error_code) {
      server.stop_accepting();
      server.begin_drain();
      finish_when_idle(idle_timer, server, pool, Clock::now() + o.grace_period, ioc);
    });
  });

  std::vector<std::thread> io;
  for (int i = 1; i < o.io_threads; ++i) io.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : io) t.join();
  warm.join();
  pool.stop();
  log::info("stopped");
  return 0;
}

}  // namespace mlfaas::function
