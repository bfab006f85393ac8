// Time zones as Hikvision devices write them ("CST-8:00:00", POSIX sign: east of UTC is minus),
// optionally with daylight saving time appended ("...DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00":
// bias, start and end rule as month.week.weekday/time, week 5 meaning the last), and the
// conversions between device wall time (UTC) and the local time the APIs show.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"

namespace camrig::system {

//! A yearly switch point: month 1–12, week 1–5 (5 = last), weekday 0–6 (0 = Sunday), local time.
struct DstRule {
  int month = 1;
  int week = 1;
  int weekday = 0;
  std::chrono::seconds time_of_day{0};
  friend bool operator==(const DstRule&, const DstRule&) = default;
};

struct DaylightSaving {
  std::chrono::seconds bias{3600};  //!< added to standard time while in effect
  DstRule start;                    //!< in standard local time
  DstRule end;                      //!< in daylight local time
  friend bool operator==(const DaylightSaving&, const DaylightSaving&) = default;
};

struct TimeZone {
  std::string name = "CST";
  std::chrono::seconds utc_offset{0};  //!< local standard time minus UTC (CST-8:00:00 → +8 h)
  std::optional<DaylightSaving> dst;
  friend bool operator==(const TimeZone&, const TimeZone&) = default;
};

//! "CST-8:00:00", with or without the DST part.
Result<TimeZone> parse_time_zone(std::string_view text);
//! "M4.1.0/02:00:00"
Result<DstRule> parse_dst_rule(std::string_view text);
std::string format_time_zone(const TimeZone& zone);
std::string format_dst_rule(const DstRule& rule);
//! "00:30:00"
std::string format_hms(std::chrono::seconds duration);

//! Local time minus UTC at `time`, DST included.
std::chrono::seconds local_offset(const TimeZone& zone, hal::WallTime time);
//! "2026-01-01T16:00:00+08:00"
std::string format_local_time(const TimeZone& zone, hal::WallTime time);
//! "2026-01-01T16:00:00" (local time in `zone`), or with "Z" / "+08:00" / "-0500" stating its own offset.
Result<hal::WallTime> parse_local_time(const TimeZone& zone, std::string_view text);

}  // namespace camrig::system
