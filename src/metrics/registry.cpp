#include "metrics/registry.h"

#include <fmt/format.h>

#include <stdexcept>

namespace mlfaas::metrics {
namespace {

std::string describe(const FamilyBase& f) {
  return fmt::format("{}{} with labels [{}]", dynamic_cast<const CallbackFamily*>(&f) ? "callback " : "",
                     type_name(f.type()), fmt::join(f.label_names(), ","));
}

}  // namespace

template <class F, class... Args>
F& Registry::get_or_add(const std::string& name, MetricType type, const std::vector<std::string>& label_names,
                        Args&&... args) {
  std::lock_guard lk(mu_);
  for (auto& f : families_) {
    if (f->name() != name) continue;
    auto* same = dynamic_cast<F*>(f.get());
    if (same && same->type() == type && same->label_names() == label_names) return *same;
    throw std::invalid_argument(fmt::format("metric {} is already registered as a {}", name, describe(*f)));
  }
  auto f = std::make_unique<F>(std::forward<Args>(args)...);
  auto& ref = *f;
  families_.push_back(std::move(f));
  return ref;
}

CounterFamily& Registry::counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names) {
  return get_or_add<CounterFamily>(name, MetricType::counter, label_names, name, help, label_names);
}

GaugeFamily& Registry::gauge(const std::string& name, const std::string& help,
                             std::vector<std::string> label_names) {
  return get_or_add<GaugeFamily>(name, MetricType::gauge, label_names, name, help, label_names);
}

HistogramFamily& Registry::histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                                     std::vector<std::string> label_names) {
  auto& f = get_or_add<HistogramFamily>(name, MetricType::histogram, label_names, name, help, label_names, bounds);
  if (f.bounds() != bounds)
    throw std::invalid_argument(fmt::format("histogram {} is already registered with other buckets", name));
  return f;
}

void Registry::add_callback(const std::string& name, const std::string& help, MetricType type,
                            std::function<double()> read, const Labels& labels) {
  std::vector<std::string> names;
  for (auto& [k, v] : labels) names.push_back(k);
  // Label order of the first registration wins; later ones may list them in any order.
  std::lock_guard lk(mu_);
  for (auto& f : families_) {
    if (f->name() != name) continue;
    auto* cb = dynamic_cast<CallbackFamily*>(f.get());
    if (!cb || cb->type() != type)
      throw std::invalid_argument(fmt::format("metric {} is already registered as a {}", name, describe(*f)));
    cb->add(labels, std::move(read));
    return;
  }
  auto f = std::make_unique<CallbackFamily>(name, help, type, names);
  f->add(labels, std::move(read));
  families_.push_back(std::move(f));
}

void Registry::gauge_callback(const std::string& name, const std::string& help, std::function<double()> read,
                              const Labels& labels) {
  add_callback(name, help, MetricType::gauge, std::move(read), labels);
}

void Registry::counter_callback(const std::string& name, const std::string& help, std::function<double()> read,
                                const Labels& labels) {
  add_callback(name, help, MetricType::counter, std::move(read), labels);
}

std::string Registry::render() const {
  std::string out;
  out.reserve(4096);
  std::lock_guard lk(mu_);
  for (auto& f : families_) f->render(out);
  return out;
}

}  // namespace mlfaas::metrics
