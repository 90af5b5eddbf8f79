// PingSource schedules: every syntax form, the day-of-month/day-of-week rule, month, year and
// leap-day boundaries, the seconds field, time zones and the errors.
#include "events/cron.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "events/cloudevent.h"

namespace mlfaas::events {
namespace {

using namespace std::chrono;

system_clock::time_point at(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return sys_days{year{y} / month{mo} / day{d}} + hours(h) + minutes(mi) + seconds(s);
}

std::string show(system_clock::time_point t) {
  if (t == system_clock::time_point::max()) return "never";
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(t) - day};
  static const char* wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02} {}", int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()), hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                     wd[weekday{day}.c_encoding()]);
}

std::string next(const std::string& expr, system_clock::time_point from) {
  return show(CronSchedule::parse(expr).next_after(from));
}

// The next n firings after `from`, one per line.
std::string firings(const std::string& expr, system_clock::time_point from, int n) {
  auto c = CronSchedule::parse(expr);
  std::string out;
  for (int i = 0; i < n; ++i) {
    from = c.next_after(from);
    out += show(from) + (i + 1 < n ? "\n" : "");
  }
  return out;
}

std::string parse_error(const std::string& expr) {
  try {
    CronSchedule::parse(expr);
  } catch (const EventError& e) {
    return e.what();
  }
  return "";
}

TEST(Cron, StrictlyAfterInWholeSeconds) {
  EXPECT_EQ(next("* * * * *", at(2024, 5, 1, 12, 0, 30)), "2024-05-01 12:01:00 Wed");
  EXPECT_EQ(next("* * * * *", at(2024, 5, 1, 12, 1, 0)), "2024-05-01 12:02:00 Wed");
  EXPECT_EQ(next("* * * * *", at(2024, 5, 1, 12, 0, 59) + milliseconds(999)), "2024-05-01 12:01:00 Wed");
  EXPECT_EQ(next("30 2 * * *", at(2024, 5, 1, 2, 30)), "2024-05-02 02:30:00 Thu");
  EXPECT_EQ(next("30 2 * * *", at(2024, 5, 1, 2, 29, 59)), "2024-05-01 02:30:00 Wed");
}

TEST(Cron, RangesStepsListsAndNames) {
  const auto from = at(2024, 5, 1, 0, 0, 0);  // a Wednesday
  EXPECT_EQ(firings("*/15 * * * *", from, 3), "2024-05-01 00:15:00 Wed\n2024-05-01 00:30:00 Wed\n2024-05-01 00:45:00 Wed");
  EXPECT_EQ(firings("0 0-12/4 * * *", from, 4), "2024-05-01 04:00:00 Wed\n2024-05-01 08:00:00 Wed\n2024-05-01 12:00:00 Wed\n2024-05-02 00:00:00 Thu");
  EXPECT_EQ(firings("5/20 * * * *", from, 4), "2024-05-01 00:05:00 Wed\n2024-05-01 00:25:00 Wed\n2024-05-01 00:45:00 Wed\n2024-05-01 01:05:00 Wed");
  EXPECT_EQ(firings("0,30 9 * * *", from, 3), "2024-05-01 09:00:00 Wed\n2024-05-01 09:30:00 Wed\n2024-05-02 09:00:00 Thu");
  EXPECT_EQ(firings("0 9-17/8 * * mon-fri", at(2024, 5, 3, 10), 3), "2024-05-03 17:00:00 Fri\n2024-05-06 09:00:00 Mon\n2024-05-06 17:00:00 Mon");
  EXPECT_EQ(firings("0 0 1 jan,JUL *", from, 2), "2024-07-01 00:00:00 Mon\n2025-01-01 00:00:00 Wed");
  EXPECT_EQ(firings("0 0 1 Feb-Apr *", from, 3), "2025-02-01 00:00:00 Sat\n2025-03-01 00:00:00 Sat\n2025-04-01 00:00:00 Tue");
  EXPECT_EQ(next("0 0 * * SUN", from), "2024-05-05 00:00:00 Sun");
  EXPECT_EQ(next("0 0 * * 7", from), "2024-05-05 00:00:00 Sun");  // 7 is Sunday
  EXPECT_EQ(next("0 0 * * 0", from), "2024-05-05 00:00:00 Sun");
  EXPECT_EQ(firings("0 0 * * 5-7", from, 4), "2024-05-03 00:00:00 Fri\n2024-05-04 00:00:00 Sat\n2024-05-05 00:00:00 Sun\n2024-05-10 00:00:00 Fri");
  EXPECT_EQ(firings("0 0 * * 1/2", from, 4), "2024-05-03 00:00:00 Fri\n2024-05-06 00:00:00 Mon\n2024-05-08 00:00:00 Wed\n2024-05-10 00:00:00 Fri");
  EXPECT_EQ(firings("0 12 * * tue,thu", from, 3), "2024-05-02 12:00:00 Thu\n2024-05-07 12:00:00 Tue\n2024-05-09 12:00:00 Thu");
  EXPECT_EQ(next("  0\t12  *  *  *  ", from), "2024-05-01 12:00:00 Wed");  // any blank separates
}

