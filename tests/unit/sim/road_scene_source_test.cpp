#include "sim/road_scene_source.hpp"

#include <cstring>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::sim {
namespace {

using test::LockstepTestClock;

std::uint64_t fnv1a(const hal::VideoFrame& frame) {
  std::uint64_t hash = 1469598103934665603ull;
  const std::uint8_t* bytes = frame.plane(0);
  for (std::size_t i = 0; i < frame.size_bytes(); ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

RoadSceneOptions small(std::uint64_t seed, int vehicles = 4) {
  return RoadSceneOptions{{640, 360, {25, 1}}, seed, vehicles};
}

// Luma pixels that differ between two frames inside rows [first, last) and columns [x0, x1).
int differing_pixels(const hal::VideoFrame& a, const hal::VideoFrame& b, int first, int last, int x0, int x1) {
  int count = 0;
  for (int row = first; row < last; ++row) {
    for (int x = x0; x < x1; ++x) count += a.plane(0)[row * a.width() + x] != b.plane(0)[row * b.width() + x];
  }
  return count;
}

TEST(RoadSceneSource, SameSeedRendersIdenticalFrames) {
  LockstepTestClock clock;
  RoadSceneSource first(small(11), clock, {});
  RoadSceneSource second(small(11), clock, {});
  for (const std::uint64_t index : {0u, 1u, 17u, 250u}) {
    EXPECT_EQ(fnv1a(*first.render(index, clock.wall_time())), fnv1a(*second.render(index, clock.wall_time())))
        << "frame " << index;
  }
}

TEST(RoadSceneSource, DifferentSeedRendersADifferentScene) {
  LockstepTestClock clock;
  RoadSceneSource first(small(11), clock, {});
  RoadSceneSource second(small(12), clock, {});
  EXPECT_NE(fnv1a(*first.render(0, clock.wall_time())), fnv1a(*second.render(0, clock.wall_time())));
}

TEST(RoadSceneSource, VehiclesMoveOnTheRoadOnly) {
  LockstepTestClock clock;
  RoadSceneSource source(small(3), clock, {});
  const auto road = source.road_rows();
  const auto earlier = source.render(0, clock.wall_time());
  const auto later = source.render(5, clock.wall_time());
  EXPECT_GT(differing_pixels(*earlier, *later, road.first, road.last, 0, 640), 500);
  // Above the road (below the overlay) nothing moves.
  const auto box = source.overlay_box();
  EXPECT_EQ(differing_pixels(*earlier, *later, box.y + box.height, road.first, 0, 640), 0);
}

TEST(RoadSceneSource, WithoutVehiclesTheRoadIsStill) {
  LockstepTestClock clock;
  RoadSceneSource source(small(3, 0), clock, {});
  const auto road = source.road_rows();
  EXPECT_EQ(differing_pixels(*source.render(0, clock.wall_time()), *source.render(5, clock.wall_time()), road.first,
                             road.last, 0, 640),
            0);
}

TEST(RoadSceneSource, OverlayShowsTheWallTimeAndNothingElseDependsOnIt) {
  LockstepTestClock clock;
  RoadSceneSource source(small(5), clock, {});
  const auto box = source.overlay_box();
  const auto at_noon = source.render(10, clock.wall_time());
  const auto a_second_later = source.render(10, clock.wall_time() + std::chrono::seconds(1));
  EXPECT_GT(differing_pixels(*at_noon, *a_second_later, box.y, box.y + box.height, box.x, box.x + box.width), 0);
  // Outside the overlay the two frames are identical: the scene follows frame time, not wall time.
  EXPECT_EQ(differing_pixels(*at_noon, *a_second_later, box.y + box.height, 360, 0, 640), 0);
  EXPECT_EQ(differing_pixels(*at_noon, *a_second_later, 0, 360, box.x + box.width, 640), 0);
}

TEST(RoadSceneSource, OverlayChangesWithTheFrameNumberAlone) {
  LockstepTestClock clock;
  RoadSceneSource source(small(5, 0), clock, {});
  const auto box = source.overlay_box();
  const auto wall = clock.wall_time();
  EXPECT_GT(differing_pixels(*source.render(1, wall), *source.render(2, wall), box.y, box.y + box.height, box.x,
                             box.x + box.width),
            0);
}

TEST(RoadSceneSource, ReadPacesEachFrameToItsTimeOnTheDeviceClock) {
  LockstepTestClock clock;
  std::vector<hal::Nanos> deadlines;
  RoadSceneSource source(small(1), clock, [&](hal::Nanos deadline, std::stop_token stop) {
    deadlines.push_back(deadline);
    clock.advance_to(deadline);
    return !stop.stop_requested();
  });
  EXPECT_EQ(source.format(), (hal::VideoFormat{640, 360, {25, 1}}));
  std::stop_source stop;
  for (std::uint64_t n = 0; n < 4; ++n) {
    const auto frame = source.read(stop.get_token());
    ASSERT_NE(frame, nullptr);
    EXPECT_EQ(frame->sequence, n);
    EXPECT_EQ(frame->timestamp, hal::Nanos{static_cast<std::int64_t>(n) * 40'000'000});
    EXPECT_EQ(clock.now(), frame->timestamp);
    EXPECT_EQ(frame->width(), 640);
    EXPECT_EQ(frame->height(), 360);
  }
  EXPECT_EQ(deadlines, (std::vector<hal::Nanos>{hal::Nanos{0}, hal::Nanos{40'000'000}, hal::Nanos{80'000'000},
                                                hal::Nanos{120'000'000}}));
}

TEST(RoadSceneSource, FractionalFrameRateTimestampsDoNotDrift) {
  LockstepTestClock clock;
  RoadSceneSource source(RoadSceneOptions{{320, 180, {30000, 1001}}, 1, 1}, clock, {});
  EXPECT_EQ(source.frame_time(30000), hal::Nanos{1001'000'000'000});
  EXPECT_EQ(source.frame_time(1), hal::Nanos{33'366'666});
}

TEST(RoadSceneSource, StoppedPacerEndsReading) {
  LockstepTestClock clock;
  RoadSceneSource source(small(1), clock, [](hal::Nanos, std::stop_token) { return false; });
  std::stop_source stop;
  EXPECT_EQ(source.read(stop.get_token()), nullptr);

  RoadSceneSource unpaced(small(1), clock, {});
  stop.request_stop();
  EXPECT_EQ(unpaced.read(stop.get_token()), nullptr);
}

TEST(RoadSceneSource, RejectsOddOrEmptySizesAndBadRates) {
  LockstepTestClock clock;
  EXPECT_THROW(RoadSceneSource(RoadSceneOptions{{641, 360, {25, 1}}, 1, 4}, clock, {}), std::invalid_argument);
  EXPECT_THROW(RoadSceneSource(RoadSceneOptions{{640, 361, {25, 1}}, 1, 4}, clock, {}), std::invalid_argument);
  EXPECT_THROW(RoadSceneSource(RoadSceneOptions{{0, 360, {25, 1}}, 1, 4}, clock, {}), std::invalid_argument);
  EXPECT_THROW(RoadSceneSource(RoadSceneOptions{{640, 360, {0, 1}}, 1, 4}, clock, {}), std::invalid_argument);
  EXPECT_THROW(RoadSceneSource(RoadSceneOptions{{640, 360, {25, 1}}, 1, -1}, clock, {}), std::invalid_argument);
}

TEST(RoadSceneSource, TinyPicturesRenderWithoutWritingOutsideTheFrame) {
  LockstepTestClock clock;
  RoadSceneSource source(RoadSceneOptions{{16, 8, {25, 1}}, 9, 6}, clock, {});
  for (std::uint64_t n = 0; n < 30; ++n) EXPECT_EQ(source.render(n, clock.wall_time())->width(), 16);
}

}  // namespace
}  // namespace camrig::sim
