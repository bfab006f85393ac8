#include "device/system/time_zone.hpp"

#include <cctype>
#include <cstdio>

namespace camrig::system {
namespace {

using std::chrono::seconds;

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string letters() {
    std::string out;
    while (std::isalpha(static_cast<unsigned char>(peek()))) out += text_[pos_++];
    return out;
  }
  std::optional<int> number(std::size_t max_digits) {
    std::size_t digits = 0;
    int value = 0;
    while (digits < max_digits && std::isdigit(static_cast<unsigned char>(peek()))) {
      value = value * 10 + (text_[pos_++] - '0');
      ++digits;
    }
    return digits ? std::optional<int>(value) : std::nullopt;
  }
  //! [+|-]H[:MM[:SS]]
  std::optional<seconds> signed_hms() {
    int sign = 1;
    if (take('-')) sign = -1;
    else take('+');
    auto hms = hms_value();
    if (!hms) return std::nullopt;
    return sign * *hms;
  }
  std::optional<seconds> hms_value() {
    const auto hours = number(2);
    if (!hours) return std::nullopt;
    int minutes = 0, secs = 0;
    if (take(':')) {
      const auto m = number(2);
      if (!m || *m > 59) return std::nullopt;
      minutes = *m;
      if (take(':')) {
        const auto s = number(2);
        if (!s || *s > 59) return std::nullopt;
        secs = *s;
      }
    }
    return seconds(*hours * 3600 + minutes * 60 + secs);
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<DstRule> rule_at(Cursor& cursor) {
  DstRule rule;
  if (!cursor.take('M')) return std::nullopt;
  const auto month = cursor.number(2);
  if (!month || !cursor.take('.')) return std::nullopt;
  const auto week = cursor.number(1);
  if (!week || !cursor.take('.')) return std::nullopt;
  const auto weekday = cursor.number(1);
  if (!weekday || *month < 1 || *month > 12 || *week < 1 || *week > 5 || *weekday > 6) return std::nullopt;
  rule.month = *month;
  rule.week = *week;
  rule.weekday = *weekday;
  rule.time_of_day = seconds(2 * 3600);
  if (cursor.take('/')) {
    const auto time = cursor.hms_value();
    if (!time || *time > seconds(24 * 3600)) return std::nullopt;
    rule.time_of_day = *time;
  }
  return rule;
}

// The switch instant of `rule` in `year`, as local time counted like sys_time.
std::chrono::sys_seconds rule_instant(const DstRule& rule, std::chrono::year year) {
  using namespace std::chrono;
  const auto month_of = std::chrono::month(static_cast<unsigned>(rule.month));
  const auto day_of_week = std::chrono::weekday(static_cast<unsigned>(rule.weekday));
  const sys_days day = rule.week == 5 ? sys_days(year / month_of / day_of_week[last])
                                      : sys_days(year / month_of / day_of_week[static_cast<unsigned>(rule.week)]);
  return day + rule.time_of_day;
}

std::string format_offset(seconds offset) {
  const char sign = offset < seconds(0) ? '-' : '+';
  const auto magnitude = offset < seconds(0) ? -offset.count() : offset.count();
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%c%02lld:%02lld", sign, static_cast<long long>(magnitude / 3600),
                static_cast<long long>(magnitude / 60 % 60));
  return buffer;
}

}  // namespace

Result<DstRule> parse_dst_rule(std::string_view text) {
  Cursor cursor(text);
  auto rule = rule_at(cursor);
  if (!rule || !cursor.done())
    return make_error(ErrorCode::invalid_argument, "DST rule \"" + std::string(text) +
                                                       "\" must look like M4.1.0/02:00:00 (month 1-12, week 1-5 where 5 "
                                                       "is the last, weekday 0-6 from Sunday, time)");
  return *rule;
}

Result<TimeZone> parse_time_zone(std::string_view text) {
  const auto bad = [&] {
    return make_error(ErrorCode::invalid_argument,
                      "time zone \"" + std::string(text) +
                          "\" must look like CST-8:00:00 (UTC+8), optionally followed by "
                          "DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00");
  };
  Cursor cursor(text);
  TimeZone zone;
  zone.name = cursor.letters();
  if (zone.name.empty()) return bad();
  const auto posix_offset = cursor.signed_hms();
  if (!posix_offset || *posix_offset > seconds(12 * 3600) || *posix_offset < seconds(-14 * 3600)) return bad();
  zone.utc_offset = -*posix_offset;
  if (cursor.done()) return zone;
  if (cursor.letters().empty()) return bad();
  DaylightSaving dst;
  if (!cursor.take(',')) {
    const auto bias = cursor.hms_value();
    if (!bias || *bias <= seconds(0) || *bias > seconds(2 * 3600) || !cursor.take(',')) return bad();
    dst.bias = *bias;
  }
  const auto start = rule_at(cursor);
  if (!start || !cursor.take(',')) return bad();
  const auto end = rule_at(cursor);
  if (!end || !cursor.done()) return bad();
  dst.start = *start;
  dst.end = *end;
  zone.dst = dst;
  return zone;
}

std::string format_hms(seconds duration) {
  char buffer[64];
  const auto total = duration.count() < 0 ? -duration.count() : duration.count();
  std::snprintf(buffer, sizeof buffer, "%s%02lld:%02lld:%02lld", duration.count() < 0 ? "-" : "",
                static_cast<long long>(total / 3600), static_cast<long long>(total / 60 % 60),
                static_cast<long long>(total % 60));
  return buffer;
}

std::string format_dst_rule(const DstRule& rule) {
  return "M" + std::to_string(rule.month) + "." + std::to_string(rule.week) + "." + std::to_string(rule.weekday) + "/" +
         format_hms(rule.time_of_day);
}

std::string format_time_zone(const TimeZone& zone) {
  // POSIX sign, hours without a leading zero as Hikvision writes them: CST-8:00:00, CST+5:30:00.
  const auto posix = -zone.utc_offset;
  const auto magnitude = posix.count() < 0 ? -posix.count() : posix.count();
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%c%lld:%02lld:%02lld", posix.count() < 0 ? '-' : '+',
                static_cast<long long>(magnitude / 3600), static_cast<long long>(magnitude / 60 % 60),
                static_cast<long long>(magnitude % 60));
  std::string out = zone.name + buffer;
  if (zone.dst)
    out += "DST" + format_hms(zone.dst->bias) + "," + format_dst_rule(zone.dst->start) + "," +
           format_dst_rule(zone.dst->end);
  return out;
}

