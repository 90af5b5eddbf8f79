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
  std::string address = "0.0.0.0";
  int port = 8080;
  std::optional<std::string> specs;      // file or directory; default: the built-in classifier
  std::optional<std::string> model_dir;  // passed to replicas as MLFAAS_MODEL_DIR
  GatewayOptions gateway;
  // On SIGTERM: how long requests already received may take before the replicas are stopped.
  std::chrono::milliseconds drain_grace{20'000};
};

int run_up(UpOptions opts);

// The classifier's Knative Service (functions/classifier/service.yaml), compiled in.
const std::string& builtin_classifier_spec();

}  // namespace mlfaas::platform
