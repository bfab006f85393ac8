// Face features on rendered faces: the turn the camera reads from a face's pixels follows the turn
// the world renders (its error printed), glasses are told from the eye band, and face capture drops
// faces turned further than the facial posture filter while Upload Feature carries the glasses.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <numbers>
#include <opencv2/objdetect.hpp>
#include <string>
#include <vector>

#include "device/analytics/face_capture.hpp"
#include "device/analytics/video_analytics.hpp"
#include "tests/unit/analytics/face_capture_recorder.hpp"
#include "device/events/alert_document.hpp"
#include "sim/render/scene_renderer.hpp"
#include "sim/world/actor_parts.hpp"
#include "sim/world/ground_truth.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"
#include "tests/unit/sim_render/test_scenes.hpp"

namespace camrig::analytics {
namespace {

using events::Event;

TEST(FaceFeaturesTest, TurnAndGlassesAreReadFromRenderedFaces) {
  cv::CascadeClassifier cascade;
  ASSERT_TRUE(cascade.load(kFrontalFaceCascade)) << "install opencv-data for " << kFrontalFaceCascade;
  sim::CameraPose pose;
  pose.position = {0, 0, 2.0};
  pose.tilt_degrees = 4;
  pose.horizontal_fov_degrees = 40;
  pose.width = 1280;
  pose.height = 720;
  const sim::CameraModel camera(pose);
  sim::SceneRenderer renderer(sim::test::gate_layout(), 3);

  int faces = 0, measured = 0, glasses_right = 0;
  double error_sum = 0, error_max = 0;
  for (int turn = -25; turn <= 25; turn += 5) {
    for (int k = 0; k < 4; ++k) {
      // Near and far, left and right of the axis, every skin tone in turn, with and without glasses.
      const double distance = 3.0 + (k % 2) * 0.6;
      sim::Actor person = sim::test::make_person(1, {0.3 * (k - 1.5), distance, 0}, 0,
                                                 500 + static_cast<std::uint64_t>((turn + 25) * 4 + k));
      person.heading = std::atan2(-person.position.x, -person.position.y);  // the body towards the camera
      person.head_turn = turn * std::numbers::pi / 180.0;
      person.glasses = (turn / 5 + k) % 2 == 0;
      sim::WorldSnapshot snapshot;
      snapshot.actors.push_back(person);
      hal::VideoFrame frame(pose.width, pose.height);
      renderer.render(snapshot, camera, frame);
      const cv::Mat luma(frame.height(), frame.width(), CV_8UC1, frame.plane(0));

      const auto face = sim::face_of(person, camera);
      ASSERT_TRUE(face);
      EXPECT_NEAR(face->yaw, turn, 2.0) << "the world's face yaw is the head turn seen from the camera";
      // The cascade searches around the true head only, to keep the test quick.
      const auto box = sim::image_box(*face, camera);
      ASSERT_TRUE(box);
      const cv::Rect around = cv::Rect(box->x - box->width, box->y - box->height / 2, box->width * 3, box->height * 2) &
                              cv::Rect(0, 0, pose.width, pose.height);
      std::vector<cv::Rect> found;
      cascade.detectMultiScale(luma(around), found, 1.1, 3, 0, cv::Size(40, 40));
      if (found.size() != 1) continue;  // the detector's misses are not what this test measures
      const cv::Rect detected = found.front() + around.tl();
      ++faces;
      const auto features = face_features(luma, detected);
      if (!features.measured) continue;
      ++measured;
      const double error = std::abs(features.yaw - face->yaw);
      if (error > 10)
        std::printf("turn %d k %d: yaw %.1f estimated %.1f at %d,%d %dx%d\n", turn, k, face->yaw, features.yaw,
                    detected.x, detected.y, detected.width, detected.height);
      error_sum += error;
      error_max = std::max(error_max, error);
      glasses_right += features.glasses == person.glasses;
    }
  }
  ASSERT_GT(measured, 0);
  const double mean_error = error_sum / measured;
  std::printf("faces found %d, measured %d; yaw error mean %.1f, max %.1f degrees; glasses right %d of %d\n", faces,
              measured, mean_error, error_max, glasses_right, measured);
  RecordProperty("yaw_error_mean_degrees", std::to_string(mean_error));
  RecordProperty("yaw_error_max_degrees", std::to_string(error_max));
  EXPECT_GE(faces, 36);  // of 44
  EXPECT_GE(measured, faces * 9 / 10);
  EXPECT_LE(mean_error, 4.0);
  EXPECT_LE(error_max, 10.0);
  EXPECT_EQ(glasses_right, measured);
}

using Recorder = test::FaceCaptureRecorder;

std::shared_ptr<Recorder> recorder(int posture_filter) {
  FaceCaptureSettings settings;
  settings.enabled = true;
  settings.upload_features = true;
  settings.posture_filter = posture_filter;
  auto capture = FaceCapture::create(settings);
  if (!capture) throw std::runtime_error(capture.error().message);
  return std::make_shared<Recorder>(*capture);
}

// One person with glasses looking straight at the camera walks up to it, then one without glasses
// whose head is turned 22 degrees to the right.
constexpr const char* k_scene = R"(
seed: 5
scene: {type: plaza, plaza_size: 40, start_y: -5}
cameras: [{position: [0, 0], height: 2.0, pan: 0, tilt: 4, fov: 40, resolution: [1280, 720]}]
weather: {sensor_noise: 2}
actors:
  - {kind: person, path: [[0, 9], [0, 1.6]], spawn: 1, glasses: true}
  - {kind: person, path: [[0, 9], [0, 1.6]], spawn: 7, head_turn: 22}
)";
// The second person leaves at ~12.3 s; a face track ends 3 s after its face was last seen.
constexpr double k_scene_seconds = 17;
constexpr double k_second_person_from = 7;

TEST(FaceFeaturesTest, PostureFilterDropsTurnedFacesAndCapturesCarryGlasses) {
  auto strict = recorder(10);
  auto lenient = recorder(45);
  auto description = sim::parse_world_description(k_scene, "face features scene");
  ASSERT_TRUE(description) << description.error().message;
  auto world = sim::World::create(*description);
  ASSERT_TRUE(world) << world.error().message;
  sim::SharedWorld shared(**world);
  sim::SceneRenderer renderer((*world)->layout(), description->seed, 12.5);
  sim::WorldVideoSource source(shared, renderer, (*world)->cameras().at(0), {1280, 720, {25, 2}}, sim::FramePacer{});
  VideoAnalytics analytics({}, [](Event) {});
  analytics.add(strict);
  analytics.add(lenient);
  double turned_yaw = 0;
  source.on_ground_truth([&](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    for (const auto& actor : snapshot.actors)
      if (actor.head_turn != 0)
        if (const auto face = sim::face_of(actor, camera)) turned_yaw = face->yaw;
  });
  std::stop_source stop;
  while (auto frame = source.read(stop.get_token())) {
    analytics.process(frame);
    if (static_cast<double>(frame->timestamp.count()) / 1e9 >= k_scene_seconds) break;
  }
  EXPECT_NEAR(turned_yaw, 22, 2.5);  // the head's own offset from the axis adds a little up close

  auto second = [](const Event& e) { return static_cast<double>(e.device_time.count()) / 1e9 >= k_second_person_from; };
  for (const auto* r : {strict.get(), lenient.get()})
    for (const auto& e : r->events)
      std::printf("%s: capture at %.2f s, quality %d, glasses %s, gender %s, expression %s\n",
                  r == strict.get() ? "filter 10" : "filter 45", static_cast<double>(e.device_time.count()) / 1e9,
                  e.target->face_quality.value_or(-1), e.target->face_attributes->glasses.c_str(),
                  e.target->face_attributes->gender.c_str(), e.target->face_attributes->expression.c_str());
  // The lenient filter lets both through: the turned face is found and captured...
  ASSERT_EQ(lenient->events.size(), 2u);
  EXPECT_FALSE(second(lenient->events[0]));
  EXPECT_TRUE(second(lenient->events[1]));
  // ...which the strict filter drops, while the face looking at the camera passes both.
  ASSERT_EQ(strict->events.size(), 1u);
  EXPECT_FALSE(second(strict->events[0]));
  for (const auto& e : lenient->events) {
    ASSERT_TRUE(e.target && e.target->face_attributes);
    EXPECT_EQ(e.target->face_attributes->glasses, second(e) ? "no" : "yes");
    EXPECT_EQ(e.target->face_attributes->gender, "unknown");
    EXPECT_EQ(e.target->face_attributes->expression, "neutral");  // the world renders closed mouths
  }
}

TEST(FaceFeaturesTest, AlertsNameTheCapturedFeatures) {
  Event capture;
  capture.kind = events::EventKind::face_capture;
  capture.channel = 1;
  events::Target target;
  target.track_id = 3;
  target.face_attributes = events::FaceAttributes{};
  target.face_attributes->glasses = "yes";
  capture.target = target;
  const auto xml = events::alert_xml(capture, {});
  EXPECT_NE(xml.find("<glass>yes</glass>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<gender>unknown</gender>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<expression>unknown</expression>"), std::string::npos) << xml;
  const auto json = events::alert_json(capture, {});
  EXPECT_NE(json.find("\"glass\":\"yes\""), std::string::npos) << json;
  // Without Upload Feature the face names no features.
  capture.target->face_attributes.reset();
  EXPECT_EQ(events::alert_xml(capture, {}).find("glass"), std::string::npos);
}

TEST(FaceFeaturesTest, TheWorldDescribesTurnedHeadsAndGlassesAndItsGroundTruthRecordsThem) {
  sim::CameraPose pose;
  pose.position = {0, 0, 2.0};
  pose.width = 1280;
  pose.height = 720;
  sim::Actor person = sim::test::make_person(7, {0, 4, 0}, std::numbers::pi, 1);  // facing the camera
  person.head_turn = -15 * std::numbers::pi / 180.0;
  person.glasses = true;
  sim::WorldSnapshot snapshot;
  snapshot.actors.push_back(person);
  const auto record = sim::frame_record(1, 0, snapshot, pose);
  const auto& face = record["actors"][0]["face"];
  EXPECT_NEAR(face["yaw"].get<double>(), -15, 0.5);
  EXPECT_EQ(face["glasses"], true);

  auto refused = sim::parse_world_description(
      "scene: {type: plaza}\ncameras: [{}]\nactors: [{kind: car, path: [[0, 5], [0, 1]], glasses: true}]\n", "cars");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("only people"), std::string::npos) << refused.error().message;
  refused = sim::parse_world_description(
      "scene: {type: plaza}\ncameras: [{}]\nactors: [{kind: person, path: [[0, 5], [0, 1]], head_turn: 120}]\n",
      "over-turned");
  EXPECT_FALSE(refused);
}

TEST(FaceFeaturesTest, PostureFilterTakes0To90Degrees) {
  FaceCaptureSettings settings;
  settings.posture_filter = 91;
  EXPECT_FALSE(validate(settings));
  settings.posture_filter = -1;
  EXPECT_FALSE(validate(settings));
  settings.posture_filter = 0;
  EXPECT_TRUE(validate(settings));
}

}  // namespace
}  // namespace camrig::analytics
