// The renderer on hand-built scenes: determinism, plates where actor_parts puts them, light,
// weather and lens effects measured on the pixels.
#include "sim/render/scene_renderer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "sim/world/actor_parts.hpp"
#include "tests/unit/sim_render/test_scenes.hpp"

namespace camrig::sim {
namespace {

std::uint64_t hash_of(const hal::VideoFrame& frame) {
  std::uint64_t h = 1469598103934665603ULL;
  const std::uint8_t* data = frame.plane(0);
  for (std::size_t i = 0; i < frame.size_bytes(); ++i) h = (h ^ data[i]) * 1099511628211ULL;
  return h;
}

struct Stats {
  double mean = 0;
  double stddev = 0;
};

Stats luma_stats(const hal::VideoFrame& frame, ImageBox box) {
  double sum = 0, sum2 = 0;
  int n = 0;
  for (int y = box.y; y < box.y + box.height; ++y) {
    for (int x = box.x; x < box.x + box.width; ++x) {
      const double v = frame.plane(0)[y * frame.width() + x];
      sum += v;
      sum2 += v * v;
      ++n;
    }
  }
  Stats s;
  s.mean = sum / n;
  s.stddev = std::sqrt(std::max(0.0, sum2 / n - s.mean * s.mean));
  return s;
}

ImageBox whole(const hal::VideoFrame& frame) { return {0, 0, frame.width(), frame.height()}; }

double plane_mean(const hal::VideoFrame& frame, int plane) {
  const int w = plane == 0 ? frame.width() : frame.width() / 2;
  const int h = plane == 0 ? frame.height() : frame.height() / 2;
  double sum = 0;
  for (int i = 0; i < w * h; ++i) sum += frame.plane(plane)[i];
  return sum / (w * h);
}

// Mean absolute horizontal luma gradient: detail that blur removes.
double detail(const hal::VideoFrame& frame) {
  double sum = 0;
  for (int y = 0; y < frame.height(); ++y)
    for (int x = 1; x < frame.width(); ++x)
      sum += std::abs(frame.plane(0)[y * frame.width() + x] - frame.plane(0)[y * frame.width() + x - 1]);
  return sum / (frame.width() * frame.height());
}

class SceneRendererTest : public ::testing::Test {
 protected:
  hal::VideoFrame render(const WorldSnapshot& snapshot, std::uint64_t seed = 1, int width = 640, int height = 360,
                         CameraPose pose = test::gate_camera()) {
    SceneRenderer renderer(test::gate_layout(), seed);
    pose.width = width;
    pose.height = height;
    hal::VideoFrame frame(width, height);
    renderer.render(snapshot, CameraModel(pose), frame);
    return frame;
  }

