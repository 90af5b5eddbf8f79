#pragma once
// The CLI side of the gateway API: which gateway, and blocking calls with clear errors.
#include <boost/json.hpp>
#include <string>

#include "http/fetch.h"

namespace mlfaas::cli {

// --gateway, else $MLFAAS_GATEWAY, else $OPENFAAS_URL, else http://127.0.0.1:8080.
std::string gateway_url(const std::string& flag);

// Throws std::runtime_error with a user-facing message: gateway unreachable, or the API's error.
http::ClientResult call_gateway(const std::string& base, http::Verb method, const std::string& path,
                                std::string body = {}, const http::HeaderList& headers = {},
                                std::chrono::milliseconds timeout = std::chrono::seconds(30));
// The body's "error" field, or the body.
std::string api_error(const http::ClientResult& r);

}  // namespace mlfaas::cli
