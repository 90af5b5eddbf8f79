#include "metrics/family.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/text_format.h"

namespace mlfaas::metrics {

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::counter: return "counter";
    case MetricType::gauge: return "gauge";
    case MetricType::histogram: return "histogram";
  }
  return "untyped";
}

FamilyBase::FamilyBase(std::string name, std::string help, MetricType type,
                       std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {
  check_metric_name(name_);
  for (size_t i = 0; i < label_names_.size(); ++i) {
    check_label_name(label_names_[i]);
    if (type_ == MetricType::histogram && label_names_[i] == "le")
      throw std::invalid_argument(fmt::format("histogram {} cannot use the label name \"le\"", name_));
    for (size_t j = 0; j < i; ++j)
      if (label_names_[j] == label_names_[i])
        throw std::invalid_argument(fmt::format("metric {} declares label \"{}\" twice", name_, label_names_[i]));
  }
}

std::vector<std::string> FamilyBase::values_in_order(const Labels& labels) const {
  auto mismatch = [&] {
    std::vector<std::string> given;
    for (auto& [k, v] : labels) given.push_back(k);
    return std::invalid_argument(fmt::format("metric {} has labels [{}] but was given [{}]", name_,
                                             fmt::join(label_names_, ","), fmt::join(given, ",")));
  };
  if (labels.size() != label_names_.size()) throw mismatch();
  std::vector<std::string> values(label_names_.size());
  std::vector<bool> seen(label_names_.size(), false);
  for (auto& [k, v] : labels) {
    auto it = std::find(label_names_.begin(), label_names_.end(), k);
    if (it == label_names_.end()) throw mismatch();
    size_t i = size_t(it - label_names_.begin());
    if (seen[i]) throw mismatch();
    seen[i] = true;
    values[i] = v;
  }
  return values;
}

// ---- Family<Metric> --------------------------------------------------------------------------

namespace {

template <class M> constexpr MetricType type_of();
template <> constexpr MetricType type_of<Counter>() { return MetricType::counter; }
template <> constexpr MetricType type_of<Gauge>() { return MetricType::gauge; }
template <> constexpr MetricType type_of<Histogram>() { return MetricType::histogram; }

template <class M> std::unique_ptr<M> make_metric(const std::vector<double>&) { return std::make_unique<M>(); }
template <> std::unique_ptr<Histogram> make_metric<Histogram>(const std::vector<double>& bounds) {
  return std::make_unique<Histogram>(bounds);
}

void render_sample(std::string& out, const std::string& name, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, double v) {
  out += name;
  append_label_set(out, names, values);
  out += ' ';
  append_value(out, v);
  out += '\n';
}

void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values,
                   const Counter& c) {
  render_sample(out, f.name(), f.label_names(), values, c.value());
}
void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values,
                   const Gauge& g) {
  render_sample(out, f.name(), f.label_names(), values, g.value());
}
void render_series(std::string& out, const FamilyBase& f, const std::vector<std::string>& values,
                   const Histogram& h) {
  auto snap = h.snapshot();
  const auto& bounds = h.bounds();
  std::string le;
  for (size_t i = 0; i <= bounds.size(); ++i) {
    le.clear();
    append_value(le, i < bounds.size() ? bounds[i] : HUGE_VAL);  // last one renders "+Inf"
    out += f.name();
    out += "_bucket";
    append_label_set(out, f.label_names(), values, "le", le);
    out += ' ';
    append_value(out, double(snap.cumulative[i]));
    out += '\n';
  }
  render_sample(out, f.name() + "_sum", f.label_names(), values, snap.sum);
  render_sample(out, f.name() + "_count", f.label_names(), values, double(snap.count));
}

}  // namespace

template <class Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> bounds)
    : FamilyBase(std::move(name), std::move(help), type_of<Metric>(), std::move(label_names)),
      bounds_(std::move(bounds)) {
  if constexpr (std::is_same_v<Metric, Histogram>) Histogram check(bounds_);  // validate early
  // A family without labels has exactly one series; create it so it is exported (as 0) from the start.
  if (label_names_.empty()) series_.emplace(std::vector<std::string>{}, make_metric<Metric>(bounds_));
}

template <class Metric>
Metric& Family<Metric>::with(const Labels& labels) {
  auto values = values_in_order(labels);
  std::lock_guard lk(mu_);
  auto& slot = series_[std::move(values)];
  if (!slot) slot = make_metric<Metric>(bounds_);
  return *slot;
}

template <class Metric>
void Family<Metric>::render(std::string& out) const {
  append_header(out, name_, help_, type_name(type_));
  std::lock_guard lk(mu_);
  for (auto& [values, metric] : series_) render_series(out, *this, values, *metric);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- CallbackFamily --------------------------------------------------------------------------

CallbackFamily::CallbackFamily(std::string name, std::string help, MetricType type,
                               std::vector<std::string> label_names)
    : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)) {
  if (type == MetricType::histogram)
    throw std::invalid_argument("callback metrics can be counters or gauges, not histograms");
}

void CallbackFamily::add(const Labels& labels, std::function<double()> read) {
  auto values = values_in_order(labels);
  std::lock_guard lk(mu_);
  if (!series_.emplace(std::move(values), std::move(read)).second)
    throw std::invalid_argument(fmt::format("metric {} already has a callback for this label set", name_));
}

void CallbackFamily::render(std::string& out) const {
  append_header(out, name_, help_, type_name(type_));
  std::lock_guard lk(mu_);
  for (auto& [values, read] : series_) render_sample(out, name_, label_names_, values, read());
}

}  // namespace mlfaas::metrics