  static WorldSnapshot quiet(double seconds = 1.0) {
    WorldSnapshot s = test::busy_snapshot(seconds);
    s.weather.sensor_noise = 0;
    return s;
  }
};

TEST_F(SceneRendererTest, SameSnapshotSequenceGivesSameFramesAndSeedChangesThem) {
  SceneRenderer first(test::gate_layout(), 7);
  SceneRenderer second(test::gate_layout(), 7);
  SceneRenderer other_seed(test::gate_layout(), 8);
  CameraPose pose = test::gate_camera();
  pose.width = 640;
  pose.height = 360;
  const CameraModel camera(pose);
  std::vector<std::uint64_t> hashes;
  for (int i = 0; i < 6; ++i) {
    const WorldSnapshot snapshot = test::busy_snapshot(i * 0.2);
    hal::VideoFrame a(640, 360), b(640, 360), c(640, 360);
    first.render(snapshot, camera, a);
    second.render(snapshot, camera, b);
    other_seed.render(snapshot, camera, c);
    EXPECT_EQ(hash_of(a), hash_of(b)) << "frame " << i;
    EXPECT_NE(hash_of(a), hash_of(c)) << "frame " << i;
    hashes.push_back(hash_of(a));
  }
  // The actors move, so every frame is new.
  for (std::size_t i = 1; i < hashes.size(); ++i) EXPECT_NE(hashes[i], hashes[i - 1]);
  // A renderer that drew other poses in between still gives the same bytes (the cache is exact).
  CameraPose moved = pose;
  moved.pan_degrees = 30;
  hal::VideoFrame scratch(640, 360), again(640, 360);
  first.render(test::busy_snapshot(0), CameraModel(moved), scratch);
  first.render(test::busy_snapshot(1.0), camera, again);
  EXPECT_EQ(hash_of(again), hashes[5]);
}

TEST_F(SceneRendererTest, PlateIsDrawnInsideItsGroundTruthBoxWithInkOnPaper) {
  WorldSnapshot s = quiet();
  const hal::VideoFrame frame = render(s, 1, 1920, 1080);
  CameraPose pose = test::gate_camera();
  const CameraModel camera(pose);
  const auto corners = plate_corners(s.actors[0], true);
  ASSERT_TRUE(corners);
  const auto box = image_box(*corners, camera);
  ASSERT_TRUE(box);
  EXPECT_GT(box->width, 100);  // a realistic LPR size at 1080p
  int paper = 0, ink = 0, n = 0;
  for (int y = box->y + 2; y < box->y + box->height - 2; ++y) {
    for (int x = box->x + 2; x < box->x + box->width - 2; ++x) {
      const int v = frame.plane(0)[y * 1920 + x];
      paper += v > 170;
      ink += v < 70;
      ++n;
    }
  }
  EXPECT_GT(paper, n * 35 / 100);
  EXPECT_GT(ink, n * 8 / 100);
  // Just below the plate is the car's red body, not paper.
  const Stats below = luma_stats(frame, {box->x + box->width / 4, box->y + box->height + 12, box->width / 2, 6});
  EXPECT_LT(below.mean, 150);
}

TEST_F(SceneRendererTest, NightInfraredIsMonochromeAndBrightestNearTheCamera) {
  WorldSnapshot s = quiet();
  s.lighting.mode = LightingMode::night_ir;
  const hal::VideoFrame frame = render(s);
  const std::size_t chroma = static_cast<std::size_t>(frame.width() / 2) * (frame.height() / 2);
  for (std::size_t i = 0; i < chroma; ++i) {
    ASSERT_EQ(frame.plane(1)[i], 128);
    ASSERT_EQ(frame.plane(2)[i], 128);
  }
  const Stats near = luma_stats(frame, {0, 320, 640, 40});
  const Stats far = luma_stats(frame, {0, 20, 640, 20});  // ~100 m away
  EXPECT_GT(near.mean, far.mean * 2);
}

TEST_F(SceneRendererTest, DuskIsDarkerAndWarmerAndTheLightLevelScales) {
  const WorldSnapshot day = quiet();
  WorldSnapshot dusk = day;
  dusk.lighting.mode = LightingMode::dusk;
  WorldSnapshot dimmed = day;
  dimmed.lighting.level = 0.5;
  const auto a = render(day), b = render(dusk), c = render(dimmed);
  EXPECT_LT(plane_mean(b, 0), plane_mean(a, 0) * 0.6);
  EXPECT_LT(plane_mean(b, 1) - 128, plane_mean(a, 1) - 128);  // less blue
  EXPECT_GT(plane_mean(b, 2) - 128, plane_mean(a, 2) - 128 - 1);  // not less red
  EXPECT_NEAR(plane_mean(c, 0), plane_mean(a, 0) * 0.5, 2.0);
  // At dusk only the vehicles' headlamps are still that bright: they are lit.
  int glowing = 0;
  for (int i = 0; i < b.width() * b.height(); ++i) glowing += b.plane(0)[i] >= 235;
  EXPECT_GT(glowing, 20);
  EXPECT_LT(glowing, b.width() * b.height() / 100);
}

TEST_F(SceneRendererTest, CoveredLensIsDarkAndNearlyUniform) {
  WorldSnapshot s = test::busy_snapshot(1.0);
  s.effects.covered = 1.0;
  const auto frame = render(s);
  const Stats stats = luma_stats(frame, whole(frame));
  EXPECT_LT(stats.mean, 25);
  EXPECT_LT(stats.stddev, 6);
}

TEST_F(SceneRendererTest, DefocusAndFogRemoveDetailAndContrast) {
  const WorldSnapshot sharp = quiet();
  WorldSnapshot blurred = sharp;
  blurred.effects.defocus_pixels = 8;
  WorldSnapshot foggy = sharp;
  foggy.weather.fog = 0.8;
  const auto a = render(sharp), b = render(blurred), c = render(foggy);
  EXPECT_LT(detail(b), detail(a) * 0.6);
  EXPECT_LT(luma_stats(c, whole(c)).stddev, luma_stats(a, whole(a)).stddev * 0.7);
}

TEST_F(SceneRendererTest, CameraMovedRendersFromTheOffsetPose) {
  WorldSnapshot moved = quiet();
  moved.effects.pan_offset_degrees = 10;
  moved.effects.tilt_offset_degrees = -3;
  CameraPose turned = test::gate_camera();
  turned.pan_degrees += 10;
  turned.tilt_degrees -= 3;
  const auto a = render(moved), b = render(quiet(), 1, 640, 360, turned), c = render(quiet());
  EXPECT_EQ(hash_of(a), hash_of(b));
  EXPECT_NE(hash_of(a), hash_of(c));
}

TEST_F(SceneRendererTest, SensorNoiseHasItsStrengthAndFollowsTheFrameTime) {
  const WorldSnapshot clean = quiet();
  WorldSnapshot noisy = clean;
  noisy.weather.sensor_noise = 4;
  WorldSnapshot later = noisy;
  later.time += hal::Nanos{1};
  const auto a = render(clean), b = render(noisy), b2 = render(noisy), c = render(later);
  double sum = 0, sum2 = 0;
  const int n = a.width() * a.height();
  for (int i = 0; i < n; ++i) {
    const double d = b.plane(0)[i] - a.plane(0)[i];
    sum += d;
    sum2 += d * d;
  }
  const double sigma = std::sqrt(sum2 / n - (sum / n) * (sum / n));
  EXPECT_NEAR(sigma, 4.0, 0.6);
  EXPECT_EQ(hash_of(b), hash_of(b2));
  EXPECT_NE(hash_of(b), hash_of(c));
}

TEST_F(SceneRendererTest, RainCompressionAndMotionBlurChangeThePicture) {
  const WorldSnapshot clean = quiet();
  WorldSnapshot rain = clean;
  rain.weather.rain = 0.8;
  WorldSnapshot compressed = clean;
  compressed.weather.compression_quality = 15;
  WorldSnapshot blurred = clean;
  blurred.weather.motion_blur = 1.0;
  const auto a = render(clean), r = render(rain), q = render(compressed), m = render(blurred);
  EXPECT_GT(plane_mean(r, 0), plane_mean(a, 0) + 0.05);  // bright streaks, nothing darker
  EXPECT_NE(hash_of(q), hash_of(a));
  EXPECT_LT(detail(q), detail(a));  // quantisation drops the fine grain
  EXPECT_NEAR(plane_mean(q, 0), plane_mean(a, 0), 2.0);
  EXPECT_NE(hash_of(m), hash_of(a));
  // Only moving actors smear: without velocities the shutter changes nothing.
  WorldSnapshot still = blurred;
  for (auto& actor : still.actors) actor.velocity = {};
  EXPECT_EQ(hash_of(render(still)), hash_of(a));
}

TEST_F(SceneRendererTest, FrameOfAnotherSizeThanThePoseIsDrawnAtTheFrameSize) {
  SceneRenderer renderer(test::gate_layout(), 1);
  hal::VideoFrame small(320, 180), big(640, 360);
  renderer.render(quiet(), CameraModel(test::gate_camera()), small);
  renderer.render(quiet(), CameraModel(test::gate_camera()), big);
  // Same scene at half the size: the means agree closely.
  EXPECT_NEAR(plane_mean(small, 0), plane_mean(big, 0), 3.0);
}

}  // namespace
}  // namespace camrig::sim
