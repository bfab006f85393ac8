// Faces drawn by the renderer are found by OpenCV's stock frontal face cascade, at the boxes the
// ground truth (actor_parts) reports, across appearance seeds, skin tones and sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>
#include <set>

#include "sim/render/scene_renderer.hpp"
#include "sim/render/textures.hpp"
#include "sim/world/actor_parts.hpp"
#include "tests/unit/sim_render/test_scenes.hpp"

namespace camrig::sim {
namespace {

constexpr const char* k_cascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

double iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / (a.area() + b.area() - inter);
}

TEST(FaceDetectionTest, StockCascadeFindsFrontalFacesAtTheirGroundTruthBoxes) {
  cv::CascadeClassifier cascade;
  ASSERT_TRUE(cascade.load(k_cascade)) << "install opencv-data for " << k_cascade;

  // 720p keeps the cascade fast; faces are sized by distance.
  CameraPose pose;
  pose.position = {0, 0, 1.7};
  pose.tilt_degrees = 0;
  pose.horizontal_fov_degrees = 40;
  pose.width = 1280;
  pose.height = 720;
  const CameraModel camera(pose);
  SceneRenderer renderer(test::gate_layout(), 3);

  int faces = 0, found = 0, false_detections = 0, frames = 0;
  int smallest = 1 << 30, largest = 0;
  std::set<Rgb, bool (*)(const Rgb&, const Rgb&)> tones([](const Rgb& a, const Rgb& b) {
    return std::tie(a.r, a.g, a.b) < std::tie(b.r, b.g, b.b);
  });
  // Ten frames of four people side by side, nearer each frame: faces from ~60 to ~150 px wide.
  for (int f = 0; f < 10; ++f) {
    const double distance = 4.6 - f * 0.27;
    WorldSnapshot snapshot;
    snapshot.time = hal::Nanos{f * 40'000'000LL};
    for (int k = 0; k < 4; ++k) {
      const double angle = (-13.0 + k * 8.7) * 3.14159265358979 / 180.0;
      const Vec3 at{distance * std::sin(angle), distance * std::cos(angle), 0};
      const std::uint64_t appearance = 1000 + static_cast<std::uint64_t>(f * 4 + k) * 7;
      Actor person = test::make_person(static_cast<std::uint32_t>(f * 4 + k + 1), at, 0, appearance, 0.1 * k);
      person.heading = std::atan2(-at.x, -at.y);  // towards the camera
      person.height = 1.62 + 0.06 * k;
      snapshot.actors.push_back(person);
      tones.insert(render::skin_colour(appearance));
    }
    hal::VideoFrame frame(pose.width, pose.height);
    renderer.render(snapshot, camera, frame);
    ++frames;

    cv::Mat gray(frame.height(), frame.width(), CV_8UC1, frame.plane(0));
    std::vector<cv::Rect> detections;
    cascade.detectMultiScale(gray, detections, 1.1, 3, 0, cv::Size(40, 40), cv::Size(240, 240));
    std::vector<bool> matched(detections.size(), false);
    for (const auto& person : snapshot.actors) {
      const auto face = face_of(person, camera);
      ASSERT_TRUE(face && face->frontal);
      const auto box = image_box(*face, camera);
      ASSERT_TRUE(box);
      smallest = std::min(smallest, box->width);
      largest = std::max(largest, box->width);
      const cv::Rect truth(box->x, box->y, box->width, box->height);
      ++faces;
      bool hit = false;
      for (std::size_t i = 0; i < detections.size(); ++i) {
        if (iou(detections[i], truth) >= 0.3) {
          hit = true;
          matched[i] = true;
        }
      }
      found += hit;
    }
    for (bool m : matched) false_detections += !m;
  }
  const double recall = static_cast<double>(found) / faces;
  const double false_per_frame = static_cast<double>(false_detections) / frames;
  std::printf("faces %d (%d..%d px wide, %zu skin tones): recall %.3f, false detections per frame %.2f\n", faces,
              smallest, largest, tones.size(), recall, false_per_frame);
  RecordProperty("recall", std::to_string(recall));
  RecordProperty("false_detections_per_frame", std::to_string(false_per_frame));
  EXPECT_GE(smallest, 55);
  EXPECT_LE(largest, 160);
  EXPECT_GE(tones.size(), 5u);
  EXPECT_GE(recall, 0.9);
  EXPECT_LE(false_per_frame, 1.0);
}

TEST(FaceDetectionTest, PeopleFacingAwayShowNoFace) {
  cv::CascadeClassifier cascade;
  ASSERT_TRUE(cascade.load(k_cascade));
  CameraPose pose;
  pose.position = {0, 0, 1.7};
  pose.tilt_degrees = 0;
  pose.horizontal_fov_degrees = 40;
  pose.width = 1280;
  pose.height = 720;
  const CameraModel camera(pose);
  SceneRenderer renderer(test::gate_layout(), 3);
  WorldSnapshot snapshot;
  for (int k = 0; k < 4; ++k) {
    Actor person = test::make_person(static_cast<std::uint32_t>(k + 1), {-1.2 + k * 0.8, 3, 0}, 0, 2000 + k);
    snapshot.actors.push_back(person);  // heading 0: walking away from the camera
  }
  hal::VideoFrame frame(pose.width, pose.height);
  renderer.render(snapshot, camera, frame);
  cv::Mat gray(frame.height(), frame.width(), CV_8UC1, frame.plane(0));
  std::vector<cv::Rect> detections;
  cascade.detectMultiScale(gray, detections, 1.1, 3, 0, cv::Size(40, 40), cv::Size(240, 240));
  int on_heads = 0;
  for (const auto& person : snapshot.actors) {
    const auto box = image_box(*face_of(person, camera), camera);
    for (const auto& d : detections) on_heads += iou(d, cv::Rect(box->x, box->y, box->width, box->height)) >= 0.3;
  }
  EXPECT_EQ(on_heads, 0);
}

}  // namespace
}  // namespace camrig::sim
