#include "bench/units.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace mlfaas::bench {
namespace {

double parse_number(std::string_view s, std::string_view whole, const char* what) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    throw std::invalid_argument(fmt::format("invalid {} \"{}\"", what, whole));
  return v;
}

int parse_int(std::string_view s, std::string_view whole) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty())
    throw std::invalid_argument(fmt::format("invalid sweep \"{}\": \"{}\" is not a whole number", whole, s));
  return v;
}

constexpr int kMaxSweepSteps = 1000;

}  // namespace

std::chrono::nanoseconds parse_duration(std::string_view text) {
  struct Unit {
    std::string_view suffix;
    double seconds;
  };
  static constexpr Unit units[] = {{"us", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}};
  double scale = 1;
  std::string_view number = text;
  for (auto& u : units) {
    if (text.size() > u.suffix.size() && text.ends_with(u.suffix)) {
      // "ms" also ends with "s": take the longest suffix that leaves a number.
      std::string_view head = text.substr(0, text.size() - u.suffix.size());
      if (!head.empty() && (std::isdigit(static_cast<unsigned char>(head.back())) || head.back() == '.')) {
        number = head;
        scale = u.seconds;
        break;
      }
    }
  }
  double v = parse_number(number, text, "duration");
  if (v < 0 || !std::isfinite(v)) throw std::invalid_argument(fmt::format("invalid duration \"{}\"", text));
  return std::chrono::nanoseconds(int64_t(std::llround(v * scale * 1e9)));
}

std::vector<int> parse_sweep(std::string_view text) {
  std::vector<int> out;
  auto check = [&](int v) {
    if (v < 1) throw std::invalid_argument(fmt::format("invalid sweep \"{}\": concurrency must be at least 1", text));
    if (out.size() >= size_t(kMaxSweepSteps))
      throw std::invalid_argument(fmt::format("invalid sweep \"{}\": more than {} steps", text, kMaxSweepSteps));
    out.push_back(v);
  };
  if (text.find(',') != std::string_view::npos) {
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t comma = text.find(',', pos);
      if (comma == std::string_view::npos) comma = text.size();
      check(parse_int(text.substr(pos, comma - pos), text));
      pos = comma + 1;
    }
    return out;
  }
  std::vector<std::string_view> parts;
  size_t pos = 0;
  for (;;) {
    size_t colon = text.find(':', pos);
    parts.push_back(text.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos));
    if (colon == std::string_view::npos) break;
    pos = colon + 1;
  }
  if (parts.size() > 3) throw std::invalid_argument(fmt::format("invalid sweep \"{}\": use START:END:xFACTOR or START:END:+STEP", text));
  const int start = parse_int(parts[0], text);
  if (parts.size() == 1) {
    check(start);
    return out;
  }
  const int end = parse_int(parts[1], text);
  if (end < start) throw std::invalid_argument(fmt::format("invalid sweep \"{}\": END is smaller than START", text));
  std::string_view step = parts.size() == 3 ? parts[2] : std::string_view("+1");
  const bool multiply = !step.empty() && (step[0] == 'x' || step[0] == '*');
  if (!step.empty() && (multiply || step[0] == '+')) step.remove_prefix(1);
  const int by = parse_int(step, text);
  if (multiply ? by < 2 : by < 1)
    throw std::invalid_argument(fmt::format("invalid sweep \"{}\": the step must be {}", text, multiply ? "x2 or more" : "at least 1"));
  for (int64_t c = start; c <= end; c = multiply ? c * by : c + by) check(int(c));
  return out;
}

std::string format_latency_us(double us) {
  if (us < 1000) return fmt::format("{:.2f}us", us);
  if (us < 1e6) return fmt::format("{:.2f}ms", us / 1e3);
  if (us < 60e6) return fmt::format("{:.2f}s", us / 1e6);
  return fmt::format("{:.2f}m", us / 60e6);
}

std::string format_bytes(double b) {
  static constexpr const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  return fmt::format("{:.2f}{}", b, units[u]);
}

std::string format_count(double n) {
  if (n < 1000) return fmt::format("{:.2f}", n);
  if (n < 1e6) return fmt::format("{:.2f}k", n / 1e3);
  return fmt::format("{:.2f}M", n / 1e6);
}

}  // namespace mlfaas::bench
