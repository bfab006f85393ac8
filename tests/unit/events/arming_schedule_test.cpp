// Arming schedule validation (start before end, within 00:00-24:00, no overlaps, periods per day)
// and which wall times a schedule arms.
#include <gtest/gtest.h>

#include "device/events/arming_schedule.hpp"

namespace camrig::events {
namespace {

using namespace std::chrono;

// 2024-03-04 is a Monday.
hal::WallTime monday_at(int hour, int minute, int day_offset = 0) {
  return sys_days{year{2024} / March / 4} + days{day_offset} + hours{hour} + minutes{minute};
}

std::array<std::vector<TimePeriod>, 7> one_day(int day, std::vector<TimePeriod> periods) {
  std::array<std::vector<TimePeriod>, 7> week;
  week[static_cast<std::size_t>(day)] = std::move(periods);
  return week;
}

std::string error_of(const Result<ArmingSchedule>& result) { return result ? std::string() : result.error().message; }

TEST(ArmingSchedule, ArmsOnlyInsideItsPeriods) {
  auto schedule = ArmingSchedule::create(one_day(0, {{8 * 60, 12 * 60}, {13 * 60, 24 * 60}}), 8);
  ASSERT_TRUE(schedule) << error_of(schedule);
  EXPECT_FALSE(schedule->armed_at(monday_at(7, 59)));
  EXPECT_TRUE(schedule->armed_at(monday_at(8, 0)));
  EXPECT_TRUE(schedule->armed_at(monday_at(11, 59)));
  EXPECT_FALSE(schedule->armed_at(monday_at(12, 0)));  // the end is exclusive
  EXPECT_TRUE(schedule->armed_at(monday_at(23, 59)));
  EXPECT_FALSE(schedule->armed_at(monday_at(9, 0, 1)));  // Tuesday has no period
  EXPECT_FALSE(schedule->armed_at(monday_at(9, 0, 6)));  // nor Sunday
}

TEST(ArmingSchedule, AlwaysArmsEveryDayAndNeverArmsNone) {
  for (int day = 0; day < 7; ++day) {
    EXPECT_TRUE(ArmingSchedule::always().armed_at(monday_at(0, 0, day)));
    EXPECT_TRUE(ArmingSchedule::always().armed_at(monday_at(23, 59, day)));
    EXPECT_FALSE(ArmingSchedule::never().armed_at(monday_at(12, 0, day)));
  }
}

TEST(ArmingSchedule, RefusesAStartNotBeforeTheEnd) {
  const auto refused = ArmingSchedule::create(one_day(2, {{10 * 60, 10 * 60}}), 8);
  ASSERT_FALSE(refused);
  EXPECT_NE(error_of(refused).find("Wednesday 10:00:00-10:00:00"), std::string::npos) << error_of(refused);
  EXPECT_NE(error_of(refused).find("start must be before the end"), std::string::npos);
}

TEST(ArmingSchedule, RefusesPeriodsOutsideTheDay) {
  EXPECT_FALSE(ArmingSchedule::create(one_day(0, {{-1, 60}}), 8));
  EXPECT_FALSE(ArmingSchedule::create(one_day(0, {{60, 24 * 60 + 1}}), 8));
  EXPECT_TRUE(ArmingSchedule::create(one_day(0, {{0, 24 * 60}}), 8));
}

TEST(ArmingSchedule, RefusesOverlappingPeriods) {
  const auto refused = ArmingSchedule::create(one_day(5, {{13 * 60, 15 * 60}, {8 * 60, 13 * 60 + 1}}), 8);
  ASSERT_FALSE(refused);
  EXPECT_NE(error_of(refused).find("Saturday"), std::string::npos);
  EXPECT_NE(error_of(refused).find("overlap"), std::string::npos);
  // Touching periods do not overlap.
  EXPECT_TRUE(ArmingSchedule::create(one_day(5, {{13 * 60, 15 * 60}, {8 * 60, 13 * 60}}), 8));
}

TEST(ArmingSchedule, RefusesMorePeriodsThanTheCameraAllows) {
  std::vector<TimePeriod> periods;
  for (int i = 0; i < 7; ++i) periods.push_back({i * 60, i * 60 + 30});
  EXPECT_TRUE(ArmingSchedule::create(one_day(6, periods), 8));
  const auto refused = ArmingSchedule::create(one_day(6, periods), 6);  // the LPR camera's limit
  ASSERT_FALSE(refused);
  EXPECT_NE(error_of(refused).find("Sunday: 7 periods, at most 6"), std::string::npos) << error_of(refused);
}

TEST(ArmingSchedule, ParsesTimesOfDay) {
  EXPECT_EQ(*parse_time_of_day("08:30"), 510);
  EXPECT_EQ(*parse_time_of_day("08:30:00"), 510);
  EXPECT_EQ(*parse_time_of_day("24:00:00"), 1440);
  EXPECT_FALSE(parse_time_of_day("24:01"));
  EXPECT_FALSE(parse_time_of_day("8h30"));
  EXPECT_FALSE(parse_time_of_day("08:30:15"));
  EXPECT_EQ(format_time_of_day(510), "08:30:00");
  EXPECT_EQ(format_time_of_day(1440), "24:00:00");
}

}  // namespace
}  // namespace camrig::events