TEST(Cron, Descriptors) {
  const auto from = at(2024, 5, 1, 12, 0, 0);
  EXPECT_EQ(next("@yearly", from), "2025-01-01 00:00:00 Wed");
  EXPECT_EQ(next("@annually", from), "2025-01-01 00:00:00 Wed");
  EXPECT_EQ(next("@monthly", from), "2024-06-01 00:00:00 Sat");
  EXPECT_EQ(next("@weekly", from), "2024-05-05 00:00:00 Sun");
  EXPECT_EQ(next("@daily", from), "2024-05-02 00:00:00 Thu");
  EXPECT_EQ(next("@midnight", from), "2024-05-02 00:00:00 Thu");
  EXPECT_EQ(next("@hourly", from), "2024-05-01 13:00:00 Wed");
  EXPECT_EQ(next("@every 90s", from + milliseconds(400)), "2024-05-01 12:01:30 Wed");  // whole seconds
  EXPECT_EQ(next("@every 1h30m", from), "2024-05-01 13:30:00 Wed");
  EXPECT_EQ(next("@every 1.5h", from), "2024-05-01 13:30:00 Wed");
  EXPECT_EQ(next("@every 500ms", from), "2024-05-01 12:00:01 Wed");  // at least 1 s
  EXPECT_EQ(next("@every 2500ms", from), "2024-05-01 12:00:02 Wed");  // truncated to whole seconds
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  const auto from = at(2024, 9, 1);  // Sunday
  // Both restricted: the 13th or any Friday (Vixie's rule), not only Friday the 13th.
  EXPECT_EQ(firings("0 0 13 * fri", from, 4), "2024-09-06 00:00:00 Fri\n2024-09-13 00:00:00 Fri\n2024-09-20 00:00:00 Fri\n2024-09-27 00:00:00 Fri");
  EXPECT_EQ(firings("0 0 13 * fri", at(2024, 10, 5), 3), "2024-10-11 00:00:00 Fri\n2024-10-13 00:00:00 Sun\n2024-10-18 00:00:00 Fri");
  // Either unrestricted: both must match, so only the restricted one counts.
  EXPECT_EQ(firings("0 0 13 * *", from, 2), "2024-09-13 00:00:00 Fri\n2024-10-13 00:00:00 Sun");
  EXPECT_EQ(firings("0 0 * * fri", from, 2), "2024-09-06 00:00:00 Fri\n2024-09-13 00:00:00 Fri");
  EXPECT_EQ(firings("0 0 ? * mon", from, 2), "2024-09-02 00:00:00 Mon\n2024-09-09 00:00:00 Mon");
  EXPECT_EQ(firings("0 0 13 * */1", from, 2), "2024-09-13 00:00:00 Fri\n2024-10-13 00:00:00 Sun");  // */1 is *
  // robfig (Knative): */2 is a restriction, so it ORs with a restricted weekday.
  EXPECT_EQ(firings("0 0 */10 * mon", from, 4), "2024-09-02 00:00:00 Mon\n2024-09-09 00:00:00 Mon\n2024-09-11 00:00:00 Wed\n2024-09-16 00:00:00 Mon");
}

TEST(Cron, MonthAndYearEnds) {
  EXPECT_EQ(next("0 0 1 * *", at(2023, 12, 15)), "2024-01-01 00:00:00 Mon");
  EXPECT_EQ(next("59 23 31 12 *", at(2023, 12, 31, 23, 59)), "2024-12-31 23:59:00 Tue");
  EXPECT_EQ(next("0 0 31 * *", at(2024, 4, 1)), "2024-05-31 00:00:00 Fri");  // April has no 31st
  EXPECT_EQ(next("* * * * *", at(2023, 12, 31, 23, 59, 30)), "2024-01-01 00:00:00 Mon");
  EXPECT_EQ(next("*/30 * * * * *", at(2023, 12, 31, 23, 59, 30)), "2024-01-01 00:00:00 Mon");
  EXPECT_EQ(next("0 0 30 * *", at(2024, 1, 30, 0, 0, 1)), "2024-03-30 00:00:00 Sat");  // skips February
}

TEST(Cron, LeapDays) {
  EXPECT_EQ(next("0 0 29 2 *", at(2024, 3, 1)), "2028-02-29 00:00:00 Tue");
  EXPECT_EQ(next("0 0 29 2 *", at(2024, 2, 28, 23, 59, 59)), "2024-02-29 00:00:00 Thu");
  EXPECT_EQ(next("0 0 29 2 *", at(2096, 3, 1)), "2104-02-29 00:00:00 Fri");  // 2100 is not a leap year
  EXPECT_EQ(next("0 0 29 2 *", at(1999, 1, 1)), "2000-02-29 00:00:00 Tue");  // 2000 is
  EXPECT_EQ(next("0 0 28-29 2 *", at(2023, 3, 1)), "2024-02-28 00:00:00 Wed");
  EXPECT_EQ(next("0 0 * 2 *", at(2023, 2, 28, 1)), "2024-02-01 00:00:00 Thu");
}

