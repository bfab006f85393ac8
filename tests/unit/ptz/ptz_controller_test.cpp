// PtzController on the simulated motor in lockstep: moves land where asked and the status says
// MOVING until the motor is at rest; presets and home persist in the store; limits and special
// presets are refused with a reason.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <unistd.h>

#include "device/ptz/ptz_controller.hpp"
#include "sim/ptz_motor_model.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr auto k_step = 40ms;

class PtzControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options.horizontal_fov_degrees = 60;
    options.aspect_ratio = 16.0 / 9.0;
    options.tilt_min = -90;
    options.tilt_max = 0;
    motor = std::make_unique<sim::PtzMotorModel>(clock, options);
    open(":memory:");
  }

  void open(const std::string& database) {
    controller.reset();
    auto opened = ptz::PtzController::open(1, *motor, clock, {60, 16.0 / 9.0}, database);
    ASSERT_TRUE(opened) << opened.error().message;
    controller = std::move(*opened);
  }

  // Advances device time until the controller reports IDLE; returns how long that took.
  hal::Nanos run_until_idle(hal::Nanos limit = 30s) {
    const auto start = clock.now();
    while (controller->status().move == ptz::MoveStatus::moving && clock.now() - start < limit)
      clock.advance_to(clock.now() + k_step);
    return clock.now() - start;
  }

  test::LockstepTestClock clock;
  sim::PtzMotorOptions options;
  std::unique_ptr<sim::PtzMotorModel> motor;
  std::unique_ptr<ptz::PtzController> controller;
};

TEST_F(PtzControllerTest, AbsoluteMoveReportsMovingThenIdleAtTheTarget) {
  ASSERT_TRUE(controller->move_absolute({90.0, -30.0, 4.0}));
  EXPECT_EQ(controller->status().move, ptz::MoveStatus::moving);
  clock.advance_to(clock.now() + 200ms);
  const auto halfway = controller->status();
  EXPECT_EQ(halfway.move, ptz::MoveStatus::moving);
  EXPECT_GT(halfway.position.pan_degrees, 0.0);
  EXPECT_LT(halfway.position.pan_degrees, 90.0);
  run_until_idle();
  const auto arrived = controller->status();
  EXPECT_EQ(arrived.move, ptz::MoveStatus::idle);
  EXPECT_NEAR(arrived.position.pan_degrees, 90.0, 1e-6);
  EXPECT_NEAR(arrived.position.tilt_degrees, -30.0, 1e-6);
  EXPECT_NEAR(arrived.position.zoom, 4.0, 1e-6);
}

TEST_F(PtzControllerTest, LowerSpeedTakesLonger) {
  ASSERT_TRUE(controller->move_absolute({90.0, std::nullopt, std::nullopt}));
  const auto fast = run_until_idle();
  ASSERT_TRUE(controller->move_absolute({0.0, std::nullopt, std::nullopt}, {0.25, std::nullopt}));
  const auto slow = run_until_idle();
  EXPECT_GT(slow, fast * 2) << "quarter speed over the same 90°";
  EXPECT_FALSE(controller->move_absolute({10.0, std::nullopt, std::nullopt}, {1.5, std::nullopt}));
  EXPECT_FALSE(controller->move_absolute({10.0, std::nullopt, std::nullopt}, {0.0, std::nullopt}));
}

TEST_F(PtzControllerTest, PositionsOutsideTheLimitsAreRefusedWithTheLimits) {
  auto tilt = controller->move_absolute({std::nullopt, 10.0, std::nullopt});
  ASSERT_FALSE(tilt);
  EXPECT_EQ(tilt.error().code, ErrorCode::out_of_range);
  EXPECT_NE(tilt.error().message.find("-90"), std::string::npos) << tilt.error().message;
  EXPECT_FALSE(controller->move_absolute({std::nullopt, std::nullopt, 31.0}));
  EXPECT_FALSE(controller->move_absolute({std::nan(""), std::nullopt, std::nullopt}));
  EXPECT_EQ(controller->status().move, ptz::MoveStatus::idle) << "a refused move does not start";
  // Endless pan takes any angle modulo 360.
  ASSERT_TRUE(controller->move_absolute({-90.0, std::nullopt, std::nullopt}));
  run_until_idle();
  EXPECT_NEAR(controller->status().position.pan_degrees, 270.0, 1e-6);
}

TEST_F(PtzControllerTest, RelativeMoveStopsAtTheTiltLimit) {
  ASSERT_TRUE(controller->move_relative({30.0, -200.0, 1.0}));
  run_until_idle();
  const auto at = controller->status().position;
  EXPECT_NEAR(at.pan_degrees, 30.0, 1e-6);
  EXPECT_NEAR(at.tilt_degrees, -90.0, 1e-6);
  EXPECT_NEAR(at.zoom, 2.0, 1e-6);
}

TEST_F(PtzControllerTest, FieldOfViewTranslationUsesTheZoomedView) {
  ASSERT_TRUE(controller->move_absolute({100.0, -45.0, 2.0}));
  run_until_idle();
  const auto view = controller->field_of_view();
  EXPECT_NEAR(view.horizontal_degrees, sim::PtzMotorModel::fov_at_zoom(60, 2.0), 1e-9);
  // x = 1 brings the right edge of the picture to its centre: half the horizontal view.
  ASSERT_TRUE(controller->move_relative_fov(1.0, 0.5, 1.0));
  run_until_idle();
  const auto at = controller->status().position;
  EXPECT_NEAR(at.pan_degrees, 100.0 + view.horizontal_degrees / 2, 1e-6);
  EXPECT_NEAR(at.tilt_degrees, -45.0 + view.vertical_degrees / 4, 1e-6);
  EXPECT_NEAR(at.zoom, 3.0, 1e-6) << "the zoom moves in the same command";
  EXPECT_FALSE(controller->move_relative_fov(1.5, 0.0));
}

