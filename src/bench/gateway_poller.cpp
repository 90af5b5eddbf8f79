#include "bench/gateway_poller.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "common/credentials.h"
#include "http/fetch.h"

namespace mlfaas::bench {
namespace {

std::optional<int64_t> int_field(const boost::json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return int64_t(v->as_uint64());
  if (v->is_double()) return int64_t(v->as_double());
  return std::nullopt;
}

}  // namespace

void parse_function_status(std::string_view body, GatewaySample& s) {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) {
    s.ok = false;
    s.error = "the function status is not a JSON object";
    return;
  }
  auto& o = v.as_object();
  s.replicas = int_field(o, "replicas");
  s.available_replicas = int_field(o, "availableReplicas");
  s.queue_depth = int_field(o, "queueDepth");
  s.ok = true;
}

GatewayPoller::GatewayPoller(std::string status_url, Clock::time_point origin, std::chrono::milliseconds period)
    : url_(std::move(status_url)), origin_(origin), period_(period) {
  // The status API is admin-only: use the credentials the CLI would (never printed).
  if (auto a = gateway_authorization(url_.substr(0, url_.find("/system/")))) auth_.emplace_back("Authorization", *a);
}

GatewayPoller::~GatewayPoller() { stop(); }

void GatewayPoller::start() {
  thread_ = std::thread([this] { loop(); });
}

void GatewayPoller::stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

std::vector<GatewaySample> GatewayPoller::samples() const {
  std::lock_guard lk(mu_);
  return samples_;
}

void GatewayPoller::loop() {
  // Polls on the period's grid (0 s, 1 s, 2 s, ... after the origin); the timeout is one period,
  // so a hung gateway delays stop() by at most that.
  for (int64_t k = 0; !stop_.load(); ++k) {
    auto due = origin_ + k * period_;
    while (!stop_.load() && Clock::now() < due) std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(20)));
    if (stop_.load()) break;
    if (Clock::now() - due > period_) continue;  // fell behind (slow gateway): skip to the grid
    GatewaySample s;
    s.t = std::chrono::duration<double>(Clock::now() - origin_).count();
    auto r = http::fetch(url_, http::Verb::get, {}, auth_, period_);
    if (!r.ok()) {
      s.error = r.message;
    } else {
      s.status = int(r.response.result_int());
      if (s.status == 200)
        parse_function_status(r.response.body(), s);
      else
        s.error = fmt::format("HTTP {}", s.status);
    }
    std::lock_guard lk(mu_);
    samples_.push_back(std::move(s));
  }
}

}  // namespace mlfaas::bench
