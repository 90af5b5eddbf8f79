#pragma once
// The web UI at the gateway's /ui: one page (index.html, app.js, style.css) compiled into the
// binary at build time, no build step of its own. The page polls the /system API and /metrics
// from the same origin, so it sits behind the same admin basic auth as /system/* (the gateway
// checks that before asking here).
#include <optional>

#include "http/types.h"

namespace mlfaas::platform {

// The /ui page and its assets, compiled in. nullopt: not a UI path.
//   /ui -> 308 to /ui/; /ui/ -> index.html; /ui/app.js, /ui/style.css; other /ui/* -> 404;
//   methods other than GET and HEAD -> 405. Served with Cache-Control: no-cache and a strict
//   Content-Security-Policy (only same-origin scripts, styles and fetches; no inline code).
std::optional<http::Response> ui_response(const http::Request& req);

}  // namespace mlfaas::platform
