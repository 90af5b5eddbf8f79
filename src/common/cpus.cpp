#include "common/cpus.h"

#include <sched.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <string>
#include <thread>

namespace mlfaas {

namespace {
std::optional<double> number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}
}  // namespace

std::optional<double> parse_cpu_max(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
  auto sp = line.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto quota = number(line.substr(0, sp)), period = number(line.substr(sp + 1));
  if (!quota || !period || *period <= 0) return std::nullopt;
  return *quota / *period;
}

std::optional<double> parse_cpu_quantity(std::string_view q) {
  if (!q.empty() && q.back() == 'm') {
    auto v = number(q.substr(0, q.size() - 1));
    if (!v) return std::nullopt;
    return *v / 1000;
  }
  return number(q);
}

int usable_cpus() {
  int n = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  if (n <= 0) n = int(std::max(1u, std::thread::hardware_concurrency()));
  std::ifstream f("/sys/fs/cgroup/cpu.max");
  std::string line;
  if (f && std::getline(f, line))
    if (auto quota = parse_cpu_max(line); quota && *quota > 0) n = std::min(n, std::max(1, int(std::ceil(*quota))));
  return n;
}

}  // namespace mlfaas
