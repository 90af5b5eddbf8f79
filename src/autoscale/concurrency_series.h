#pragma once
// Average in-flight concurrency over a window, time-weighted: what Knative's queue-proxy reports each
// second (the time-averaged number of requests in flight) aggregated into 1-second buckets.
//
// The gateway reports the in-flight count whenever it changes, or samples it every tick; either way
// the level recorded at t is taken to hold until the next record (a step function). Each 1 s bucket
// holds the time-weighted mean of the level over the part of that second observed so far, so a
// constant 10 averages exactly 10 even mid-second, and a request that lasted 0.2 s of a second counts
// 0.2. The series starts at `start` (the function's creation): the window average before a full
// window has passed is over the seconds since then (BucketedSeries' partial window).
//
// Times must not go backwards; a record earlier than the previous one only changes the level.
#include "autoscale/bucketed_series.h"
#include "autoscale/clock.h"

namespace mlfaas::autoscale {

class ConcurrencySeries {
 public:
  ConcurrencySeries(Duration capacity, TimePoint start, double level = 0);

  // In-flight requests at `now` (negative values are taken as 0).
  void record(TimePoint now, double in_flight);
  // Time-weighted average over the last `window` up to `now`. Not const: it first accounts the current
  // level up to `now`.
  double average(TimePoint now, Duration window);
  // The latest recorded in-flight count.
  double level() const { return level_; }

 private:
  void advance(TimePoint now);

  BucketedSeries buckets_;
  TimePoint last_;
  double level_;
};

}  // namespace mlfaas::autoscale
