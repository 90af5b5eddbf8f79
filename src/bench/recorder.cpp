#include "bench/recorder.h"

namespace mlfaas::bench {
namespace {

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

}  // namespace

void RecordedData::merge(const RecordedData& o) {
  total.merge(o.total);
  seconds.merge(o.seconds);
  windows.merge(o.windows);
  send_lag.merge(o.send_lag);
  if (o.first_success_s >= 0 && (first_success_s < 0 || o.first_success_s < first_success_s)) {
    first_success_s = o.first_success_s;
    first_success_latency_us = o.first_success_latency_us;
  }
}

Recorder::Recorder(Clock::time_point origin, Clock::time_point window_origin, Clock::duration window)
    : origin_(origin), window_origin_(window_origin), windows_(window.count() > 0) {
  if (windows_) data_.windows = Timeline(std::chrono::duration<double>(window).count());
}

double Recorder::seconds_since(Clock::time_point origin, Clock::time_point t) const {
  return std::chrono::duration<double>(t - origin).count();
}

template <class F>
void Recorder::each_tally(Clock::time_point end, F&& f) {
  f(data_.total);
  f(data_.seconds.at(seconds_since(origin_, end)));
  if (windows_) f(data_.windows.at(seconds_since(window_origin_, end)));
}

void Recorder::response(Clock::time_point start, Clock::time_point end, int status, uint64_t bytes) {
  const double us = micros(end - start);
  std::lock_guard lk(mu_);
  each_tally(end, [&](Tally& t) { t.record_response(status, bytes, us); });
  if (status >= 200 && status <= 299) {
    const double at = seconds_since(origin_, end);
    if (data_.first_success_s < 0 || at < data_.first_success_s) {
      data_.first_success_s = at;
      data_.first_success_latency_us = us;
    }
  }
}

void Recorder::failure(Clock::time_point start, Clock::time_point end, Cause cause) {
  const double us = micros(end - start);
  std::lock_guard lk(mu_);
  each_tally(end, [&](Tally& t) { t.record_failure(cause, us); });
}

void Recorder::send_lag(Clock::duration lag) {
  const double us = micros(lag);
  std::lock_guard lk(mu_);
  data_.send_lag.record(us);
}

}  // namespace mlfaas::bench
