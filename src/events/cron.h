#pragma once
// PingSource schedules. Knative parses them with robfig/cron v3 (SecondOptional | Minute | Hour |
// Dom | Month | Dow | Descriptor, pkg/adapter/mtping/adapter.go); this is that grammar, in UTC:
//   - 5 fields: minute hour day-of-month month day-of-week; 6 fields: a leading seconds field
//     (robfig's SecondOptional, so Knative takes them too);
//   - each field a list of: number, name, *, ?, a-b, */n, a-b/n, a/n (= a-max/n); months jan..dec
//     and weekdays sun..sat in any case; weekday 7 is Sunday as in Vixie cron;
//   - @yearly @annually @monthly @weekly @daily @midnight @hourly, and @every <Go duration>
//     ("@every 1h30m": every interval after the time asked about, at least 1 s, whole seconds);
//   - a "CRON_TZ=UTC " or "TZ=UTC " prefix; other time zones are refused (schedules run in UTC).
// Day of month and day of week follow Vixie cron's rule as robfig implements it: when both are
// restricted a day matching either fires; when either is unrestricted (*, ? or */1) both must
// match. (Vixie also counts "*/2" as unrestricted; robfig, and so Knative, does not.)
// A schedule that can never fire ("0 0 30 2 *") is refused.
#include <chrono>
#include <cstdint>
#include <string>

namespace mlfaas::events {

class CronSchedule {
 public:
  static CronSchedule parse(const std::string& expr);  // throws EventError naming what is wrong
  // The first firing time strictly after `t` (UTC, whole seconds); time_point::max() if none is
  // representable.
  std::chrono::system_clock::time_point next_after(std::chrono::system_clock::time_point t) const;

 private:
  // Bit i set = value i allowed: seconds/minutes 0-59, hours 0-23, days 1-31, months 1-12, weekdays 0-6.
  uint64_t seconds_ = 0, minutes_ = 0, hours_ = 0, days_ = 0, months_ = 0, weekdays_ = 0;
  bool days_star_ = false, weekdays_star_ = false;
  std::chrono::seconds every_{0};  // @every: a fixed interval instead of the fields
};

}  // namespace mlfaas::events
