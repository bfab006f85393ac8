#include "sim/ptz_motor_model.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::sim {
namespace {

using namespace std::chrono_literals;
using test::LockstepTestClock;

constexpr hal::Nanos k_frame = 40ms;  // one frame at 25 fps

double seconds_of(hal::Nanos t) { return static_cast<double>(t.count()) * 1e-9; }

hal::Nanos at_seconds(double s) { return hal::Nanos{static_cast<hal::Nanos::rep>(std::llround(s * 1e9))}; }

PtzMotorOptions slow_options() {
  PtzMotorOptions options;
  options.pan = {60, 120};   // deg/s, deg/s²
  options.tilt = {30, 180};
  options.zoom = {5, 10};
  return options;
}

// Advances in frame steps until the motor stops; returns the time it stopped (a frame late at most).
hal::Nanos run_until_still(LockstepTestClock& clock, const PtzMotorModel& motor, hal::Nanos limit = 60s) {
  while (motor.moving() && clock.now() < limit) clock.advance_to(clock.now() + k_frame);
  return clock.now();
}

TEST(PtzMotorModel, TrapezoidalMoveTakesTheAnalyticTime) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  // 90° at 60°/s with 120°/s²: 0.5 s up (15°), 1 s cruise (60°), 0.5 s down (15°) = 2 s.
  ASSERT_TRUE(motor.move_to({90, 0, 1}, {60, 0, 0}));
  EXPECT_TRUE(motor.moving());
  ASSERT_TRUE(motor.arrival_time());
  EXPECT_NEAR(static_cast<double>(motor.arrival_time()->count()), 2e9, 1.0);

  clock.advance_to(500ms);
  EXPECT_NEAR(motor.position().pan_degrees, 15.0, 1e-6);
  EXPECT_NEAR(motor.velocity().pan_degrees_per_second, 60.0, 1e-6);
  clock.advance_to(1500ms);
  EXPECT_NEAR(motor.position().pan_degrees, 75.0, 1e-6);
  clock.advance_to(2s - k_frame);
  EXPECT_TRUE(motor.moving());
  EXPECT_LT(motor.position().pan_degrees, 90.0);
  const auto stopped = run_until_still(clock, motor);
  EXPECT_LE(stopped, 2s);
  EXPECT_GE(stopped, 2s - k_frame);
  EXPECT_DOUBLE_EQ(motor.position().pan_degrees, 90.0);
  EXPECT_DOUBLE_EQ(motor.velocity().pan_degrees_per_second, 0.0);
}

TEST(PtzMotorModel, ShortMoveHasATriangularProfile) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  // 10° with 120°/s²: peak sqrt(120 * 10) = 34.6°/s < 60, time 2 * sqrt(10 / 120) = 0.577 s.
  ASSERT_TRUE(motor.move_to({10, 0, 1}, {}));
  const double expected = 2 * std::sqrt(10.0 / 120.0);
  EXPECT_NEAR(static_cast<double>(motor.arrival_time()->count()) * 1e-9, expected, 1e-6);
  clock.advance_to(at_seconds(expected / 2));
  EXPECT_NEAR(motor.velocity().pan_degrees_per_second, std::sqrt(1200.0), 1e-6);
  EXPECT_NEAR(motor.position().pan_degrees, 5.0, 1e-6);
  const auto stopped = run_until_still(clock, motor);
  EXPECT_NEAR(seconds_of(stopped), expected, 0.040 + 1e-9);
  EXPECT_DOUBLE_EQ(motor.position().pan_degrees, 10.0);
}

