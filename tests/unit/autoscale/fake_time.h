#pragma once
// Test time: a fixed origin and helpers to build Observed values and run a function under load.
#include <chrono>
#include <vector>

#include "autoscale/function_metrics.h"
#include "autoscale/kpa_autoscaler.h"

namespace mlfaas::autoscale::testing {

using namespace std::chrono_literals;

// Origin of fake time: a whole second well after the clock's epoch.
inline const TimePoint kT0 = TimePoint{} + std::chrono::hours(100);

// kT0 + s seconds (rounded to the clock's tick, so at(0.3) is exactly 300 ms later).
inline TimePoint at(double s) {
  return kT0 + std::chrono::round<Duration>(std::chrono::duration<double>(s));
}

inline Observed observed(double stable, double panic, int ready) {
  Observed o;
  o.stable_value = stable;
  o.panic_value = panic;
  o.ready_pods = ready;
  return o;
}

// A KPA function driven end to end: the gateway's in-flight level feeds FunctionMetrics, decide() runs
// every tick, and ready pods follow the previous decision one tick later (pods start within a tick).
struct KpaRun {
  explicit KpaRun(KpaConfig c, int ready_pods = 0, TimePoint start = kT0)
      : config(c),
        metrics(DemandWindows{c.metric, c.stable_window, c.panic_window(), 10s}, start),
        kpa(c, start, ready_pods),
        now(start),
        ready(ready_pods) {
    last.desired_pods = ready_pods;
  }

  // Hold `in_flight` requests for `d`, deciding every `tick` (at the end of each tick).
  void hold(double in_flight, Duration d, Duration tick = 2s) {
    metrics.record(now, in_flight);
    for (Duration spent{}; spent < d; spent += tick) {
      now += tick;
      step();
    }
  }
  Decision step() {
    if (follow) ready = last.desired_pods;
    last = kpa.decide(now, metrics.observe(now, ready));
    trace.push_back(last);
    return last;
  }

  KpaConfig config;
  FunctionMetrics metrics;
  KpaAutoscaler kpa;
  TimePoint now;
  int ready;
  bool follow = true;  // ready pods catch up with the previous decision
  Decision last;
  std::vector<Decision> trace;
};

}  // namespace mlfaas::autoscale::testing
