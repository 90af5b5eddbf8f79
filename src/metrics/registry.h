#pragma once
// The set of metric families a process exposes, rendered in the Prometheus text format.
//
//   metrics::Registry reg;
//   auto& requests = reg.counter("mlfaas_http_requests_total", "HTTP requests handled", {"route", "code"});
//   auto& latency  = reg.histogram("mlfaas_request_seconds", "Request latency",
//                                  metrics::exponential_buckets(0.001, 2, 14), {"route"});
//   reg.gauge_callback("mlfaas_queue_depth", "Jobs waiting", [&] { return double(queue.size()); });
//   std::string body = reg.render();   // serve with Content-Type metrics::kTextContentType
//
// Registering a name again with the same type, labels (and buckets) returns the existing family,
// so independent components can share one; any other reuse of a name throws std::invalid_argument.
// Families are exported in registration order. All member functions are thread-safe.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/family.h"
#include "metrics/text_format.h"

namespace mlfaas::metrics {

class Registry {
 public:
  CounterFamily& counter(const std::string& name, const std::string& help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(const std::string& name, const std::string& help,
                     std::vector<std::string> label_names = {});
  // `bounds`: finite, strictly increasing upper bounds; the +Inf bucket is implicit.
  HistogramFamily& histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                             std::vector<std::string> label_names = {});

  // Series read at scrape time. Calls with the same name add series (label sets must differ and
  // use the same label names).
  void gauge_callback(const std::string& name, const std::string& help, std::function<double()> read,
                      const Labels& labels = {});
  void counter_callback(const std::string& name, const std::string& help, std::function<double()> read,
                        const Labels& labels = {});

  // Text exposition format 0.0.4.
  std::string render() const;

 private:
  template <class F, class... Args>
  F& get_or_add(const std::string& name, MetricType type, const std::vector<std::string>& label_names,
                Args&&... args);
  void add_callback(const std::string& name, const std::string& help, MetricType type,
                    std::function<double()> read, const Labels& labels);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

}  // namespace mlfaas::metrics
