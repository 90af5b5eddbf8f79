#pragma once
// The one mapping from a task's outcome to HTTP, used by every route that runs inference.
#include "function/inference_task.h"
#include "http/types.h"

namespace mlfaas::function {

// 400 bad image, 415 unsupported format, 413 too many pixels, 504 deadline passed, 503 overloaded
// (with Retry-After), 499 client gone (nginx's "client closed request": nobody reads it), 500.
http::Status http_status(TaskStatus s);
// Metrics label: "bad_image", "unsupported_format", ... (a queue rejection's own reason if any).
const char* failure_reason(const TaskResult& r);
// The error response for a failed task; `prefix` names the image in a batch ("image 3: ").
http::Response failure_response(const TaskResult& r, std::string_view prefix, int retry_after_seconds);

}  // namespace mlfaas::function
