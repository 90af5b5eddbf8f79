#include "platform/ui_assets.h"

#include <string_view>

#include "http/query.h"
#include "http/responses.h"

namespace mlfaas::platform {

namespace ui_files {  // defined in the generated ui_assets_data.cpp
extern const std::string_view kIndexHtml, kAppJs, kStyleCss;
}

namespace {

using http::Field;
using http::Status;

// Scripts, styles, fetches: this origin only, nothing inline; images may also be data:/blob: URLs
// (a preview of the uploaded file). No framing, no <base>, no plugins, no form posts.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

struct Asset {
  std::string_view path, content_type;
  const std::string_view* body;
};

constexpr Asset kAssets[] = {
    {"/ui/", "text/html; charset=utf-8", &ui_files::kIndexHtml},
    {"/ui/app.js", "text/javascript; charset=utf-8", &ui_files::kAppJs},
    {"/ui/style.css", "text/css; charset=utf-8", &ui_files::kStyleCss},
};

http::Response with_ui_headers(http::Response res) {
  res.set(Field::cache_control, "no-cache");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  return res;
}

}  // namespace

std::optional<http::Response> ui_response(const http::Request& req) {
  std::string path;
  try {
    path = http::parse_query(req.target()).path;
  } catch (const http::BadRequestTarget&) {
    return std::nullopt;  // the gateway answers malformed targets itself
  }
  if (path != "/ui" && !path.starts_with("/ui/")) return std::nullopt;
  if (req.method() != http::Verb::get && req.method() != http::Verb::head)
    return with_ui_headers(http::method_not_allowed("GET, HEAD"));
  if (path == "/ui") {
    // 308 keeps the method; the trailing slash makes the page's relative URLs resolve under /ui/.
    http::Response res{Status::permanent_redirect, 11};
    res.set(Field::location, "/ui/");
    res.prepare_payload();
    return with_ui_headers(std::move(res));
  }
  for (const auto& a : kAssets)
    if (path == a.path) return with_ui_headers(http::text_response(Status::ok, std::string(*a.body), a.content_type));
  return with_ui_headers(http::error_response(Status::not_found, "no such UI file: " + path + " (the UI is at /ui/)"));
}

}  // namespace mlfaas::platform
