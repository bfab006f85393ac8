// The device clock: setting its wall time moves only the calendar, never monotonic time, and
// corrections add up.
#include <gtest/gtest.h>

#include "device/system/device_clock.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::system {
namespace {

using namespace std::chrono;

TEST(DeviceClock, SetWallTimeMovesTheCalendarAndKeepsAdvancingWithTheHardware) {
  test::LockstepTestClock hardware;
  DeviceClock clock(hardware);
  const hal::WallTime target(sys_days(year(2030) / 6 / 1) + hours(12));
  clock.set_wall_time(target);
  EXPECT_EQ(clock.wall_time(), target);
  EXPECT_EQ(clock.now(), hal::Nanos(0));
  hardware.advance_to(seconds(10));
  EXPECT_EQ(clock.wall_time(), target + seconds(10));
  EXPECT_EQ(clock.now(), seconds(10));
  EXPECT_EQ(hardware.wall_time(), hal::WallTime(test::LockstepTestClock::k_wall_origin + seconds(10)));
}

TEST(DeviceClock, AdjustmentsAccumulate) {
  test::LockstepTestClock hardware;
  DeviceClock clock(hardware);
  clock.adjust(milliseconds(1500));
  clock.adjust(milliseconds(-500));
  EXPECT_EQ(clock.offset(), seconds(1));
  EXPECT_EQ(clock.wall_time(), hardware.wall_time() + seconds(1));
}

}  // namespace
}  // namespace camrig::system
