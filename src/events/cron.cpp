#include "events/cron.h"

#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "common/strings.h"
#include "events/cloudevent.h"

namespace mlfaas::events {

using namespace std::chrono;

namespace {

const char* const kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
const char* const kWeekdays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

struct FieldSpec {
  const char* what;
  int lo, hi;   // values accepted
  int star_hi;  // where * and a/n end (weekday 7 is accepted as Sunday but * ends at 6, as robfig)
  const char* const* names;
  int names_count, names_base;
};

const FieldSpec kFields[] = {
    {"seconds", 0, 59, 59, nullptr, 0, 0},     {"minute", 0, 59, 59, nullptr, 0, 0},
    {"hour", 0, 23, 23, nullptr, 0, 0},        {"day-of-month", 1, 31, 31, nullptr, 0, 0},
    {"month", 1, 12, 12, kMonths, 12, 1},      {"day-of-week", 0, 7, 6, kWeekdays, 7, 0},
};

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

// One field into a bit set; `star` is set when the field is unrestricted (*, ? or a step of 1 on them).
template <class Fail>
uint64_t parse_field(std::string_view text, const FieldSpec& f, bool& star, Fail fail) {
  auto bad = [&](const std::string& why) { return fail(fmt::format("{} field '{}': {}", f.what, text, why)); };
  auto value = [&](std::string_view tok) -> int {
    if (tok.empty()) return bad("a value is missing");
    if (tok.find_first_not_of("0123456789") == std::string_view::npos) {
      if (tok.size() > 4) return bad(fmt::format("{} is out of range {}-{}", tok, f.lo, f.hi));
      return std::stoi(std::string(tok));
    }
    for (int i = 0; i < f.names_count; ++i)
      if (iequals(tok, f.names[i])) return i + f.names_base;
    if (!f.names) return bad(fmt::format("'{}' is not a number", tok));
    return bad(fmt::format("'{}' is not a number or a name ({}..{})", tok, f.names[0], f.names[f.names_count - 1]));
  };
  uint64_t bits = 0;
  for (std::string_view part : split(text, ',')) {
    if (part.empty()) bad("an empty list item");
    auto slash = split(part, '/');
    if (slash.size() > 2) bad(fmt::format("too many slashes in '{}'", part));
    auto dash = split(slash[0], '-');
    if (dash.size() > 2) bad(fmt::format("too many hyphens in '{}'", part));
    bool part_star = slash[0] == "*" || slash[0] == "?";
    int start = f.lo, end = f.star_hi, step = 1;
    if (!part_star) {
      start = value(dash[0]);
      end = dash.size() == 2 ? value(dash[1]) : start;
    }
    if (slash.size() == 2) {
      if (slash[1].empty() || slash[1].find_first_not_of("0123456789") != std::string_view::npos || slash[1].size() > 4)
        bad(fmt::format("the step '{}' is not a positive number", slash[1]));
      step = std::stoi(std::string(slash[1]));
      if (step == 0) bad("a step of 0");
      if (!part_star && dash.size() == 1) end = f.star_hi;  // "a/n" is "a-max/n"
      if (step > 1) part_star = false;
    }
    if (start < f.lo) bad(fmt::format("{} is below the minimum {}", start, f.lo));
    if (end > f.hi) bad(fmt::format("{} is above the maximum {}", end, f.hi));
    if (start > end) bad(fmt::format("the range {}-{} is backwards", start, end));
    for (int v = start; v <= end; v += step) bits |= uint64_t(1) << v;
    star = star || part_star;
  }
  return bits;
}

// Go's time.ParseDuration, as "@every" takes it: decimal numbers with units ns us µs ms s m h.
template <class Fail>
double go_duration_seconds(std::string_view s, Fail fail) {
  static const std::pair<std::string_view, double> units[] = {
      {"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"\xCE\xBCs", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}};
  if (s == "0") return 0;
  if (s.empty()) return fail("@every needs a duration (e.g. @every 1h30m)");
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    std::string num(s.substr(start, i - start));
    if (num.empty() || num == "." || num.find('.') != num.rfind('.'))
      return fail(fmt::format("@every: '{}' is not a Go duration (e.g. 1h30m, 90s)", s));
    size_t ustart = i;
    while (i < s.size() && !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    double scale = 0;
    for (auto& [name, sec] : units)
      if (unit == name) scale = sec;
    if (scale == 0) return fail(fmt::format("@every: unknown unit '{}' in '{}' (ns, us, ms, s, m, h)", unit, s));
    total += std::stod(num) * scale;
  }
  return total;
}

}  // namespace

CronSchedule CronSchedule::parse(const std::string& expr) {
  auto fail = [&](const std::string& why) -> int { throw EventError(fmt::format("cron schedule '{}': {}", expr, why)); };
  std::string_view rest = trim(expr);
  for (std::string_view prefix : {"CRON_TZ=", "TZ="}) {
    if (!rest.starts_with(prefix)) continue;
    size_t end = rest.find_first_of(" \t");
    std::string_view tz = rest.substr(prefix.size(), end == std::string_view::npos ? end : end - prefix.size());
    if (tz != "UTC" && tz != "Etc/UTC")
      fail(fmt::format("time zone '{}' is not supported: schedules run in UTC", tz));
    rest = end == std::string_view::npos ? std::string_view() : trim(rest.substr(end));
    break;
  }
  if (rest.empty()) fail("empty");
  CronSchedule c;
  std::string fields_text(rest);
  if (rest[0] == '@') {
    static const std::pair<std::string_view, const char*> descriptors[] = {
        {"@yearly", "0 0 0 1 1 *"}, {"@annually", "0 0 0 1 1 *"}, {"@monthly", "0 0 0 1 * *"},
        {"@weekly", "0 0 0 * * 0"}, {"@daily", "0 0 0 * * *"},    {"@midnight", "0 0 0 * * *"},
        {"@hourly", "0 0 * * * *"}};
    if (rest.starts_with("@every ") || rest == "@every") {
      double secs = go_duration_seconds(trim(rest.substr(6)), fail);
      if (secs > 100.0 * 366 * 86400) fail("@every: longer than a century");
      c.every_ = seconds(secs < 1 ? 1 : int64_t(secs));  // robfig: at least 1 s, whole seconds
      return c;
    }
    fields_text.clear();
    for (auto& [name, fields] : descriptors)
      if (iequals(rest, name)) fields_text = fields;
    if (fields_text.empty())
      fail(fmt::format("unknown descriptor '{}' (@yearly, @annually, @monthly, @weekly, @daily, @midnight, "
                       "@hourly, @every <duration>)", rest));
  }
  auto f = words(fields_text);
  if (f.size() == 5) f.insert(f.begin(), "0");
  else if (f.size() != 6)
    fail(fmt::format("expected 5 fields (minute hour day-of-month month day-of-week) or 6 (with a leading "
                     "seconds field), got {}", f.size()));
  bool unused = false;
  c.seconds_ = parse_field(f[0], kFields[0], unused, fail);
  c.minutes_ = parse_field(f[1], kFields[1], unused, fail);
  c.hours_ = parse_field(f[2], kFields[2], unused, fail);
  c.days_ = parse_field(f[3], kFields[3], c.days_star_, fail);
  c.months_ = parse_field(f[4], kFields[4], unused, fail);
  c.weekdays_ = parse_field(f[5], kFields[5], c.weekdays_star_, fail);
  if (c.weekdays_ & (1u << 7)) c.weekdays_ = (c.weekdays_ | 1) & ~(uint64_t(1) << 7);  // 7 is Sunday
  // Any schedule that fires at all does so within 8 years (29 February); the search looks 10 ahead.
  if (c.next_after(system_clock::time_point{}) == system_clock::time_point::max())
    fail("it never fires: no day matches (e.g. 30 February)");
  return c;
}

system_clock::time_point CronSchedule::next_after(system_clock::time_point t) const {
  const auto never = system_clock::time_point::max();
  const sys_seconds limit = floor<seconds>(never);
  const sys_seconds from = floor<seconds>(t);
  if (every_ > seconds(0)) return from > limit - every_ ? never : system_clock::time_point(from + every_);
  if (from >= limit) return never;
  const sys_seconds s = from + seconds(1);
  const sys_days day0 = floor<days>(s);
  const year_month_day ymd{day0};
  const hh_mm_ss hms{s - day0};
  int y = int(ymd.year()), h = int(hms.hours().count()), mi = int(hms.minutes().count()), se = int(hms.seconds().count());
  unsigned mo = unsigned(ymd.month()), d = unsigned(ymd.day());
  const int last_year = y + 10;

  auto days_in_month = [&] { return unsigned((year{y} / month{mo} / last).day()); };
  auto next_day = [&] {
    h = mi = se = 0;
    if (++d > days_in_month()) {
      d = 1;
      if (++mo > 12) mo = 1, ++y;
    }
  };
  auto next_hour = [&] {
    mi = se = 0;
    if (++h > 23) next_day();
  };
  auto next_minute = [&] {
    se = 0;
    if (++mi > 59) next_hour();
  };
  auto day_matches = [&] {
    const bool dom = days_ >> d & 1;
    const bool dow = weekdays_ >> weekday{sys_days{year{y} / month{mo} / day{d}}}.c_encoding() & 1;
    return days_star_ || weekdays_star_ ? dom && dow : dom || dow;
  };
  // As robfig's Next: move the first field that does not match to its next value, zeroing the smaller ones.
  while (y <= last_year) {
    if (!(months_ >> mo & 1)) {
      d = 1, h = mi = se = 0;
      if (++mo > 12) mo = 1, ++y;
    } else if (!day_matches()) {
      next_day();
    } else if (!(hours_ >> h & 1)) {
      next_hour();
    } else if (!(minutes_ >> mi & 1)) {
      next_minute();
    } else if (!(seconds_ >> se & 1)) {
      if (++se > 59) next_minute();
    } else {
      const sys_seconds at = sys_days{year{y} / month{mo} / day{d}} + hours(h) + minutes(mi) + seconds(se);
      return at > limit ? never : system_clock::time_point(at);
    }
  }
  return never;
}

}  // namespace mlfaas::events
