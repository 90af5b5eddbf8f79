#include "bench/prometheus_poller.h"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "http/fetch.h"

namespace mlfaas::bench {

namespace json = boost::json;

std::vector<std::pair<std::string, std::string>> prometheus_queries(const std::string& function) {
  const std::string fn = function.empty() ? "" : "function_name=\"" + function + "\"";
  auto sel = [&](const std::string& extra) {
    std::string s = fn;
    if (!extra.empty()) s += (s.empty() ? "" : ",") + extra;
    return "{" + s + "}";
  };
  return {
      {"ready_replicas", "sum(mlfaas_function_ready_replicas" + sel("") + ")"},
      {"desired_replicas", "sum(mlfaas_function_desired_replicas" + sel("") + ")"},
      {"queue_depth", "sum(mlfaas_function_queue_depth" + sel("") + ")"},
      {"in_flight", "sum(gateway_function_invocation_inflight" + sel("") + ")"},
      {"cpu_cores", "sum(rate(process_cpu_seconds_total" + sel("job=\"functions\"") + "[15s]))"},
      {"memory_bytes", "sum(process_resident_memory_bytes" + sel("job=\"functions\"") + ")"},
  };
}

std::optional<double> parse_instant_value(std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto& o = v.as_object();
  if (!o.contains("status") || o.at("status") != "success") return std::nullopt;
  auto* data = o.if_contains("data");
  if (!data || !data->is_object()) return std::nullopt;
  auto* result = data->as_object().if_contains("result");
  if (!result || !result->is_array() || result->as_array().empty()) return std::nullopt;
  double sum = 0;
  for (auto& r : result->as_array()) {
    auto* value = r.as_object().if_contains("value");
    if (!value || !value->is_array() || value->as_array().size() != 2 || !value->as_array()[1].is_string()) return std::nullopt;
    sum += std::strtod(std::string(value->as_array()[1].as_string()).c_str(), nullptr);
  }
  return sum;
}

PrometheusPoller::PrometheusPoller(std::string base, std::string function, Clock::time_point origin,
                                   std::chrono::milliseconds period)
    : base_(std::move(base)), function_(std::move(function)), origin_(origin), period_(period) {
  while (!base_.empty() && base_.back() == '/') base_.pop_back();
}

PrometheusPoller::~PrometheusPoller() { stop(); }

void PrometheusPoller::start() { thread_ = std::thread([this] { loop(); }); }

void PrometheusPoller::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<PrometheusSample> PrometheusPoller::samples() const {
  std::lock_guard lk(mu_);
  return samples_;
}

void PrometheusPoller::loop() {
  const auto queries = prometheus_queries(function_);
  auto next = Clock::now();
  while (!stop_) {
    PrometheusSample s;
    s.t = std::chrono::duration<double>(Clock::now() - origin_).count();
    for (auto& [name, q] : queries) {
      const std::string url = base_ + "/api/v1/query?query=" + boost::urls::encode(q, boost::urls::unreserved_chars);
      try {
        auto r = http::fetch(url, http::Verb::get, {}, {}, std::chrono::milliseconds(800));
        if (r.ok() && r.response.result_int() == 200)
          if (auto v = parse_instant_value(r.response.body())) s.values[name] = *v;
      } catch (const std::exception&) {
      }
    }
    {
      std::lock_guard lk(mu_);
      samples_.push_back(std::move(s));
    }
    next += period_;
    while (!stop_ && Clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace mlfaas::bench