TEST(PtzMotorModel, EndlessPanTakesTheShorterWayThroughZero) {
  LockstepTestClock clock;
  auto options = slow_options();
  options.initial = {350, 0, 1};
  PtzMotorModel motor(clock, options);
  ASSERT_TRUE(motor.move_to({10, 0, 1}, {}));
  // 20° forward, across 0: triangular, 2 * sqrt(20 / 120) s.
  const double expected = 2 * std::sqrt(20.0 / 120.0);
  EXPECT_NEAR(seconds_of(*motor.arrival_time()), expected, 1e-6);
  clock.advance_to(at_seconds(expected / 2));
  EXPECT_NEAR(std::remainder(motor.position().pan_degrees, 360.0), 0.0, 1e-6);  // at the seam
  EXPECT_LT(motor.position().pan_degrees, 360.0);
  clock.advance_to(at_seconds(expected * 0.75));
  const double pan = motor.position().pan_degrees;
  EXPECT_GT(pan, 0.0);
  EXPECT_LT(pan, 10.0);
  run_until_still(clock, motor);
  EXPECT_NEAR(motor.position().pan_degrees, 10.0, 1e-9);

  // And back the other way: 10 -> 340 is 30° backwards, never via 180.
  ASSERT_TRUE(motor.move_to({340, 0, 1}, {}));
  clock.advance_to(clock.now() + 200ms);
  EXPECT_LT(motor.velocity().pan_degrees_per_second, 0.0);
  run_until_still(clock, motor);
  EXPECT_NEAR(motor.position().pan_degrees, 340.0, 1e-9);
  // A target given as -20 or 700 is the same bearing.
  ASSERT_TRUE(motor.move_to({700, 0, 1}, {}));
  run_until_still(clock, motor);
  EXPECT_NEAR(motor.position().pan_degrees, 340.0, 1e-9);
  EXPECT_FALSE(motor.moving());
}

TEST(PtzMotorModel, TargetsOutsideTheLimitsAreClamped) {
  LockstepTestClock clock;
  auto options = slow_options();
  options.endless_pan = false;
  options.pan_min = -170;
  options.pan_max = 170;
  PtzMotorModel motor(clock, options);
  EXPECT_FALSE(motor.limits().endless_pan);
  ASSERT_TRUE(motor.move_to({200, -120, 50}, {}));
  run_until_still(clock, motor);
  const auto pose = motor.position();
  EXPECT_DOUBLE_EQ(pose.pan_degrees, 170.0);
  EXPECT_DOUBLE_EQ(pose.tilt_degrees, -90.0);
  EXPECT_DOUBLE_EQ(pose.zoom, 30.0);
  // Limited pan does not wrap: -170 is reached the long way, through 0.
  ASSERT_TRUE(motor.move_to({-170, 0, 1}, {}));
  clock.advance_to(clock.now() + 100ms);
  EXPECT_LT(motor.velocity().pan_degrees_per_second, 0.0);
  run_until_still(clock, motor);
  EXPECT_DOUBLE_EQ(motor.position().pan_degrees, -170.0);
}

TEST(PtzMotorModel, ContinuousTiltStopsExactlyAtTheLimit) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  ASSERT_TRUE(motor.move_continuous({0, -1000, 0}));  // clamped to -30°/s
  clock.advance_to(1s);
  EXPECT_NEAR(motor.velocity().tilt_degrees_per_second, -30.0, 1e-9);
  // 90° at 30°/s with 180°/s²: 90 / 30 + 30 / 180 s.
  const double expected = 3.0 + 30.0 / 180.0;
  const auto stopped = run_until_still(clock, motor);
  EXPECT_NEAR(seconds_of(stopped), expected, 0.040 + 1e-9);
  EXPECT_DOUBLE_EQ(motor.position().tilt_degrees, -90.0);
  clock.advance_to(20s);
  EXPECT_DOUBLE_EQ(motor.position().tilt_degrees, -90.0);
  EXPECT_FALSE(motor.moving());
}

TEST(PtzMotorModel, ContinuousEndlessPanKeepsGoingUntilStopped) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  ASSERT_TRUE(motor.move_continuous({60, 0, 0}));
  EXPECT_FALSE(motor.arrival_time().has_value());
  clock.advance_to(10s);  // 0.5 s ramp (15°) then 9.5 s at 60°/s: 585° = 225° after a full turn
  EXPECT_TRUE(motor.moving());
  EXPECT_NEAR(motor.position().pan_degrees, 225.0, 1e-6);
}

TEST(PtzMotorModel, StopDecelerates) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  ASSERT_TRUE(motor.move_continuous({60, 0, 0}));
  clock.advance_to(2s);
  const double at_stop = motor.position().pan_degrees;  // 15 + 1.5 * 60 = 105
  EXPECT_NEAR(at_stop, 105.0, 1e-6);
  motor.stop();
  EXPECT_TRUE(motor.moving());
  clock.advance_to(2250ms);
  EXPECT_NEAR(motor.velocity().pan_degrees_per_second, 30.0, 1e-6);
  // Braking at 120°/s² from 60°/s takes 0.5 s and 15°.
  const auto stopped = run_until_still(clock, motor);
  EXPECT_NEAR(seconds_of(stopped), 2.5, 0.040 + 1e-9);
  EXPECT_NEAR(motor.position().pan_degrees, at_stop + 15.0, 1e-6);
  EXPECT_DOUBLE_EQ(motor.velocity().pan_degrees_per_second, 0.0);
}

