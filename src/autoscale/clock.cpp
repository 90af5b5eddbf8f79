#include "autoscale/clock.h"

#include <fmt/format.h>

namespace mlfaas::autoscale {

std::string format_duration(Duration d) {
  using namespace std::chrono;
  if (d < Duration::zero()) return fmt::format("-{}", format_duration(-d));
  if (d % seconds(1) != Duration::zero()) {
    if (d < seconds(1)) return fmt::format("{:g}ms", duration<double, std::milli>(d).count());
    return fmt::format("{:g}s", to_seconds(d));
  }
  auto s = duration_cast<seconds>(d).count();
  if (s == 0) return "0s";
  std::string out;
  if (s >= 3600) out += fmt::format("{}h", s / 3600), s %= 3600;
  if (s >= 60) out += fmt::format("{}m", s / 60), s %= 60;
  if (s > 0) out += fmt::format("{}s", s);
  return out;
}

}  // namespace mlfaas::autoscale
