#include "http/responses.h"

#include "common/strings.h"

namespace mlfaas::http {

Response json_response(Status status, std::string json_body) {
  Response res{status, 11};
  res.set(Field::content_type, "application/json");
  res.body() = std::move(json_body);
  res.prepare_payload();
  return res;
}

Response error_response(Status status, std::string_view message) {
  std::string body = "{\"error\":\"";
  append_json_escaped(body, message);
  body += "\"}";
  return json_response(status, std::move(body));
}

Response method_not_allowed(std::string_view allow) {
  auto res = error_response(Status::method_not_allowed, "method not allowed; use " + std::string(allow));
  res.set(Field::allow, allow);
  return res;
}

Response unavailable(std::string_view message, int retry_after_seconds) {
  auto res = error_response(Status::service_unavailable, message);
  res.set(Field::retry_after, std::to_string(retry_after_seconds));
  return res;
}

Response text_response(Status status, std::string body, std::string_view content_type) {
  Response res{status, 11};
  res.set(Field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace mlfaas::http
