// Licence plates are mapped onto the plate quadrilateral of actor_parts with perspective and stay
// legible at LPR sizes: rectified back to the plate's frame they match the FreeType texture and
// split into one blob per character.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "sim/render/scene_renderer.hpp"
#include "sim/render/textures.hpp"
#include "sim/world/actor_parts.hpp"
#include "tests/unit/sim_render/test_scenes.hpp"

namespace camrig::sim {
namespace {

struct Reading {
  int characters = 0;  // blobs as tall as a character
  double correlation = 0;  // with the texture, after rectification
  int plate_width = 0;
};

// Renders one car at `distance` and yaw, rectifies its front plate and measures it.
Reading read_plate(const std::string& text, PlateFormat format, double distance, double yaw_degrees) {
  CameraPose pose;
  pose.position = {0, 0, 3.0};
  pose.tilt_degrees = 15;
  pose.horizontal_fov_degrees = 45;
  const CameraModel camera(pose);
  SceneRenderer renderer(test::gate_layout(), 5);
  WorldSnapshot snapshot;
  snapshot.actors.push_back(test::make_car(1, {-0.8, distance, 0}, 3.14159265358979 + yaw_degrees * 3.14159265358979 / 180,
                                           {40, 90, 160}, text, format));
  hal::VideoFrame frame(pose.width, pose.height);
  renderer.render(snapshot, camera, frame);

  const auto corners = plate_corners(snapshot.actors[0], true);
  std::vector<cv::Point2f> image;
  for (const auto& c : *corners) {
    const auto p = camera.project(c);
    image.emplace_back(static_cast<float>(p->x), static_cast<float>(p->y));
  }
  Reading reading;
  reading.plate_width = image_box(*corners, camera)->width;
  render::PlateRasteriser rasteriser;
  const render::Texture texture = rasteriser.rasterise(text, format);
  // Rectify at about the plate's size in the image (no invented detail).
  const int w = reading.plate_width * 2, h = w * texture.height / texture.width;
  const std::vector<cv::Point2f> target{{0, 0}, {float(w), 0}, {float(w), float(h)}, {0, float(h)}};
  cv::Mat gray(frame.height(), frame.width(), CV_8UC1, frame.plane(0));
  cv::Mat rectified;
  cv::warpPerspective(gray, rectified, cv::getPerspectiveTransform(image, target), cv::Size(w, h), cv::INTER_LINEAR);
  cv::Mat reference(texture.height, texture.width, CV_8UC1, const_cast<std::uint8_t*>(texture.y.data()));
  cv::Mat small;
  cv::resize(reference, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
  cv::Mat score;
  cv::matchTemplate(rectified, small, score, cv::TM_CCOEFF_NORMED);
  reading.correlation = score.at<float>(0, 0);

  // Characters: dark blobs inside the plate's white field, at least half the field's height.
  cv::Mat field = rectified(cv::Rect(w * 9 / 100, h * 4 / 100, w - w * 9 / 100 - w * 2 / 100, h - h * 8 / 100));
  if (format == PlateFormat::us) field = rectified(cv::Rect(w / 50, h / 6, w - w / 25, h - h / 6 - h / 20));
  cv::Mat ink;
  cv::threshold(field, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8);
  for (int i = 1; i < n; ++i) {
    const int height = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    const int width = stats.at<int>(i, cv::CC_STAT_WIDTH);
    if (height >= field.rows * 4 / 10 && height < field.rows * 95 / 100 && width < field.cols / 4) ++reading.characters;
  }
  return reading;
}

TEST(PlateRenderingTest, EuPlatesAtLprSizesMatchTheirTextureAndSplitIntoCharacters) {
  for (const double distance : {8.0, 10.5, 13.0}) {
    const Reading r = read_plate("AB-123-CD", PlateFormat::eu, distance, 0);
    SCOPED_TRACE(testing::Message() << "distance " << distance << " m, plate " << r.plate_width << " px");
    EXPECT_GE(r.plate_width, 110);
    EXPECT_LE(r.plate_width, 260);
    EXPECT_GT(r.correlation, 0.85);
    EXPECT_EQ(r.characters, 7);
  }
}

TEST(PlateRenderingTest, UsPlateSeenObliquelyStaysLegible) {
  const Reading r = read_plate("7ABC123", PlateFormat::us, 9.0, 25);
  EXPECT_GE(r.plate_width, 60);
  EXPECT_GT(r.correlation, 0.8);
  EXPECT_EQ(r.characters, 7);
}

TEST(PlateRenderingTest, TextureIsRasterisedWithTheDejaVuFont) {
  render::PlateRasteriser rasteriser;
  ASSERT_TRUE(rasteriser.has_font()) << "install fonts-dejavu-core";
  const auto a = rasteriser.rasterise("AB-123-CD", PlateFormat::eu);
  const auto b = rasteriser.rasterise("AB-123-CE", PlateFormat::eu);
  EXPECT_EQ(a.width * 110, a.height * 520);
  EXPECT_NE(a.y, b.y);
  EXPECT_FALSE(a.levels.empty());
}

// The lowest row with ink right of `left`, inside the plate's border; -1 without ink.
int lowest_ink_row(const render::Texture& t, int left) {
  const int border = t.width / 100;
  for (int r = t.height - border - 1; r >= border; --r)
    for (int x = left; x < t.width - border; ++x)
      if (t.y[static_cast<std::size_t>(r) * t.width + x] < 100) return r;
  return -1;
}

TEST(PlateRenderingTest, EveryCharacterStandsOnTheLineAsOnARealPlate) {
  // DejaVu's J and Q reach below the baseline; plate fonts keep them within the character
  // height, and a descender cut off by the reader's text line turns J into I.
  render::PlateRasteriser rasteriser;
  ASSERT_TRUE(rasteriser.has_font());
  for (const auto format : {PlateFormat::eu, PlateFormat::us}) {
    const int left = format == PlateFormat::eu ? 100 : 20;
    const int line = lowest_ink_row(rasteriser.rasterise("HIL", format), left);
    ASSERT_GT(line, 0);
    for (const char* text : {"JJJ", "QQQ", "AJ1Q"}) {
      const int lowest = lowest_ink_row(rasteriser.rasterise(text, format), left);
      EXPECT_NEAR(lowest, line, 2) << text << (format == PlateFormat::eu ? " (EU)" : " (US)");
    }
  }
}

}  // namespace
}  // namespace camrig::sim
