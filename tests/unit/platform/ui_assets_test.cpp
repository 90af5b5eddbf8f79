// The /ui page as the gateway serves it: routes, content types, the security headers, and that
// the compiled-in files are the ones in src/platform/ui/ and load nothing from elsewhere.
#include "platform/ui_assets.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/paths.h"

namespace {

using mlfaas::http::Request;
using mlfaas::http::Response;
using mlfaas::http::Status;
using mlfaas::http::Verb;
using mlfaas::platform::ui_response;

Response get(const std::string& target, Verb method = Verb::get) {
  Request req{method, target, 11};
  auto r = ui_response(req);
  if (!r) throw std::runtime_error("not a UI path: " + target);
  return *r;
}

std::string header(const Response& r, std::string_view name) { return std::string(r[name]); }

std::string source_file(const std::string& name) {
  std::ifstream in(mlfaas::test::source_dir() / "src" / "platform" / "ui" / name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(UiAssets, OtherPathsAreNotTheUi) {
  for (const char* t : {"/", "/uix", "/u", "/system/functions", "/function/ui/", "/healthz", "/UI/"}) {
    Request req{Verb::get, t, 11};
    EXPECT_FALSE(ui_response(req)) << t;
  }
}

TEST(UiAssets, BarePathRedirectsToTheDirectory) {
  auto r = get("/ui");
  EXPECT_EQ(r.result(), Status::permanent_redirect);
  EXPECT_EQ(header(r, "Location"), "/ui/");
  EXPECT_EQ(get("/ui?x=1")[mlfaas::http::Field::location], "/ui/");
}

TEST(UiAssets, ServesThePageAndItsFilesWithTheirTypes) {
  struct Case {
    const char *target, *type, *file;
  } cases[] = {{"/ui/", "text/html; charset=utf-8", "index.html"},
               {"/ui/?fn=hello", "text/html; charset=utf-8", "index.html"},
               {"/ui/app.js", "text/javascript; charset=utf-8", "app.js"},
               {"/ui/style.css", "text/css; charset=utf-8", "style.css"}};
  for (auto& c : cases) {
    auto r = get(c.target);
    EXPECT_EQ(r.result(), Status::ok) << c.target;
    EXPECT_EQ(header(r, "Content-Type"), c.type) << c.target;
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache") << c.target;
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << c.target;
    EXPECT_EQ(header(r, "Content-Length"), std::to_string(r.body().size())) << c.target;
    // The compiled-in copy is the file in the source tree, byte for byte.
    EXPECT_EQ(r.body(), source_file(c.file)) << c.target;
  }
  EXPECT_NE(get("/ui/").body().find("<script src=\"app.js\""), std::string::npos);
  EXPECT_NE(get("/ui/").body().find("href=\"style.css\""), std::string::npos);
}

TEST(UiAssets, HeadIsAnsweredLikeGet) {
  auto r = get("/ui/app.js", Verb::head);
  EXPECT_EQ(r.result(), Status::ok);
  EXPECT_EQ(header(r, "Content-Type"), "text/javascript; charset=utf-8");
}

TEST(UiAssets, StrictContentSecurityPolicy) {
  for (const char* t : {"/ui/", "/ui/app.js", "/ui/style.css", "/ui/missing"}) {
    const auto csp = header(get(t), "Content-Security-Policy");
    EXPECT_EQ(csp.rfind("default-src 'self'; img-src 'self' data: blob:", 0), 0u) << t << ": " << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  }
}

TEST(UiAssets, OtherMethodsAre405) {
  for (Verb m : {Verb::post, Verb::put, Verb::delete_, Verb::patch}) {
    for (const char* t : {"/ui", "/ui/", "/ui/app.js", "/ui/nothing"}) {
      auto r = get(t, m);
      EXPECT_EQ(r.result(), Status::method_not_allowed) << t;
      EXPECT_EQ(header(r, "Allow"), "GET, HEAD") << t;
    }
  }
}

TEST(UiAssets, UnknownFilesAre404) {
  for (const char* t : {"/ui/index.htm", "/ui/app.js/", "/ui/../system/functions", "/ui/ui/", "/ui/style.css.map"}) {
    auto r = get(t);
    EXPECT_EQ(r.result(), Status::not_found) << t;
    EXPECT_EQ(header(r, "Content-Type"), "application/json") << t;
  }
}

// No CDN, no web fonts, no analytics: the page works offline and the CSP would block them anyway.
TEST(UiAssets, NothingIsLoadedFromElsewhere) {
  for (const char* t : {"/ui/", "/ui/app.js", "/ui/style.css"}) {
    const auto body = get(t).body();
    EXPECT_GT(body.size(), 200u) << t;
    EXPECT_EQ(body.find("http://"), std::string::npos) << t;
    EXPECT_EQ(body.find("https://"), std::string::npos) << t;
    EXPECT_EQ(body.find("//cdn"), std::string::npos) << t;
  }
  // Inline code would need 'unsafe-inline': the page has none.
  const auto html = get("/ui/").body();
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find(" style="), std::string::npos);
  EXPECT_EQ(html.find(" onclick="), std::string::npos);
}

}  // namespace
