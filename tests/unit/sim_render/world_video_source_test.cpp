// The world's camera channels: World + renderer behind hal::VideoSource, repeatable frame for
// frame, channels sharing one world, PTZ pose following the motor, ground truth per frame.
#include "sim/world_video_source.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/ptz_motor_model.hpp"
#include "sim/world/world_description.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::sim {
namespace {

std::uint64_t hash_of(const hal::VideoFrame& frame) {
  std::uint64_t h = 1469598103934665603ULL;
  const std::uint8_t* data = frame.plane(0);
  for (std::size_t i = 0; i < frame.size_bytes(); ++i) h = (h ^ data[i]) * 1099511628211ULL;
  return h;
}

constexpr hal::VideoFormat k_format{480, 270, {10, 1}};

struct WorldRun {
  std::vector<std::uint64_t> hashes;
  std::size_t frames_with_actors = 0;
};

// Five seconds of the LPR scene at 10 fps through one channel.
WorldRun run_lpr_world(std::uint64_t seed) {
  auto description = builtin_scene("lpr-camera");
  EXPECT_TRUE(description) << description.error().message;
  description->seed = seed;
  auto world = World::create(*description);
  EXPECT_TRUE(world) << world.error().message;
  SharedWorld shared(**world);
  SceneRenderer renderer((*world)->layout(), seed, k_format.frame_rate.value());
  WorldVideoSource source(shared, renderer, (*world)->cameras().at(0), k_format, {});
  WorldRun run;
  std::uint64_t expected_index = 0;
  source.on_ground_truth([&](std::uint64_t index, const WorldSnapshot& snapshot, const CameraModel& camera) {
    EXPECT_EQ(index, expected_index);
    EXPECT_EQ(camera.pose().width, k_format.width);
    run.frames_with_actors += !snapshot.actors.empty();
  });
  std::stop_source stop;
  for (std::uint64_t i = 0; i < 50; ++i) {
    expected_index = i;
    const auto frame = source.read(stop.get_token());
    EXPECT_TRUE(frame);
    if (!frame) break;
    EXPECT_EQ(frame->sequence, i);
    EXPECT_EQ(frame->timestamp, hal::Nanos{static_cast<std::int64_t>(i) * 100'000'000});
    run.hashes.push_back(hash_of(*frame));
  }
  EXPECT_EQ((*world)->time(), hal::Nanos{4'900'000'000});
  return run;
}

TEST(WorldVideoSourceTest, TheSameWorldRendersTheSameFramesAndAnotherSeedDoesNot) {
  const WorldRun first = run_lpr_world(1);
  const WorldRun second = run_lpr_world(1);
  const WorldRun other = run_lpr_world(2);
  ASSERT_EQ(first.hashes.size(), 50u);
  EXPECT_EQ(first.hashes, second.hashes);
  EXPECT_NE(first.hashes, other.hashes);
  EXPECT_GT(first.frames_with_actors, 10u);
  std::size_t changes = 0;
  for (std::size_t i = 1; i < first.hashes.size(); ++i) changes += first.hashes[i] != first.hashes[i - 1];
  EXPECT_GT(changes, 40u);  // noise and motion: a live picture
}

TEST(WorldVideoSourceTest, ChannelsShareOneWorldAndSeeTheSameInstant) {
  auto description = builtin_scene("lpr-camera");
  ASSERT_TRUE(description);
  auto world = World::create(*description);
  ASSERT_TRUE(world);
  SharedWorld shared(**world);
  SceneRenderer main_renderer((*world)->layout(), 1), second_renderer((*world)->layout(), 1);
  CameraPose wide = (*world)->cameras().at(0);
  wide.horizontal_fov_degrees = 70;
  WorldVideoSource main(shared, main_renderer, (*world)->cameras().at(0), k_format, {});
  WorldVideoSource second(shared, second_renderer, wide, {320, 180, {5, 1}}, {});
  std::vector<hal::Nanos> main_times, second_times;
  main.on_ground_truth([&](std::uint64_t, const WorldSnapshot& s, const CameraModel&) { main_times.push_back(s.time); });
  second.on_ground_truth([&](std::uint64_t, const WorldSnapshot& s, const CameraModel& camera) {
    second_times.push_back(s.time);
    EXPECT_DOUBLE_EQ(camera.pose().horizontal_fov_degrees, 70);
  });
  std::stop_source stop;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(main.read(stop.get_token()));
    if (i % 2 == 0) {
      ASSERT_TRUE(second.read(stop.get_token()));
    }
  }
  // The second channel runs at half the rate: frame k at 200 ms * k, which the main channel has
  // already reached, so it sees the world where the main channel left it.
  ASSERT_EQ(second_times.size(), 5u);
  EXPECT_EQ(main_times.front(), hal::Nanos{0});
  EXPECT_EQ(main_times.back(), hal::Nanos{900'000'000});
  for (std::size_t k = 0; k < second_times.size(); ++k) EXPECT_EQ(second_times[k], main_times[2 * k]);
}

TEST(WorldVideoSourceTest, PtzChannelRendersFromTheMotorsPoseAndPacesOnTheClock) {
  auto description = builtin_scene("lpr-camera");
  ASSERT_TRUE(description);
  auto world = World::create(*description);
  ASSERT_TRUE(world);
  SharedWorld shared(**world);
  SceneRenderer renderer((*world)->layout(), 1);
  test::LockstepTestClock clock;
  PtzMotorModel motor(clock, PtzMotorOptions{});
  motor.reset_to({30, -20, 2});
  CameraPose base = (*world)->cameras().at(0);
  base.pan_degrees = 10;
  base.horizontal_fov_degrees = 60;
  std::vector<hal::Nanos> paced;
  WorldVideoSource source(shared, renderer, motor, base, k_format, [&](hal::Nanos deadline, std::stop_token) {
    paced.push_back(deadline);
    clock.advance_to(deadline);
    return true;
  });
  const CameraPose pose = source.current_pose();
  EXPECT_DOUBLE_EQ(pose.pan_degrees, 40);
  EXPECT_DOUBLE_EQ(pose.tilt_degrees, 20);
  EXPECT_NEAR(pose.horizontal_fov_degrees, PtzMotorModel::fov_at_zoom(60, 2), 1e-9);
  EXPECT_EQ(pose.position, base.position);
  EXPECT_EQ(pose.width, k_format.width);

  std::stop_source stop;
  const auto first = source.read(stop.get_token());
  const auto second = source.read(stop.get_token());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(paced, (std::vector<hal::Nanos>{hal::Nanos{0}, hal::Nanos{100'000'000}}));
  // A pacer that refuses (stop requested) ends the stream.
  WorldVideoSource stopped(shared, renderer, motor, base, k_format, [](hal::Nanos, std::stop_token) { return false; });
  EXPECT_FALSE(stopped.read(stop.get_token()));
  stop.request_stop();
  EXPECT_FALSE(source.read(stop.get_token()));
}

TEST(WorldVideoSourceTest, RejectsOddSizesAndBadFrameRates) {
  auto description = builtin_scene("lpr-camera");
  ASSERT_TRUE(description);
  auto world = World::create(*description);
  ASSERT_TRUE(world);
  SharedWorld shared(**world);
  SceneRenderer renderer((*world)->layout(), 1);
  EXPECT_THROW(WorldVideoSource(shared, renderer, CameraPose{}, {641, 360, {25, 1}}, {}), std::invalid_argument);
  EXPECT_THROW(WorldVideoSource(shared, renderer, CameraPose{}, {640, 360, {0, 1}}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace camrig::sim
