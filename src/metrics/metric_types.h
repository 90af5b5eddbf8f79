#pragma once
// The three sample holders behind every series: Counter, Gauge, Histogram.
// Updates are lock-free atomics so they can sit on request hot paths; reads (scrapes) are relaxed
// snapshots, which is all the Prometheus model promises anyway.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace mlfaas::metrics {

// Monotonically increasing total. inc() with a negative amount is ignored (a counter never goes down).
class Counter {
 public:
  void inc(double amount = 1.0) {
    if (amount > 0) value_.fetch_add(amount, std::memory_order_relaxed);
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down (queue depth, loaded models, ...).
class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void inc(double amount = 1.0) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Distribution over fixed upper bounds (le = "less than or equal"); +Inf is implicit.
class Histogram {
 public:
  // `upper_bounds` must be finite and strictly increasing (std::invalid_argument otherwise).
  explicit Histogram(std::vector<double> upper_bounds);

  void observe(double v);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  // Per-bucket (non-cumulative) counts: bounds_.size() + 1 slots, the last one for +Inf.
  // Cumulating at scrape time keeps observe() to a single increment.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

// `count` bounds: start, start*factor, start*factor^2, ... (start > 0, factor > 1).
std::vector<double> exponential_buckets(double start, double factor, size_t count);
// `count` bounds: start, start+width, start+2*width, ... (width > 0).
std::vector<double> linear_buckets(double start, double width, size_t count);

}  // namespace mlfaas::metrics
