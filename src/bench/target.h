#pragma once
// The URL under test: where to connect, what to put in the request line, and whether it points at
// a function behind a gateway (http://gw:8080/function/NAME/...), whose replicas we can watch.
#include <optional>
#include <string>
#include <string_view>

#include "http/client.h"

namespace mlfaas::bench {

struct Target {
  std::string url;        // as given
  http::Endpoint endpoint;
  std::string origin;     // "http://host:port"
  std::string target;     // request target: path and query, "/" when the URL has no path
  bool has_path = false;  // the URL named a path (presets only fill in their path when it did not)
  std::string host_header;
  // NAME when the path is /function/NAME or /function/NAME/... (OpenFaaS and mlfaas gateways).
  std::optional<std::string> gateway_function;
};

// Throws std::invalid_argument with a message that says what is wrong, e.g.
// "invalid URL \"htp:/x\": only http:// URLs are supported".
Target parse_target(std::string_view url);

// "http://gw:8080" + "/system/function/NAME": the gateway API that reports a function's replicas.
std::string function_status_url(std::string_view gateway_origin, std::string_view function);

}  // namespace mlfaas::bench
