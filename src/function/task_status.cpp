#include "function/task_status.h"

#include "http/responses.h"

namespace mlfaas::function {

http::Status http_status(TaskStatus s) {
  switch (s) {
    case TaskStatus::ok: return http::Status::ok;
    case TaskStatus::bad_image: return http::Status::bad_request;
    case TaskStatus::unsupported_format: return http::Status::unsupported_media_type;
    case TaskStatus::too_many_pixels: return http::Status::payload_too_large;
    case TaskStatus::timeout: return http::Status::gateway_timeout;
    case TaskStatus::overloaded: return http::Status::service_unavailable;
    case TaskStatus::abandoned: return http::Status(499);
    case TaskStatus::internal: return http::Status::internal_server_error;
  }
  return http::Status::internal_server_error;
}

const char* failure_reason(const TaskResult& r) {
  if (r.reason) return r.reason;
  switch (r.status) {
    case TaskStatus::bad_image: return "bad_image";
    case TaskStatus::unsupported_format: return "unsupported_format";
    case TaskStatus::too_many_pixels: return "too_many_pixels";
    case TaskStatus::timeout: return "expired";
    case TaskStatus::overloaded: return "overloaded";
    case TaskStatus::abandoned: return "abandoned";
    default: return "internal";
  }
}

http::Response failure_response(const TaskResult& r, std::string_view prefix, int retry_after_seconds) {
  std::string msg = std::string(prefix) + r.error;
  if (r.status == TaskStatus::overloaded) return http::unavailable(msg, retry_after_seconds);
  return http::error_response(http_status(r.status), msg);
}

}  // namespace mlfaas::function
