#pragma once
// Extracts the images of a classify request, whatever form the client used:
//   raw body (image/*, application/octet-stream, or no Content-Type)   -> 1 image
//   multipart/form-data, parts named "file" or "image" (in order)      -> 1..n images
//   application/json {"image": base64} or {"images": [base64, ...]}    -> 1..n images
// base64 may be a data: URL. Errors carry the HTTP status and a message for the client.
#include <deque>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/types.h"

namespace mlfaas::function {

struct ImageList {
  std::vector<std::string_view> images;  // views into the request body or into `owned`
  std::deque<std::string> owned;         // decoded base64 (deque: views stay valid on growth)
  bool batch_form = false;               // client sent a list: answer with a JSON array
};

struct RequestError {
  http::Status status;
  std::string message;
};

std::variant<ImageList, RequestError> extract_images(const http::Request& req, size_t max_images);

}  // namespace mlfaas::function
