#pragma once
// One queued asynchronous invocation (OpenFaaS /async-function/{name}) and its wire form in the
// queue. The form is one line of JSON with everything but the body, '\n', then the body's raw
// bytes: binary safe with no base64 inflation, and the metadata stays readable in `nats stream
// view`. Pure: no I/O.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlfaas::async {

struct AsyncCall {
  std::string call_id;       // X-Call-Id: also the queue's de-duplication id
  std::string function;      // function name
  std::string method;        // HTTP method of the original request
  std::string target;        // path + query as the function sees it ("/classify?top_k=3")
  std::string callback_url;  // X-Callback-Url, empty for none
  std::vector<std::pair<std::string, std::string>> headers;  // in order, repeats kept
  std::string body;          // raw bytes
  int64_t queued_at_ms = 0;  // unix ms when the gateway accepted it
};

std::string encode_call(const AsyncCall& call);
// Throws std::invalid_argument saying what is wrong (no newline, bad JSON, a missing or
// ill-typed field). Unknown JSON fields are ignored, so a newer writer stays readable.
AsyncCall decode_call(std::string_view wire);

// A random UUID v4 ("3f0c...-4...-[89ab]...") from the kernel's CSPRNG; thread-safe.
std::string new_call_id();

}  // namespace mlfaas::async
