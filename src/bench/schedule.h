#pragma once
// Open-loop (wrk2-style) send times: when each request *should* be sent, whatever happened to the
// previous ones. Latency is measured from these intended times, so a stalled server shows up in
// the latency of every request that was due during the stall (no coordinated omission).
#include <cstdint>
#include <random>

namespace mlfaas::bench {

enum class Arrival { constant, poisson };
const char* arrival_name(Arrival a);

class SendSchedule {
 public:
  // `rate`: requests per second of this stream (> 0). `phase_seconds`: offset of the first send,
  // used to interleave the constant-rate streams of several threads. `seed` drives Poisson arrivals.
  SendSchedule(Arrival arrival, double rate, double phase_seconds = 0, uint64_t seed = 1);

  // Seconds from the start of the run to the next intended send; strictly increasing for poisson,
  // exactly phase + k / rate for constant (no accumulated rounding).
  double next();

 private:
  Arrival arrival_;
  double rate_, phase_;
  uint64_t k_ = 0;
  double t_ = 0;
  std::mt19937_64 rng_;
  std::exponential_distribution<double> gap_;
};

}  // namespace mlfaas::bench
