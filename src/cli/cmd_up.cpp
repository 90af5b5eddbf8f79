#include <cstdlib>

#include "common/access_log.h"

#include "cli/commands.h"
#include "platform/up.h"

namespace mlfaas::cli {

void add_up(CLI::App& app, Runner& run) {
  auto* cmd = app.add_subcommand("up", "Start the single-node serverless platform (gateway + functions)");
  auto o = std::make_shared<platform::UpOptions>();
  auto specs = std::make_shared<std::string>();
  auto model = std::make_shared<std::string>();
  auto port = std::make_shared<int>(0);
  auto grace_ms = std::make_shared<long>(10'000);
  auto drain_ms = std::make_shared<long>(20'000);
  cmd->add_option("--port", *port, "gateway port (default: $PORT, else 8080)");
  cmd->add_option("--address", o->address, "address to bind")->capture_default_str();
  cmd->add_option("--specs", *specs,
                  "a Knative Service YAML / OpenFaaS stack.yml file, or a directory of them "
                  "(default: the built-in classifier, function 'classifier', scale to zero)");
  cmd->add_option("--model", *model, "model directory for the classifier replicas (process runtime)");
  auto runtime = std::make_shared<std::string>("process");
  cmd->add_option("--runtime", *runtime,
                  "how replicas run: process (the spec's command) or podman (a container of the spec's image, "
                  "on the host network; start after `source scripts/podman-env.sh` where podman's defaults fail)")
      ->check(CLI::IsMember({"process", "podman"}))
      ->capture_default_str();
  cmd->add_option("--podman", o->gateway.runtime.container.podman, "the podman binary for --runtime podman")
      ->capture_default_str();
  cmd->add_option("--cpus", o->gateway.node_cpus,
                  "cores the node offers replicas (their CPU requests must fit; default: the CPUs this process may use)");
  cmd->add_option("--max-replicas", o->gateway.max_replicas,
                  "replicas one function may have (Knative's max-scale-limit); specs asking for more are refused")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--basic-auth-password-file", o->password_file,
                  "the admin password for /system/* (user admin); default: generated on first start into "
                  "$XDG_STATE_HOME/mlfaas/basic-auth-password (~/.local/state/mlfaas), mode 0600");
  cmd->add_option("--state-dir", o->gateway.state_dir,
                  "where functions, revisions and traffic are saved and restored on the next start "
                  "(default: $XDG_STATE_HOME/mlfaas/platform)");
  cmd->add_flag("--ephemeral", o->ephemeral, "neither restore nor save functions");
  cmd->add_option("--keep-revisions", o->gateway.keep_revisions,
                  "revisions without traffic kept per function (older ones are garbage-collected)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1000));
  cmd->add_option("--nats", o->nats_url,
                  "NATS server with JetStream for async invocations (e.g. nats://host:4222; 'none' = no async); "
                  "default: a private nats-server with its store in the state directory");
  cmd->add_option("--async-max-attempts", o->async.retry.max_attempts,
                  "attempts of an async call answered 429/502/503/504 before it is dead-lettered")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  auto retry_ms = std::make_shared<long>(500);
  cmd->add_option("--async-retry-delay-ms", *retry_ms, "first retry delay (doubling, at most 30 s)")->capture_default_str();
  auto ack_ms = std::make_shared<long>(30'000);
  cmd->add_option("--async-ack-wait-ms", *ack_ms,
                  "an async call whose worker went silent this long is delivered again (after a crash)")
      ->capture_default_str();
  cmd->add_option("--async-max-inflight", o->async.default_max_inflight,
                  "async calls at once per function, unless its spec sets max_inflight")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_flag("--prometheus", o->prometheus,
                "also run Debian's prometheus, scraping the gateway and every replica, with mlfaas's alert rules");
  cmd->add_option("--prometheus-address", o->prometheus_address, "where that prometheus listens")->capture_default_str();
  auto access = std::make_shared<std::string>("json");
  cmd->add_option("--access-log", *access, "one line per request on stdout, here and in the replicas: json, text or off")
      ->check(CLI::IsMember({"json", "text", "off"}))
      ->capture_default_str();
  cmd->add_flag("--no-auth", o->no_auth, "no authentication for /system/* (refused unless --address is loopback)");
  cmd->add_option("--stop-grace-ms", *grace_ms, "SIGTERM to SIGKILL for replicas")->capture_default_str();
  cmd->add_option("--drain-grace-ms", *drain_ms,
                  "on SIGTERM, how long requests already received may take before replicas are stopped")
      ->capture_default_str();
  cmd->add_option("--max-queue", o->gateway.runtime.max_queue, "requests waiting per function before 503")
      ->capture_default_str();
  cmd->callback([=, &run] {
    run = [=] {
      auto opts = *o;
      if (!specs->empty()) opts.specs = *specs;
      if (!model->empty()) opts.model_dir = *model;
      if (*port > 0) opts.port = *port;
      else if (const char* p = std::getenv("PORT"); p && *p) opts.port = std::atoi(p);
      opts.gateway.runtime.stop_grace = std::chrono::milliseconds(*grace_ms);
      opts.gateway.runtime.container.kind = platform::parse_runtime_kind(*runtime);
      opts.drain_grace = std::chrono::milliseconds(*drain_ms);
      set_access_log_format(parse_access_log_format(*access));
      setenv("MLFAAS_ACCESS_LOG", access->c_str(), 1);  // the replicas log the same way
      opts.async.retry.initial_delay = std::chrono::milliseconds(std::max(1L, *retry_ms));
      opts.async.ack_wait = std::chrono::milliseconds(std::max(100L, *ack_ms));
      return platform::run_up(opts);
    };
  });
}

}  // namespace mlfaas::cli