TEST(PtzMotorModel, NewTargetBehindReversesWithoutJumping) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  ASSERT_TRUE(motor.move_to({90, 0, 1}, {}));
  clock.advance_to(1s);  // 45° at 60°/s
  ASSERT_TRUE(motor.move_to({30, 0, 1}, {}));
  EXPECT_NEAR(motor.position().pan_degrees, 45.0, 1e-6);
  EXPECT_NEAR(motor.velocity().pan_degrees_per_second, 60.0, 1e-6);
  clock.advance_to(1250ms);  // still braking forward
  EXPECT_GT(motor.position().pan_degrees, 45.0);
  run_until_still(clock, motor);
  EXPECT_DOUBLE_EQ(motor.position().pan_degrees, 30.0);
}

TEST(PtzMotorModel, SpeedIsClampedToTheAxisMaximum) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  ASSERT_TRUE(motor.move_to({90, 0, 1}, {1000, 0, 0}));
  EXPECT_NEAR(seconds_of(*motor.arrival_time()), 2.0, 1e-6);
  // A slower requested speed: 90° at 30°/s: 0.25 s ramps (3.75° each) + 82.5 / 30 s cruise.
  motor.reset_to({0, 0, 1});
  ASSERT_TRUE(motor.move_to({90, 0, 1}, {30, 0, 0}));
  EXPECT_NEAR(seconds_of(*motor.arrival_time() - clock.now()), 0.5 + 82.5 / 30.0, 1e-6);
}

TEST(PtzMotorModel, ZoomMovesAndFieldOfViewFollows) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  EXPECT_NEAR(motor.field_of_view().horizontal_degrees, 60.0, 1e-9);
  EXPECT_NEAR(motor.field_of_view().vertical_degrees,
              2 * std::atan(std::tan(30.0 * 3.14159265358979323846 / 180) * 9 / 16) * 180 / 3.14159265358979323846, 1e-9);
  ASSERT_TRUE(motor.move_continuous({0, 0, 5}));
  run_until_still(clock, motor);
  EXPECT_DOUBLE_EQ(motor.position().zoom, 30.0);
  const double expected = 2 * std::atan(std::tan(30.0 * 3.14159265358979323846 / 180) / 30) * 180 / 3.14159265358979323846;
  EXPECT_NEAR(motor.field_of_view().horizontal_degrees, expected, 1e-9);
  EXPECT_NEAR(PtzMotorModel::fov_at_zoom(60, 30), 2.2052, 1e-3);
}

TEST(PtzMotorModel, SettlingAccuracyAndTimeAreRepeatable) {
  auto options = slow_options();
  options.pan_tilt_accuracy_degrees = 0.2;
  options.settle_time = 300ms;
  options.seed = 7;
  double landed[2] = {};
  for (double& pan : landed) {
    LockstepTestClock clock;
    PtzMotorModel motor(clock, options);
    ASSERT_TRUE(motor.move_to({90, -20, 1}, {}));
    clock.advance_to(2s + 100ms);  // the pan profile is over, settling is not
    EXPECT_TRUE(motor.moving());
    run_until_still(clock, motor);
    EXPECT_GE(clock.now(), 2300ms);
    pan = motor.position().pan_degrees;
    EXPECT_NEAR(pan, 90.0, 0.2);
    EXPECT_NEAR(motor.position().tilt_degrees, -20.0, 0.2);
  }
  EXPECT_EQ(landed[0], landed[1]);
}

TEST(PtzMotorModel, RejectsBadInput) {
  LockstepTestClock clock;
  PtzMotorModel motor(clock, slow_options());
  auto result = motor.move_to({NAN, 0, 1}, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(motor.move_continuous({INFINITY, 0, 0}));
  auto bad = slow_options();
  bad.tilt = {0, 10};
  EXPECT_THROW(PtzMotorModel(clock, bad), std::invalid_argument);
}

}  // namespace
}  // namespace camrig::sim
