#pragma once
// Canned responses with JSON error bodies. Helpers never set keep-alive: the server copies it from
// the request (and forces Connection: close while draining or after protocol errors).
#include <string>
#include <string_view>

#include "http/types.h"

namespace mlfaas::http {

// `json_body` is sent as-is with Content-Type: application/json.
Response json_response(Status status, std::string json_body);
// {"error": "<message>"} (message JSON-escaped).
Response error_response(Status status, std::string_view message);
// 405 with an Allow header, e.g. method_not_allowed("GET, HEAD").
Response method_not_allowed(std::string_view allow);
// 503 with Retry-After (seconds), for overload and scale-from-zero.
Response unavailable(std::string_view message, int retry_after_seconds);
// Plain text (Content-Type given), e.g. for /metrics.
Response text_response(Status status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");

}  // namespace mlfaas::http
