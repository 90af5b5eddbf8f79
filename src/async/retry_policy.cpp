#include "async/retry_policy.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace mlfaas::async {

bool RetryPolicy::retryable_status(unsigned http_status) {
  return http_status == 429 || http_status == 502 || http_status == 503 || http_status == 504;
}

std::chrono::milliseconds RetryPolicy::delay_after(int failed_attempts) const {
  const int n = failed_attempts < 1 ? 1 : failed_attempts;
  // In double: multiplier^(n-1) overflows int64 long before max_attempts stops mattering.
  const double ms = double(initial_delay.count()) * std::pow(multiplier, n - 1);
  if (!(ms < double(max_delay.count()))) return max_delay;  // also catches inf
  return std::chrono::milliseconds(int64_t(ms));
}

void RetryPolicy::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument("retry policy: " + what); };
  if (max_attempts < 1) bad(fmt::format("max_attempts must be >= 1, got {}", max_attempts));
  if (initial_delay.count() <= 0) bad(fmt::format("initial_delay must be > 0, got {} ms", initial_delay.count()));
  if (max_delay.count() <= 0) bad(fmt::format("max_delay must be > 0, got {} ms", max_delay.count()));
  if (max_delay < initial_delay)
    bad(fmt::format("max_delay ({} ms) must be >= initial_delay ({} ms)", max_delay.count(), initial_delay.count()));
  if (!(multiplier >= 1.0)) bad(fmt::format("multiplier must be >= 1, got {}", multiplier));
}

}  // namespace mlfaas::async