TEST_F(PtzControllerTest, ContinuousMoveStopsAfterItsTimeout) {
  ASSERT_TRUE(controller->move_continuous({0.5, std::nullopt, std::nullopt}, 1s));
  clock.advance_to(clock.now() + 900ms);
  EXPECT_EQ(controller->status().move, ptz::MoveStatus::moving);
  const double before = controller->status().position.pan_degrees;
  EXPECT_GT(before, 0.0);
  clock.advance_to(clock.now() + 200ms);  // the timeout fired at 1 s; the head brakes
  run_until_idle(5s);
  EXPECT_EQ(controller->status().move, ptz::MoveStatus::idle);
  const double stopped = controller->status().position.pan_degrees;
  clock.advance_to(clock.now() + 2s);
  EXPECT_DOUBLE_EQ(controller->status().position.pan_degrees, stopped) << "nothing moves after the stop";
  EXPECT_FALSE(controller->move_continuous({2.0, std::nullopt, std::nullopt}));
}

TEST_F(PtzControllerTest, AStopOfPanTiltLeavesTheZoomGoing) {
  ASSERT_TRUE(controller->move_continuous({1.0, std::nullopt, 0.5}));
  clock.advance_to(clock.now() + 500ms);
  controller->stop(true, false);
  clock.advance_to(clock.now() + 2s);
  const auto a = controller->status().position;
  clock.advance_to(clock.now() + 200ms);
  const auto b = controller->status().position;
  EXPECT_DOUBLE_EQ(a.pan_degrees, b.pan_degrees);
  EXPECT_GT(b.zoom, a.zoom);
  controller->stop();
  run_until_idle(5s);
  EXPECT_EQ(controller->status().move, ptz::MoveStatus::idle);
}

TEST_F(PtzControllerTest, PresetsAndHomePersistAndGotoReturnsThere) {
  const auto database = (std::filesystem::temp_directory_path() /
                         ("camrig_ptz_test_" + std::to_string(::getpid()) + ".db")).string();
  std::filesystem::remove(database);
  open(database);
  ASSERT_TRUE(controller->move_absolute({45.0, -20.0, 3.0}));
  auto refused = controller->set_preset(5, std::string("gate"));
  ASSERT_FALSE(refused) << "refused while moving";
  EXPECT_EQ(refused.error().code, ErrorCode::unavailable);
  run_until_idle();
  auto set = controller->set_preset(5, std::string("gate"));
  ASSERT_TRUE(set) << set.error().message;
  auto automatic = controller->set_preset(std::nullopt, std::nullopt);
  ASSERT_TRUE(automatic);
  EXPECT_EQ(automatic->number, 1);
  EXPECT_EQ(automatic->name, "Preset 1");
  ASSERT_TRUE(controller->set_home());

  open(database);  // as after a restart
  ASSERT_EQ(controller->presets().size(), 2u);
  auto stored = controller->preset(5);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->name, "gate");
  ASSERT_TRUE(controller->home());
  EXPECT_NEAR(controller->home()->pan_degrees, 45.0, 1e-6);

  ASSERT_TRUE(controller->move_absolute({200.0, -80.0, 1.0}));
  run_until_idle();
  ASSERT_TRUE(controller->goto_preset(5));
  EXPECT_EQ(controller->status().move, ptz::MoveStatus::moving);
  run_until_idle();
  const auto at = controller->status().position;
  EXPECT_NEAR(at.pan_degrees, 45.0, 1e-6);
  EXPECT_NEAR(at.tilt_degrees, -20.0, 1e-6);
  EXPECT_NEAR(at.zoom, 3.0, 1e-6);

  ASSERT_TRUE(controller->move_absolute({300.0, std::nullopt, std::nullopt}));
  run_until_idle();
  ASSERT_TRUE(controller->goto_preset(34)) << "special preset 34: back to origin (home)";
  run_until_idle();
  EXPECT_NEAR(controller->status().position.pan_degrees, 45.0, 1e-6);

  ASSERT_TRUE(controller->remove_preset(5));
  EXPECT_EQ(controller->preset(5).error().code, ErrorCode::not_found);
  EXPECT_EQ(controller->remove_preset(5).error().code, ErrorCode::not_found);
  controller.reset();
  std::filesystem::remove(database);
  std::filesystem::remove(database + "-wal");
  std::filesystem::remove(database + "-shm");
}

TEST_F(PtzControllerTest, SpecialAndOutOfRangePresetNumbersAreRefused) {
  EXPECT_EQ(controller->set_preset(33, std::nullopt).error().code, ErrorCode::not_configurable);
  EXPECT_EQ(controller->set_preset(0, std::nullopt).error().code, ErrorCode::out_of_range);
  EXPECT_EQ(controller->set_preset(ptz::k_max_presets + 1, std::nullopt).error().code, ErrorCode::out_of_range);
  EXPECT_EQ(controller->set_preset(2, std::string(40, 'x')).error().code, ErrorCode::out_of_range);
  EXPECT_EQ(controller->goto_preset(39).error().code, ErrorCode::not_configurable);
  EXPECT_EQ(controller->goto_preset(7).error().code, ErrorCode::not_found);
  // The automatic number skips the special ones.
  for (int i = 1; i <= 32; ++i) ASSERT_TRUE(controller->set_preset(i, std::nullopt));
  auto next = controller->set_preset(std::nullopt, std::nullopt);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->number, 47);
}

}  // namespace
}  // namespace camrig
