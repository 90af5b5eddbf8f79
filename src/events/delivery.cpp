#include "events/delivery.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <string_view>

#include "events/cloudevent.h"

namespace mlfaas::events {

using std::chrono::milliseconds;

milliseconds DeliveryPolicy::delay_before_retry(int n) const {
  constexpr milliseconds cap = std::chrono::hours(1);
  if (n < 1) n = 1;
  if (backoff_delay <= milliseconds(0)) return milliseconds(0);
  // In double: 2^n overflows int64 long before a retry count stops being plausible.
  const double ms = backoff_policy == BackoffPolicy::linear ? double(backoff_delay.count()) * n
                                                            : std::ldexp(double(backoff_delay.count()), n);
  if (!(ms < double(cap.count()))) return cap;
  return milliseconds(int64_t(ms));
}

Outcome outcome_for_status(unsigned status) {
  if (status >= 200 && status < 300) return Outcome::delivered;
  if (status == 404 || status == 408 || status == 409 || status == 429 || (status >= 500 && status < 600))
    return Outcome::retry;
  if (status >= 100 && status < 500) return Outcome::give_up;
  return Outcome::retry;
}

milliseconds parse_iso8601_duration(const std::string& s, const std::string& field) {
  auto fail = [&](const std::string& why) -> milliseconds {
    throw EventError(fmt::format("{}: '{}' is not an ISO-8601 duration: {} (e.g. PT0.2S, PT1M30S, P1DT2H)", field, s, why));
  };
  if (s.empty()) return fail("it is empty");
  if (s[0] == '-' || s[0] == '+') return fail("signs are not allowed");
  if (s[0] != 'P') return fail("it must start with 'P'");
  if (s == "P0") return milliseconds(0);  // Knative's period.Parse accepts it
  // Designators in the order they may appear, with their length in milliseconds (0 = refused).
  struct Unit {
    char mark;
    bool time;
    int64_t ms;
  };
  static const Unit units[] = {{'Y', false, 0}, {'M', false, 0}, {'W', false, 7 * 86'400'000LL},
                               {'D', false, 86'400'000LL}, {'H', true, 3'600'000LL}, {'M', true, 60'000LL},
                               {'S', true, 1'000LL}};
  constexpr int64_t limit = 100LL * 366 * 86'400'000LL;  // a century: anything longer is a typo
  size_t i = 1, next_unit = 0;
  bool in_time = false, any = false, any_after_t = false;
  int64_t total = 0;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return fail("a second 'T'");
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    int64_t whole = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start >= 12) return fail("a number is too large");
      whole = whole * 10 + (s[i++] - '0');
    }
    if (i == start) return fail(fmt::format("expected a number at position {}", start));
    int64_t frac = 0, scale = 1;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
      size_t fstart = ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        if (i - fstart < 9) frac = frac * 10 + (s[i] - '0'), scale *= 10;
        ++i;
      }
      if (i == fstart) return fail("a fraction needs digits after the separator");
    }
    if (i == s.size()) return fail("a number without a designator (Y, M, W, D, H, M or S)");
    const char mark = s[i++];
    size_t u = next_unit;
    while (u < std::size(units) && (units[u].mark != mark || units[u].time != in_time)) ++u;
    if (u == std::size(units)) {
      bool known = std::string_view("YMWDHS").find(mark) != std::string_view::npos;
      if (!known) return fail(fmt::format("unknown designator '{}'", mark));
      if (!in_time && (mark == 'H' || mark == 'S')) return fail(fmt::format("'{}' must come after 'T'", mark));
      if (in_time && (mark == 'Y' || mark == 'W' || mark == 'D')) return fail(fmt::format("'{}' must come before 'T'", mark));
      return fail(fmt::format("'{}' is out of order or repeated", mark));
    }
    if (units[u].ms == 0)
      return fail(mark == 'Y' ? "years are not supported (their length varies); use days"
                              : "months are not supported (their length varies); use days");
    next_unit = u + 1;
    if (whole > limit / units[u].ms) return fail("longer than a century");
    total += whole * units[u].ms + frac * units[u].ms / scale;
    if (total > limit) return fail("longer than a century");
    any = true;
    any_after_t = any_after_t || in_time;
  }
  if (!any) return fail("no components");
  if (in_time && !any_after_t) return fail("nothing after 'T'");
  return milliseconds(total);
}

}  // namespace mlfaas::events
