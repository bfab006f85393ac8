#include "device/events/arming_schedule.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace camrig::events {

const char* day_name(int day) {
  static constexpr const char* names[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
  return day >= 0 && day < 7 ? names[day] : "?";
}

Result<int> parse_time_of_day(const std::string& text) {
  int hours = -1, minutes = -1, seconds = 0;
  char tail = 0;
  const int fields = std::sscanf(text.c_str(), "%2d:%2d:%2d%c", &hours, &minutes, &seconds, &tail);
  if (fields < 2 || fields > 3 || hours < 0 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59)
    return make_error(ErrorCode::invalid_argument, "time of day '" + text + "' is not HH:MM or HH:MM:SS");
  if (seconds != 0) return make_error(ErrorCode::out_of_range, "time of day '" + text + "': periods are set in whole minutes");
  const int minute = hours * 60 + minutes;
  if (minute > 24 * 60) return make_error(ErrorCode::out_of_range, "time of day '" + text + "' is after 24:00");
  return minute;
}

std::string format_time_of_day(int minute) {
  const auto two_digits = [](int value) { return std::string(value < 10 ? "0" : "") + std::to_string(value); };
  return two_digits(minute / 60) + ":" + two_digits(minute % 60) + ":00";
}

ArmingSchedule ArmingSchedule::always() {
  ArmingSchedule schedule;
  for (auto& day : schedule.days_) day.push_back({0, 24 * 60});
  return schedule;
}

Result<ArmingSchedule> ArmingSchedule::create(std::array<std::vector<TimePeriod>, 7> days, std::size_t max_periods) {
  for (int day = 0; day < 7; ++day) {
    auto& periods = days[static_cast<std::size_t>(day)];
    if (periods.size() > max_periods)
      return make_error(ErrorCode::out_of_range, std::string(day_name(day)) + ": " + std::to_string(periods.size()) +
                                                     " periods, at most " + std::to_string(max_periods) + " per day");
    for (const auto& period : periods) {
      const auto name = std::string(day_name(day)) + " " + format_time_of_day(std::clamp(period.start_minute, 0, 1440)) +
                        "-" + format_time_of_day(std::clamp(period.end_minute, 0, 1440));
      if (period.start_minute < 0 || period.end_minute > 24 * 60)
        return make_error(ErrorCode::out_of_range, name + ": a period must lie within 00:00-24:00");
      if (period.start_minute >= period.end_minute)
        return make_error(ErrorCode::out_of_range, name + ": the start must be before the end");
    }
    std::sort(periods.begin(), periods.end(),
              [](const TimePeriod& a, const TimePeriod& b) { return a.start_minute < b.start_minute; });
    for (std::size_t i = 1; i < periods.size(); ++i)
      if (periods[i].start_minute < periods[i - 1].end_minute)
        return make_error(ErrorCode::out_of_range,
                          std::string(day_name(day)) + ": periods " + format_time_of_day(periods[i - 1].start_minute) + "-" +
                              format_time_of_day(periods[i - 1].end_minute) + " and " +
                              format_time_of_day(periods[i].start_minute) + "-" +
                              format_time_of_day(periods[i].end_minute) + " overlap");
  }
  ArmingSchedule schedule;
  schedule.days_ = std::move(days);
  return schedule;
}

bool ArmingSchedule::armed_at(hal::WallTime wall_time) const {
  const auto day_start = std::chrono::floor<std::chrono::days>(wall_time);
  const std::chrono::weekday weekday{std::chrono::sys_days{day_start.time_since_epoch()}};
  const auto index = (weekday.c_encoding() + 6) % 7;  // Monday first
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(wall_time - day_start).count();
  for (const auto& period : days_[index])
    if (minute >= period.start_minute && minute < period.end_minute) return true;
  return false;
}

}  // namespace camrig::events
