#include <cstdlib>
#include <thread>

#include "cli/commands.h"
#include "common/access_log.h"
#include "function/serve.h"

namespace mlfaas::cli {

void add_serve(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("serve", "Serve the image classifier over HTTP (listens on $PORT or --port)");
  auto o = std::make_shared<function::ServeOptions>();
  auto port = std::make_shared<int>(0);
  auto model = std::make_shared<std::string>();
  auto max_delay_us = std::make_shared<long>(0);
  auto timeout_ms = std::make_shared<long>(30'000);
  auto drain_ms = std::make_shared<long>(0);
  auto grace_ms = std::make_shared<long>(25'000);
  auto no_dct = std::make_shared<bool>(false);
  auto order = std::make_shared<std::string>("fifo");
  cmd->add_option("--model", *model, "model directory (default: $MLFAAS_MODEL_DIR, models/, ../shared/models)");
  cmd->add_option("--port", *port, "TCP port (default: $PORT, else 8080)");
  cmd->add_option("--address", o->address, "address to bind")->capture_default_str();
  cmd->add_option("--cpus", o->cpus,
                  "cores to use (default: $MLFAAS_CPUS, else the CPUs this process may use: affinity, cgroup quota)");
  cmd->add_option("--workers", o->workers, "inference worker threads (default: one per core)");
  cmd->add_option("--io-threads", o->io_threads, "HTTP I/O threads")->capture_default_str();
  cmd->add_option("--max-batch-size", o->scheduler.max_batch_size, "dynamic batching: largest batch")
      ->capture_default_str();
  cmd->add_option("--max-queue-delay-us", *max_delay_us,
                  "dynamic batching: how long the oldest request may wait for a fuller batch")
      ->capture_default_str();
  cmd->add_option("--max-queue", o->scheduler.max_queue_size, "queued images before 503")->capture_default_str();
  cmd->add_option("--max-inflight", o->service.max_inflight, "concurrent requests before 429 (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", o->max_body_bytes, "largest request body (413 above)")->capture_default_str();
  cmd->add_option("--max-pixels", o->service.max_pixels, "largest decoded image, width*height (413 above)")
      ->capture_default_str();
  cmd->add_option("--max-images", o->service.max_images_per_request, "images per request")->capture_default_str();
  cmd->add_option("--request-timeout-ms", *timeout_ms, "time budget per request, lowered by a client's X-Mlfaas-Timeout-Ms or grpc-timeout (504 after)")
      ->capture_default_str();
  cmd->add_option("--drain-delay-ms", *drain_ms, "on SIGTERM, stay up (unready) this long before closing")
      ->capture_default_str();
  cmd->add_option("--grace-ms", *grace_ms, "on SIGTERM, wait this long for in-flight requests")->capture_default_str();
  cmd->add_flag("--no-jpeg-dct-scaling", *no_dct, "always decode JPEGs at full size");
  auto access = std::make_shared<std::string>();
  cmd->add_option("--access-log", *access, "one line per request on stdout: json, text or off (default: $MLFAAS_ACCESS_LOG, else json)")
      ->check(CLI::IsMember({"json", "text", "off"}));
  cmd->add_option("--sink", o->sink, "send every classification as a CloudEvent to this http:// URL (default: $K_SINK)");
  cmd->add_option("--event-type", o->event_type, "the events' type (default: $MLFAAS_EVENT_TYPE, else ml.prediction)");
  cmd->add_option("--sink-mode", o->sink_mode, "batch (CloudEvents batched mode) or binary (default: $MLFAAS_SINK_MODE, else binary)")
      ->check(CLI::IsMember({"batch", "binary"}));
  cmd->add_option("--queue-order", *order, "fifo, or adaptive-lifo (newest first while overloaded)")
      ->check(CLI::IsMember({"fifo", "adaptive-lifo"}))
      ->capture_default_str();
  cmd->callback([=, &run] {
    run = [=] {
      auto opts = *o;
      if (!model->empty()) opts.model_dir = *model;
      if (*port > 0) opts.port = *port;
      else if (const char* p = std::getenv("PORT"); p && *p) opts.port = std::atoi(p);
      opts.scheduler.max_queue_delay = std::chrono::microseconds(*max_delay_us);
      opts.service.request_timeout = std::chrono::milliseconds(*timeout_ms);
      opts.drain_delay = std::chrono::milliseconds(*drain_ms);
      opts.grace_period = std::chrono::milliseconds(*grace_ms);
      opts.jpeg_dct_scaling = !*no_dct;
      const char* env_log = std::getenv("MLFAAS_ACCESS_LOG");
      set_access_log_format(parse_access_log_format(!access->empty() ? *access : env_log && *env_log ? env_log : "json"));
      opts.queue.adaptive_lifo = *order == "adaptive-lifo";
      return function::run_serve(opts);
    };
  });
}

}  // namespace mlfaas::cli
