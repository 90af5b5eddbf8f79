#pragma once
// A metric family: one name, HELP text and type, and one series per distinct label set.
//
// Series are created on first use and live as long as the family (i.e. the Registry), so the
// reference returned by with() can be cached on hot paths and updated without any lock:
//
//   auto& ok = requests.with({{"route", "/classify"}, {"code", "200"}});  // once (takes a mutex)
//   ok.inc();                                                             // per request (one atomic)
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "metrics/metric_types.h"

namespace mlfaas::metrics {

// Label name/value pairs, in any order.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { counter, gauge, histogram };
const char* type_name(MetricType);

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, MetricType type, std::vector<std::string> label_names);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  MetricType type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends HELP, TYPE and every sample line.
  virtual void render(std::string& out) const = 0;

 protected:
  // The values of `labels` in label_names() order. Throws std::invalid_argument unless `labels`
  // names exactly the family's labels (order free, no duplicates).
  std::vector<std::string> values_in_order(const Labels& labels) const;

  std::string name_, help_;
  MetricType type_;
  std::vector<std::string> label_names_;
};

// Counter, Gauge or Histogram series keyed by label values.
template <class Metric>
class Family final : public FamilyBase {
 public:
  // `bounds` is used by Histogram families only.
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {});

  // The series for this label set, created (zeroed) on first use. Thread-safe; the reference is
  // stable for the family's lifetime.
  Metric& with(const Labels& labels);
  // The series of a family without labels.
  Metric& get() { return with({}); }

  const std::vector<double>& bounds() const { return bounds_; }
  void render(std::string& out) const override;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> series_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// Counter or gauge series whose values are read from callbacks at scrape time (process memory,
// queue depth owned by another component, ...). Callbacks run inside Registry::render() with the
// family locked: keep them quick and don't register metrics from them.
class CallbackFamily final : public FamilyBase {
 public:
  CallbackFamily(std::string name, std::string help, MetricType type, std::vector<std::string> label_names);
  // Adds a series; throws std::invalid_argument if the label set is already present.
  void add(const Labels& labels, std::function<double()> read);
  void render(std::string& out) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, std::function<double()>> series_;
};

}  // namespace mlfaas::metrics
