#pragma once
// The CLI side of the gateway API: which gateway, and blocking calls with clear errors.
#include <boost/json.hpp>
#include <functional>
#include <string>

#include "http/fetch.h"

namespace mlfaas::cli {

// --gateway, else $MLFAAS_GATEWAY, else $OPENFAAS_URL, else http://127.0.0.1:8080.
std::string gateway_url(const std::string& flag);

// Throws std::runtime_error with a user-facing message: gateway unreachable, or the API's error.
http::ClientResult call_gateway(const std::string& base, http::Verb method, const std::string& path,
                                std::string body = {}, const http::HeaderList& headers = {},
                                std::chrono::milliseconds timeout = std::chrono::seconds(30));
// GET `path` and parse the JSON answer; throws std::runtime_error with the API's error otherwise.
boost::json::value get_json(const std::string& gateway_flag, const std::string& path);
// The body's "error" field, or the body.
std::string api_error(const http::ClientResult& r);

// Runs `f`, turning exceptions into "mlfaas CMD: message" and exit code 1.
int guarded(const char* cmd, const std::function<int()>& f);

// A function status's traffic and revisions as a table (describe, revisions, traffic).
void print_traffic(const boost::json::object& status);

}  // namespace mlfaas::cli