seconds local_offset(const TimeZone& zone, hal::WallTime time) {
  if (!zone.dst) return zone.utc_offset;
  using namespace std::chrono;
  const auto standard = time_point_cast<seconds>(time) + zone.utc_offset;
  const auto year = year_month_day(floor<days>(standard)).year();
  const auto start = rule_instant(zone.dst->start, year);
  const auto end = rule_instant(zone.dst->end, year) - zone.dst->bias;
  const bool in_dst = start < end ? (standard >= start && standard < end) : (standard >= start || standard < end);
  return zone.utc_offset + (in_dst ? zone.dst->bias : seconds(0));
}

std::string format_local_time(const TimeZone& zone, hal::WallTime time) {
  using namespace std::chrono;
  const auto offset = local_offset(zone, time);
  const auto local = time_point_cast<seconds>(time) + offset;
  const auto day = floor<days>(local);
  const year_month_day date(day);
  const hh_mm_ss clock_time(local - day);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02lld:%02lld:%02lld", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<long long>(clock_time.hours().count()), static_cast<long long>(clock_time.minutes().count()),
                static_cast<long long>(clock_time.seconds().count()));
  return buffer + format_offset(offset);
}

Result<hal::WallTime> parse_local_time(const TimeZone& zone, std::string_view text) {
  using namespace std::chrono;
  const auto bad = [&] {
    return make_error(ErrorCode::invalid_argument, "time \"" + std::string(text) +
                                                       "\" must look like 2026-01-01T08:00:00, optionally with Z or "
                                                       "an offset such as +08:00");
  };
  const std::string owned(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  if (std::sscanf(owned.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6) return bad();
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 59 || y < 1970) return bad();
  const sys_seconds local = sys_days(date) + hours(h) + minutes(mi) + seconds(s);
  Cursor rest(text.substr(static_cast<std::size_t>(consumed)));
  if (rest.done()) {
    // Local time in the zone: the offset that applies at that moment (ambiguous hours take standard time).
    const auto guess = local - zone.utc_offset;
    return hal::WallTime(local - local_offset(zone, guess));
  }
  if (rest.take('Z') && rest.done()) return hal::WallTime(local);
  Cursor offset_text(text.substr(static_cast<std::size_t>(consumed)));
  int sign = 1;
  if (offset_text.take('-')) sign = -1;
  else if (!offset_text.take('+')) return bad();
  const auto oh = offset_text.number(2);
  offset_text.take(':');
  const auto om = offset_text.number(2);
  if (!oh || !om || *oh > 14 || *om > 59 || !offset_text.done()) return bad();
  return hal::WallTime(local - sign * (hours(*oh) + minutes(*om)));
}

}  // namespace camrig::system
