// Face exposure: the exposure gain stage of the image pipeline brightens a dark face to the
// reference brightness within a second, without overshoot, holds it for the minimum duration after
// the face has gone and then returns to the sensor's own picture; face capture measures the faces
// on the sensor's picture of the simulated world; the settings refuse face exposure with WDR on or
// an automatic iris.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "device/analytics/face_capture.hpp"
#include "device/analytics/video_analytics.hpp"
#include "device/core/config_schema.hpp"
#include "device/media/image/image_processor.hpp"
#include "sim/world/actor_parts.hpp"
#include "sim/world/world_description.hpp"
#include "sim/world_video_source.hpp"

namespace camrig::analytics {
namespace {

using media::image::FaceExposure;
using media::image::FaceExposureSettings;
using media::image::ImageProcessor;
using media::image::ImageSettings;
using namespace std::chrono_literals;

constexpr auto kFrame = 40ms;  // 25 fps

std::shared_ptr<hal::VideoFrame> flat_frame(std::uint8_t luma, hal::Nanos time) {
  auto frame = std::make_shared<hal::VideoFrame>(64, 48);
  std::fill(frame->plane(0), frame->plane(0) + 64 * 48, luma);
  std::fill(frame->plane(1), frame->plane(1) + 32 * 24, std::uint8_t{118});  // a little colour
  std::fill(frame->plane(2), frame->plane(2) + 32 * 24, std::uint8_t{140});
  frame->timestamp = time;
  return frame;
}

TEST(FaceExposureTest, ADarkFaceIsBroughtToTheReferenceSmoothlyAndHeldForTheMinimumDuration) {
  auto exposure = std::make_shared<FaceExposure>();
  exposure->configure({true, 50, 2});  // wanted face luma 127.5, held 2 s
  ImageSettings settings;
  settings.face_exposure = exposure;
  ImageProcessor processor(nullptr, settings);

  // A face of luma 40 in every frame for 3 s; the processor follows the measures.
  int reached_at = -1;
  double last = 40;
  for (int i = 0; i < 75; ++i) {
    const hal::Nanos time = i * kFrame;
    const auto sensor = flat_frame(40, time);
    exposure->faces_measured(40, time);
    const auto processed = processor.process(sensor);
    const double luma = processed->plane(0)[0];
    EXPECT_EQ(sensor->plane(0)[0], 40) << "the sensor's frame is never changed";
    EXPECT_GE(luma, last) << "frame " << i << ": the gain only rises towards the wanted one";
    EXPECT_LE(luma, 130) << "frame " << i << ": no overshoot past the reference";
    if (reached_at < 0 && luma >= 124) reached_at = i;
    last = luma;
  }
  std::printf("face luma 40 reached 124 (reference 127.5) after %d frames\n", reached_at);
  ASSERT_GE(reached_at, 5) << "no jump: the gain takes several frames";
  EXPECT_LE(reached_at, 38) << "within 1.5 s";
  EXPECT_NEAR(last, 127.5, 2);
  const auto steady = processor.process(flat_frame(40, 75 * kFrame));
  // Chroma scales around grey with the light: 118 -> 128 - 10 * gain, 140 -> 128 + 12 * gain.
  EXPECT_NEAR(steady->plane(1)[0], 128 - 10 * 127.5 / 40, 2);
  EXPECT_NEAR(steady->plane(2)[0], 128 + 12 * 127.5 / 40, 2);

  // The face leaves after the frame at 2.96 s: held until 4.96 s, then back to the sensor's picture.
  const hal::Nanos last_face = 74 * kFrame;
  std::optional<hal::Nanos> passed_through;
  for (int i = 76; i < 76 + 150; ++i) {
    const hal::Nanos time = i * kFrame;
    const auto sensor = flat_frame(40, time);
    const auto processed = processor.process(sensor);
    if (time <= last_face + 2s) {
      EXPECT_NEAR(processed->plane(0)[0], 127.5, 2) << "held at " << time.count() / 1e9 << " s";
    } else if (processed == sensor) {
      if (!passed_through) passed_through = time;
    } else {
      EXPECT_FALSE(passed_through) << "once back to normal it stays there";
      EXPECT_LT(processed->plane(0)[0], 126) << "returning after the minimum duration";
    }
  }
  ASSERT_TRUE(passed_through) << "the exposure never returned to normal";
  std::printf("back to the sensor's picture %.2f s after the minimum duration ended\n",
              (*passed_through - last_face - 2s).count() / 1e9);
  EXPECT_LE(*passed_through - last_face - 2s, 3s);
}

TEST(FaceExposureTest, ABrightFaceIsDarkenedAndWdrOrOffLeavesThePictureAlone) {
  auto exposure = std::make_shared<FaceExposure>();
  exposure->configure({true, 40, 5});  // wanted face luma 102
  ImageSettings settings;
  settings.face_exposure = exposure;
  ImageProcessor processor(nullptr, settings);
  hal::VideoFramePtr processed;
  for (int i = 0; i < 50; ++i) {
    exposure->faces_measured(204, i * kFrame);
    processed = processor.process(flat_frame(204, i * kFrame));
  }
  EXPECT_NEAR(processed->plane(0)[0], 102, 2);

  // With WDR on the gain is not applied: only the WDR curve acts.
  settings.adjustments.wdr = true;
  processor.apply(settings);
  processed = processor.process(flat_frame(204, 50 * kFrame));
  EXPECT_EQ(processed->plane(0)[0], media::image::luma_curve(settings.adjustments)[204]);

  // Face exposure turned off: the gain goes back to 1 and the sensor's frame passes untouched.
  settings.adjustments.wdr = false;
  processor.apply(settings);
  exposure->configure({false, 40, 5});
  hal::VideoFramePtr sensor;
  for (int i = 51; i < 150; ++i) {
    exposure->faces_measured(204, i * kFrame);
    sensor = flat_frame(204, i * kFrame);
    processed = processor.process(sensor);
  }
  EXPECT_EQ(processed, sensor);
}

// A person walks up to a camera in a dim plaza and leaves the picture at ~8.3 s.
constexpr const char* kDimScene = R"(
seed: 9
scene: {type: plaza, plaza_size: 40, start_y: -5}
cameras: [{position: [0, 0], height: 2.0, pan: 0, tilt: 4, fov: 40, resolution: [640, 360]}]
lighting: {level: 0.55}
weather: {sensor_noise: 2}
actors:
  - {kind: person, path: [[0, 8], [0, 1.6]], spawn: 1}
)";

double mean_in(const hal::VideoFrame& frame, const cv::Rect& box) {
  const cv::Mat luma(frame.height(), frame.width(), CV_8UC1, const_cast<std::uint8_t*>(frame.plane(0)),
                     static_cast<std::size_t>(frame.stride(0)));
  return face_brightness(luma, {box});
}

TEST(FaceExposureTest, FaceCaptureBrightensTheDimWorldsFaceInTheProcessedPicture) {
  FaceCaptureSettings s;
  s.enabled = true;
  s.min_pupil_distance = 10;
  s.face_exposure = true;
  s.reference_brightness = 50;
  s.minimum_duration = 2;
  auto capture = FaceCapture::create(s);
  ASSERT_TRUE(capture) << capture.error().message;
  auto exposure = std::make_shared<FaceExposure>();
  (*capture)->set_face_exposure(exposure);
  EXPECT_EQ(exposure->settings(), (FaceExposureSettings{true, 50, 2}));
  ImageSettings settings;
  settings.face_exposure = exposure;
  ImageProcessor processor(nullptr, settings);
  std::vector<events::Event> captures;
  VideoAnalytics analytics({}, [&](events::Event e) { captures.push_back(std::move(e)); });
  analytics.add(*capture);

  auto description = sim::parse_world_description(kDimScene, "dim scene");
  ASSERT_TRUE(description) << description.error().message;
  auto world = sim::World::create(*description);
  ASSERT_TRUE(world) << world.error().message;
  sim::SharedWorld shared(**world);
  sim::SceneRenderer renderer((*world)->layout(), description->seed, 12.5);
  sim::WorldVideoSource source(shared, renderer, (*world)->cameras().at(0), {640, 360, {25, 1}}, sim::FramePacer{});
  std::optional<cv::Rect> truth;
  source.on_ground_truth([&](std::uint64_t, const sim::WorldSnapshot& snapshot, const sim::CameraModel& camera) {
    truth.reset();
    for (const auto& actor : snapshot.actors)
      if (const auto face = sim::face_of(actor, camera))
        if (const auto box = sim::image_box(*face, camera)) truth = cv::Rect(box->x, box->y, box->width, box->height);
  });

  std::optional<double> brightened_at, reached_at, face_gone_at, normal_at;
  double sensor_face = 0, processed_face = 0, previous_processed_face = 0, largest_drop = 0;
  std::stop_source stop;
  while (auto frame = source.read(stop.get_token())) {
    const double time = frame->timestamp.count() / 1e9;
    // As the channel pipeline does: the streams' picture first, the analytics on the sensor's.
    const auto processed = processor.process(frame);
    analytics.process(frame);
    const bool face_in_picture = truth && (*truth & cv::Rect(0, 0, 640, 360)) == *truth && truth->width >= 20;
    if (face_in_picture) {
      sensor_face = mean_in(*frame, *truth);
      processed_face = mean_in(*processed, *truth);
      if (brightened_at) largest_drop = std::max(largest_drop, previous_processed_face - processed_face);
      if (!brightened_at && processed_face > 1.5 * sensor_face) brightened_at = time;
      if (brightened_at && !reached_at && processed_face >= 0.95 * 127.5) reached_at = time;
      previous_processed_face = processed_face;
      face_gone_at.reset();
    } else if (brightened_at && !face_gone_at) {
      face_gone_at = time;
      std::printf("last face in the picture: luma %.0f on the sensor, %.0f processed\n", sensor_face, processed_face);
      EXPECT_LT(sensor_face, 80) << "the scene's face is dark";
      EXPECT_NEAR(processed_face, 127.5, 25) << "the processed face is near the reference";
    }
    if (face_gone_at && !normal_at && processed == frame) normal_at = time;
    if (normal_at || time > 20) break;
  }
  ASSERT_TRUE(brightened_at) << "the face never got brighter";
  ASSERT_TRUE(face_gone_at);
  ASSERT_TRUE(normal_at) << "the exposure never returned to normal";
  ASSERT_TRUE(reached_at) << "the face never reached the reference brightness";
  std::printf("brightened at %.2f s, at the reference at %.2f s, face gone at %.2f s, normal again at %.2f s; "
              "largest drop of the face's luma while brightening %.1f\n",
              *brightened_at, *reached_at, *face_gone_at, *normal_at, largest_drop);
  EXPECT_LE(*reached_at - *brightened_at, 1.5) << "at the reference within 1.5 s (37 frames)";
  EXPECT_LE(largest_drop, 3.0) << "the face brightens steadily: no oscillation";
  EXPECT_GE(*normal_at - *face_gone_at, 2.0) << "held for the minimum duration";
  EXPECT_LE(*normal_at - *face_gone_at, 2.0 + 3.0);

  // The capture's face picture shows the face as the stream did: brightened.
  ASSERT_EQ(captures.size(), 1u);
  const events::PictureRef* face_picture = nullptr;
  for (const auto& p : captures.front().pictures)
    if (p.kind == "face") face_picture = &p;
  ASSERT_TRUE(face_picture && face_picture->jpeg);
  const std::vector<std::uint8_t> bytes(face_picture->jpeg->begin(), face_picture->jpeg->end());
  const cv::Mat picture = cv::imdecode(bytes, cv::IMREAD_GRAYSCALE);
  ASSERT_FALSE(picture.empty());
  // A head shot is two face widths wide, the face from 0.6 of its height below the top.
  const cv::Rect face(picture.cols / 4, picture.rows * 3 / 10, picture.cols / 2, picture.rows / 2);
  const double pictured = face_brightness(picture, {face});
  std::printf("captured face picture: face luma %.0f (sensor %.0f)\n", pictured, sensor_face);
  EXPECT_GT(pictured, 1.8 * sensor_face);
}

TEST(FaceExposureTest, SettingsRefuseFaceExposureWithWdrOnOrAnAutomaticIris) {
  FaceCaptureSettings s;
  s.reference_brightness = 101;
  EXPECT_FALSE(validate(s));
  s = {};
  s.minimum_duration = 0;
  EXPECT_FALSE(validate(s));

  auto schema = core::ConfigSchema::builtin();
  ASSERT_TRUE(schema) << schema.error().message;
  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile);
  core::EventBus bus;
  auto opened = core::ConfigService::open(*schema, *profile, ":memory:", &bus);
  ASSERT_TRUE(opened) << opened.error().message;
  auto& config = **opened;
  auto defaults = face_capture_settings_from_config(config, 1);
  ASSERT_TRUE(defaults);
  EXPECT_FALSE(defaults->face_exposure);
  EXPECT_EQ(defaults->reference_brightness, 50);
  EXPECT_EQ(defaults->minimum_duration, 60);  // "The default value is 1 minute."
  FaceCaptureSettings wanted = *defaults;
  wanted.enabled = true;
  wanted.face_exposure = true;
  wanted.reference_brightness = 70;

