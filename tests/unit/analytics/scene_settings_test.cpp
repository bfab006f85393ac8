// The scene detectors' settings: gridMap text, stored polygons, validation, and changes in the
// configuration reaching the running detectors at the next frame.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "device/analytics/scene_detectors.hpp"
#include "device/core/config_schema.hpp"

namespace camrig::analytics {
namespace {

TEST(SceneSettingsTest, GridMapRoundTripsAndRejectsBadText) {
  MotionGrid grid;
  grid.set(0);                                            // row 0, column 0
  grid.set(21);                                           // row 0, last column
  grid.set(17 * kMotionGridColumns + 5);                  // last row
  const auto text = to_grid_map(grid);
  ASSERT_EQ(text.size(), 108u);
  EXPECT_EQ(text.substr(0, 6), "800004");
  auto parsed = parse_grid_map(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, grid);
  EXPECT_EQ(to_grid_map(full_motion_grid()).substr(0, 6), "fffffc");
  EXPECT_FALSE(parse_grid_map("fffffc"));
  EXPECT_FALSE(parse_grid_map(std::string(107, 'f') + "g"));
}

TEST(SceneSettingsTest, PolygonsParseAndAreValidated) {
  auto ok = parse_polygons("[[[0,0],[0.5,0],[0.5,1]]]", "areas");
  ASSERT_TRUE(ok) << ok.error().message;
  ASSERT_EQ(ok->size(), 1u);
  EXPECT_FLOAT_EQ((*ok)[0][1].x, 0.5f);
  auto again = parse_polygons(polygons_to_json(*ok), "areas");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0], (*ok)[0]);
  EXPECT_FALSE(parse_polygons("[[[0,0],[1,1]]]", "areas"));          // two points
  EXPECT_FALSE(parse_polygons("[[[0,0],[1.5,0],[1,1]]]", "areas"));  // outside the picture
  EXPECT_FALSE(parse_polygons("{", "areas"));
  TamperSettings tamper;
  tamper.areas.assign(5, (*ok)[0]);
  EXPECT_FALSE(validate(tamper));
  FaceSettings face;
  face.min_size = 100;
  face.max_size = 80;
  EXPECT_FALSE(validate(face));
  MotionSettings motion;
  motion.sensitivity = 101;
  EXPECT_FALSE(validate(motion));
}

//! A flat grey frame with a bright square at `x`, 640x360: moving the square is motion.
AnalysisFrame frame_at(hal::Nanos time, int x, const cv::Mat& foreground) {
  AnalysisFrame frame;
  frame.time = time;
  auto full = std::make_shared<hal::VideoFrame>(640, 360);
  std::fill(full->plane(0), full->plane(0) + 640 * 360, std::uint8_t{100});
  std::fill(full->plane(1), full->plane(1) + 640 * 360 / 2, std::uint8_t{128});
  frame.full = full;
  frame.luma = cv::Mat(360, 640, CV_8UC1, cv::Scalar(100));
  frame.luma(cv::Rect(x, 100, 60, 60)).setTo(220);
  frame.foreground = foreground;
  return frame;
}

TEST(SceneSettingsTest, ConfigurationChangesReachTheRunningDetectors) {
  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema) << schema.error().message;
  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile);
  core::EventBus bus;
  auto config = core::ConfigService::open(*schema, *profile, ":memory:", &bus);
  ASSERT_TRUE(config) << config.error().message;
  auto defaults = scene_settings_from_config(**config, 1);
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_FALSE(defaults->motion.enabled);
  EXPECT_EQ(defaults->motion.grid, full_motion_grid());

  SceneDetectors detectors(**config, bus, 1);
  std::vector<events::Event> seen;
  const EventSink sink = [&](events::Event e) { seen.push_back(std::move(e)); };
  cv::Mat moving(360, 640, CV_8UC1, cv::Scalar(0));
  moving(cv::Rect(100, 100, 60, 60)).setTo(255);
  for (int i = 0; i < 5; ++i) detectors.analyse(frame_at(hal::Nanos{i * 80'000'000LL}, 100, moving), sink);
  EXPECT_TRUE(seen.empty()) << "motion detection is off by default";

  ASSERT_TRUE((*config)->apply({{"channel.1.motion.enabled", true}, {"channel.1.motion.sensitivity", std::int64_t{80}}}));
  for (int i = 5; i < 10; ++i) detectors.analyse(frame_at(hal::Nanos{i * 80'000'000LL}, 100, moving), sink);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen[0].kind, events::EventKind::motion);
  EXPECT_EQ(seen[0].state, events::EventState::active);
  ASSERT_TRUE(seen[0].target && seen[0].target->box);
  EXPECT_NEAR(seen[0].target->box->x, 100.0 / 640, 0.05);

  // A stored value that does not parse leaves the detectors as they were.
  ASSERT_TRUE((*config)->set("channel.1.tamper.areas", std::string("[[[0,0]]]")));
  EXPECT_FALSE(scene_settings_from_config(**config, 1));
  const auto before = seen.size();
  for (int i = 10; i < 12; ++i) detectors.analyse(frame_at(hal::Nanos{i * 80'000'000LL}, 100, moving), sink);
  EXPECT_EQ(seen.size(), before);
}

}  // namespace
}  // namespace camrig::analytics
