#include "bench/schedule.h"

#include <stdexcept>

namespace mlfaas::bench {

const char* arrival_name(Arrival a) { return a == Arrival::constant ? "constant" : "poisson"; }

SendSchedule::SendSchedule(Arrival arrival, double rate, double phase_seconds, uint64_t seed)
    : arrival_(arrival), rate_(rate), phase_(phase_seconds), t_(phase_seconds), rng_(seed), gap_(rate > 0 ? rate : 1) {
  if (!(rate > 0)) throw std::invalid_argument("the request rate must be positive");
}

double SendSchedule::next() {
  if (arrival_ == Arrival::constant) return phase_ + double(k_++) / rate_;
  t_ += gap_(rng_);
  return t_;
}

}  // namespace mlfaas::bench
