#include "function/image_request.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/base64.h"
#include "common/strings.h"
#include "http/multipart.h"

namespace mlfaas::function {

namespace json = boost::json;
using http::Status;

namespace {

// "data:image/png;base64,AAAA" -> "AAAA"
std::string_view strip_data_url(std::string_view s) {
  if (istarts_with(s, "data:")) {
    auto comma = s.find(',');
    if (comma != std::string_view::npos) return s.substr(comma + 1);
  }
  return s;
}

std::variant<ImageList, RequestError> from_json(std::string_view body, size_t max_images) {
  json::value v;
  boost::system::error_code ec;
  v = json::parse(body, ec);
  if (ec) return RequestError{Status::bad_request, "request body is not valid JSON: " + ec.message()};
  if (!v.is_object())
    return RequestError{Status::bad_request, R"(JSON body must be an object: {"image": "<base64>"} or {"images": [...]})"};
  const auto& o = v.as_object();
  ImageList out;
  std::vector<const json::value*> items;
  if (auto* one = o.if_contains("image")) {
    items.push_back(one);
  } else if (auto* many = o.if_contains("images")) {
    if (!many->is_array() || many->as_array().empty())
      return RequestError{Status::bad_request, R"("images" must be a non-empty array of base64 strings)"};
    for (auto& e : many->as_array()) items.push_back(&e);
    out.batch_form = true;
  } else {
    return RequestError{Status::bad_request, R"(JSON body has no "image" or "images" field)"};
  }
  if (items.size() > max_images)
    return RequestError{Status::payload_too_large,
                        fmt::format("request has {} images; the limit is {}", items.size(), max_images)};
  for (size_t k = 0; k < items.size(); ++k) {
    std::string where = out.batch_form ? fmt::format("images[{}]", k) : "image";
    if (!items[k]->is_string())
      return RequestError{Status::bad_request, fmt::format(R"("{}" must be a base64 string)", where)};
    auto decoded = base64_decode(strip_data_url(items[k]->as_string()));
    if (!decoded) return RequestError{Status::bad_request, fmt::format(R"("{}" is not valid base64)", where)};
    if (decoded->empty()) return RequestError{Status::bad_request, fmt::format(R"("{}" is empty)", where)};
    out.owned.push_back(std::move(*decoded));
    out.images.push_back(out.owned.back());
  }
  return out;
}

std::variant<ImageList, RequestError> from_multipart(std::string_view content_type, std::string_view body,
                                                     size_t max_images) {
  std::vector<http::FormPart> parts;
  try {
    parts = http::parse_multipart(content_type, body);
  } catch (const http::MultipartError& e) {
    return RequestError{Status::bad_request, std::string("malformed multipart body: ") + e.what()};
  }
  ImageList out;
  std::string seen;
  for (auto& p : parts) {
    if (p.name == "file" || p.name == "image" || p.name == "files" || p.name == "images") {
      if (p.data.empty())
        return RequestError{Status::bad_request,
                            fmt::format(R"(multipart part "{}" ({}) is empty)", p.name,
                                        p.filename.empty() ? "no filename" : std::string(p.filename))};
      out.images.push_back(p.data);
    } else {
      seen += (seen.empty() ? "" : ", ") + std::string(p.name);
    }
  }
  if (out.images.empty())
    return RequestError{Status::bad_request,
                        fmt::format(R"(multipart body has no part named "file" or "image"{})",
                                    seen.empty() ? "" : " (parts: " + seen + ")")};
  if (out.images.size() > max_images)
    return RequestError{Status::payload_too_large,
                        fmt::format("request has {} images; the limit is {}", out.images.size(), max_images)};
  out.batch_form = out.images.size() > 1;
  return out;
}

}  // namespace

std::variant<ImageList, RequestError> extract_images(const http::Request& req, size_t max_images) {
  const std::string_view body = req.body();
  const std::string_view ct = trim(std::string_view(req[http::Field::content_type]));
  if (body.empty())
    return RequestError{Status::bad_request,
                        R"(request body is empty: send an image as the body, as multipart field "file", or as JSON {"image": "<base64>"})"};
  if (istarts_with(ct, "multipart/form-data")) return from_multipart(ct, body, max_images);
  if (istarts_with(ct, "application/json") || istarts_with(ct, "text/json")) return from_json(body, max_images);
  if (istarts_with(ct, "application/x-www-form-urlencoded") || istarts_with(ct, "text/"))
    return RequestError{Status::unsupported_media_type,
                        fmt::format("unsupported Content-Type {}: send image/*, application/octet-stream, "
                                    "multipart/form-data or application/json", ct)};
  ImageList out;
  out.images.push_back(body);
  return out;
}

}  // namespace mlfaas::function
