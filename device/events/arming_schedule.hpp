// Weekly arming schedule (network camera 8.1, LPR camera alarm input): per day up to N periods
// (8 on the network camera, 6 on the LPR camera) in minutes of the day, validated once here.
// An event outside every period is recorded but triggers no linkage.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"

namespace camrig::events {

struct TimePeriod {
  int start_minute = 0;  //!< 0..1439
  int end_minute = 0;    //!< 1..1440 (24:00), after start
  friend bool operator==(const TimePeriod&, const TimePeriod&) = default;
};

//! "08:30" or "08:30:00" → 510; "24:00" is allowed (end of day).
Result<int> parse_time_of_day(const std::string& text);
//! 510 → "08:30:00"
std::string format_time_of_day(int minute);

class ArmingSchedule {
 public:
  //! Armed all week (00:00–24:00 every day), the factory setting.
  static ArmingSchedule always();
  //! Never armed.
  static ArmingSchedule never() { return {}; }

  //! Checks every day's periods (start before end, within 00:00–24:00, no overlaps, at most
  //! `max_periods` per day) and builds the schedule; `days[0]` is Monday. The error names the day
  //! and period.
  static Result<ArmingSchedule> create(std::array<std::vector<TimePeriod>, 7> days, std::size_t max_periods);

  //! True if `wall_time` (UTC) falls in a period of its weekday.
  bool armed_at(hal::WallTime wall_time) const;
  const std::array<std::vector<TimePeriod>, 7>& days() const { return days_; }

 private:
  std::array<std::vector<TimePeriod>, 7> days_;  // sorted by start
};

//! "Monday"..."Sunday" for day index 0..6.
const char* day_name(int day);

}  // namespace camrig::events