TEST(Cron, SixFieldsHaveSeconds) {
  const auto from = at(2024, 5, 1, 12, 0, 5);
  EXPECT_EQ(firings("*/10 * * * * *", from, 3), "2024-05-01 12:00:10 Wed\n2024-05-01 12:00:20 Wed\n2024-05-01 12:00:30 Wed");
  EXPECT_EQ(next("30 0 0 * * *", from), "2024-05-02 00:00:30 Thu");
  EXPECT_EQ(next("0-5 * * * * *", from), "2024-05-01 12:01:00 Wed");
  EXPECT_EQ(next("6 * * * * *", from), "2024-05-01 12:00:06 Wed");
}

TEST(Cron, TimeZones) {
  const auto from = at(2024, 5, 1, 12);
  EXPECT_EQ(next("CRON_TZ=UTC 0 0 * * *", from), "2024-05-02 00:00:00 Thu");
  EXPECT_EQ(next("TZ=UTC @daily", from), "2024-05-02 00:00:00 Thu");
  EXPECT_EQ(next("CRON_TZ=Etc/UTC 0 13 * * *", from), "2024-05-01 13:00:00 Wed");
  EXPECT_EQ(parse_error("CRON_TZ=Europe/Paris 0 0 * * *"),
            "cron schedule 'CRON_TZ=Europe/Paris 0 0 * * *': time zone 'Europe/Paris' is not supported: schedules run in UTC");
  EXPECT_EQ(parse_error("TZ=America/New_York @hourly"),
            "cron schedule 'TZ=America/New_York @hourly': time zone 'America/New_York' is not supported: schedules run in UTC");
  EXPECT_EQ(parse_error("CRON_TZ=UTC"), "cron schedule 'CRON_TZ=UTC': empty");
}

TEST(Cron, ErrorsSayWhatIsWrong) {
  auto err = [](const std::string& expr, const std::string& why) {
    EXPECT_EQ(parse_error(expr), "cron schedule '" + expr + "': " + why) << expr;
  };
  err("", "empty");
  err("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (with a leading seconds field), got 4");
  err("* * * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (with a leading seconds field), got 7");
  err("60 * * * *", "minute field '60': 60 is above the maximum 59");
  err("* 24 * * *", "hour field '24': 24 is above the maximum 23");
  err("* * 0 * *", "day-of-month field '0': 0 is below the minimum 1");
  err("* * 32 * *", "day-of-month field '32': 32 is above the maximum 31");
  err("* * * 13 *", "month field '13': 13 is above the maximum 12");
  err("* * * 0 *", "month field '0': 0 is below the minimum 1");
  err("* * * * 8", "day-of-week field '8': 8 is above the maximum 7");
  err("61 * * * * *", "seconds field '61': 61 is above the maximum 59");
  err("5-1 * * * *", "minute field '5-1': the range 5-1 is backwards");
  err("*/0 * * * *", "minute field '*/0': a step of 0");
  err("*/x * * * *", "minute field '*/x': the step 'x' is not a positive number");
  err("1/2/3 * * * *", "minute field '1/2/3': too many slashes in '1/2/3'");
  err("1-2-3 * * * *", "minute field '1-2-3': too many hyphens in '1-2-3'");
  err("1,,2 * * * *", "minute field '1,,2': an empty list item");
  err("*-5 * * * *", "minute field '*-5': '*' is not a number");
  err("abc * * * *", "minute field 'abc': 'abc' is not a number");
  err("* * * foo *", "month field 'foo': 'foo' is not a number or a name (jan..dec)");
  err("* * * * funday", "day-of-week field 'funday': 'funday' is not a number or a name (sun..sat)");
  err("* * L * *", "day-of-month field 'L': 'L' is not a number");
  err("* * * * 5#3", "day-of-week field '5#3': '5#3' is not a number or a name (sun..sat)");
  err("99999 * * * *", "minute field '99999': 99999 is out of range 0-59");
  err("0 0 30 2 *", "it never fires: no day matches (e.g. 30 February)");
  err("0 0 31 4,6,9,11 *", "it never fires: no day matches (e.g. 30 February)");
  err("@reboot", "unknown descriptor '@reboot' (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>)");
  err("@daily 5", "unknown descriptor '@daily 5' (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>)");
  err("@every", "@every needs a duration (e.g. @every 1h30m)");
  err("@every 5x", "@every: unknown unit 'x' in '5x' (ns, us, ms, s, m, h)");
  err("@every 5", "@every: unknown unit '' in '5' (ns, us, ms, s, m, h)");
  err("@every 1..5s", "@every: '1..5s' is not a Go duration (e.g. 1h30m, 90s)");
}

TEST(Cron, NothingRepresentableIsNever) {
  const auto c = CronSchedule::parse("0 0 * * *");
  EXPECT_EQ(c.next_after(system_clock::time_point::max()), system_clock::time_point::max());
  EXPECT_EQ(c.next_after(system_clock::time_point::max() - hours(1)), system_clock::time_point::max());
  EXPECT_EQ(CronSchedule::parse("@every 1h").next_after(system_clock::time_point::max() - minutes(1)),
            system_clock::time_point::max());
}

}  // namespace
}  // namespace mlfaas::events