  ASSERT_TRUE(config.set("channel.1.image.wdr", true));
  auto refused = store_face_capture_settings(config, 1, wanted);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::not_configurable);
  EXPECT_NE(refused.error().message.find("turn WDR off first"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(config.get_bool("channel.1.face_capture.enabled")) << "nothing of the refused change is stored";

  ASSERT_TRUE(config.set("channel.1.image.wdr", false));
  ASSERT_TRUE(config.set("channel.1.image.iris_mode", std::string("auto")));
  refused = store_face_capture_settings(config, 1, wanted);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("manual iris"), std::string::npos) << refused.error().message;

  ASSERT_TRUE(config.set("channel.1.image.iris_mode", std::string("manual")));
  ASSERT_TRUE(store_face_capture_settings(config, 1, wanted));
  auto stored = face_capture_settings_from_config(config, 1);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->face_exposure);
  EXPECT_EQ(stored->reference_brightness, 70);
  // While face exposure is on, WDR and the iris mode stay as it needs them.
  auto wdr = config.set("channel.1.image.wdr", true);
  ASSERT_FALSE(wdr);
  EXPECT_NE(wdr.error().message.find("turn face exposure off first"), std::string::npos) << wdr.error().message;
  EXPECT_FALSE(config.set("channel.1.image.iris_mode", std::string("auto")));
  wanted.face_exposure = false;
  ASSERT_TRUE(store_face_capture_settings(config, 1, wanted));
  EXPECT_TRUE(config.set("channel.1.image.wdr", true));
}

}  // namespace
}  // namespace camrig::analytics
