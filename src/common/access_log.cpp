#include "common/access_log.h"

#include <fmt/format.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <stdexcept>

namespace mlfaas {

namespace {
std::atomic<AccessLogFormat> g_format{AccessLogFormat::json};
std::mutex g_mu;
}  // namespace

AccessLogFormat parse_access_log_format(const std::string& s) {
  if (s == "json") return AccessLogFormat::json;
  if (s == "text") return AccessLogFormat::text;
  if (s == "off") return AccessLogFormat::off;
  throw std::invalid_argument("access log format must be json, text or off, got '" + s + "'");
}

void set_access_log_format(AccessLogFormat f) { g_format = f; }
AccessLogFormat access_log_format() { return g_format; }

std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1'000'000;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, us);
}

void access_log(boost::json::object fields) {
  const auto f = g_format.load();
  if (f == AccessLogFormat::off) return;
  std::string line;
  if (f == AccessLogFormat::json) {
    boost::json::object o;
    o["time"] = rfc3339_now();
    o["msg"] = "request";
    for (auto& [k, v] : fields) o[k] = v;
    line = boost::json::serialize(o);
  } else {
    auto str = [&](const char* k) -> std::string {
      auto* v = fields.if_contains(k);
      if (!v) return "-";
      return v->is_string() ? std::string(v->as_string()) : boost::json::serialize(*v);
    };
    line = fmt::format("{} {} {} {} {} {}B {}ms", rfc3339_now(), str("function"), str("method"), str("path"),
                       str("status"), str("bytes"), str("duration_ms"));
  }
  line += '\n';
  std::lock_guard lk(g_mu);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace mlfaas
