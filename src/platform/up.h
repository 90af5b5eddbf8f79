#pragma once
// `mlfaas up`: the single-node serverless platform. Starts the gateway, deploys the functions
// (the built-in classifier by default, or every spec in --specs DIR). On SIGTERM/SIGINT it stops
// accepting, answers the requests it already has (queued or running), then stops every replica
// gracefully and exits 0.
#include <chrono>
#include <optional>
#include <string>

#include "platform/gateway.h"

namespace mlfaas::platform {

struct UpOptions {
  std::string address = "127.0.0.1";  // another address is an explicit choice
  int port = 8080;
  std::optional<std::string> specs;      // file or directory; default: the built-in classifier
  std::optional<std::string> model_dir;  // passed to replicas as MLFAAS_MODEL_DIR
  GatewayOptions gateway;
  // The admin password: read from this file (OpenFaaS's basic-auth secret), else generated on first
  // start into local_password_file() (mode 0600). no_auth (loopback only) switches auth off.
  std::optional<std::string> password_file;
  bool no_auth = false;
  bool ephemeral = false;  // no saved functions (gateway.state_dir is ignored)
  // Async invocations: an existing NATS (JetStream) server, else a private nats-server with its
  // store in the state directory; "none" switches them off.
  std::string nats_url;
  // --prometheus: run Debian's prometheus scraping the gateway and the replicas, at this address.
  bool prometheus = false;
  std::string prometheus_address = "127.0.0.1:9090";
  AsyncOptions async;
  // On SIGTERM: how long requests already received may take before the replicas are stopped.
  std::chrono::milliseconds drain_grace{20'000};
};

int run_up(UpOptions opts);

// The classifier's Knative Service (functions/classifier/service.yaml), compiled in.
const std::string& builtin_classifier_spec();

}  // namespace mlfaas::platform
