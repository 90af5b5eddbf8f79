#include "common/memory_quantity.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace mlfaas {

std::optional<uint64_t> parse_memory_quantity(std::string_view q) {
  struct Suffix {
    std::string_view s;
    double factor;
  };
  // Binary (Ki…Ei) before decimal (k…E), so "Mi" is not read as "M" followed by junk.
  static constexpr Suffix suffixes[] = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
      {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0},
      {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18}};
  double factor = 1;
  for (auto& x : suffixes)
    if (q.size() > x.s.size() && q.substr(q.size() - x.s.size()) == x.s) {
      factor = x.factor;
      q.remove_suffix(x.s.size());
      break;
    }
  if (q.empty() || !(std::isdigit(static_cast<unsigned char>(q[0])) || q[0] == '.')) return std::nullopt;
  const std::string s(q);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);  // digits, a fraction, an exponent (1e9)
  if (*end != '\0' || !std::isfinite(v) || v < 0) return std::nullopt;
  const double bytes = std::ceil(v * factor);  // Kubernetes rounds a fractional byte count up
  if (bytes > 9.2e18) return std::nullopt;
  return uint64_t(bytes);
}

}  // namespace mlfaas
