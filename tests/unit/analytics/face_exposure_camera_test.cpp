// Camera level: with face capture and face exposure on, a dim sensor picture with a moving face
// comes out of the running stream brighter, and stays so when another image setting is changed
// (the camera keeps the channel's face exposure stage through image setting changes).
#include <chrono>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "sim/render/textures.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/media/stream_watcher.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

constexpr int kWidth = 1280, kHeight = 720;
constexpr std::uint8_t kBackground = 30;

// A dim 720p sensor paced by the clock: a dark grey wall with a rendered face, in shadow, moving
// left and right across the middle (the face detector looks where things move).
class DimFaceSource final : public hal::VideoSource {
 public:
  explicit DimFaceSource(hal::Clock& clock) : clock_(clock) {
    const auto texture = sim::render::face_texture(42);
    const cv::Mat luma(texture.height, texture.width, CV_8UC1, const_cast<std::uint8_t*>(texture.y.data()));
    const cv::Mat alpha(texture.height, texture.width, CV_8UC1, const_cast<std::uint8_t*>(texture.alpha.data()));
    cv::resize(luma * 0.5, face_, {}, 1.6, 1.6, cv::INTER_CUBIC);
    cv::resize(alpha, mask_, {}, 1.6, 1.6, cv::INTER_LINEAR);
    mask_ = mask_ > 128;
  }
  hal::VideoFormat format() const override { return {kWidth, kHeight, {25, 1}}; }
  hal::VideoFramePtr read(std::stop_token stop) override {
    if (!clock_.sleep_until(next_, stop)) return nullptr;
    auto frame = std::make_shared<hal::VideoFrame>(kWidth, kHeight);
    std::fill_n(frame->plane(0), frame->size_bytes(), std::uint8_t{128});
    cv::Mat luma(kHeight, kWidth, CV_8UC1, frame->plane(0), static_cast<std::size_t>(frame->stride(0)));
    luma.setTo(kBackground);
    const int travel = kWidth / 2 - face_.cols;
    const int step = static_cast<int>(sequence_ % 100);
    const int x = kWidth / 4 + (step < 50 ? step : 100 - step) * travel / 50;
    face_.copyTo(luma(cv::Rect(x, kHeight / 3, face_.cols, face_.rows)), mask_);
    frame->timestamp = clock_.now();
    frame->sequence = sequence_++;
    next_ = frame->timestamp + 40ms;
    return frame;
  }

 private:
  hal::Clock& clock_;
  cv::Mat face_, mask_;
  hal::Nanos next_{0};
  std::uint64_t sequence_ = 0;
};

// Mean luma of the wall along the bottom, below where the face moves and above the OSD's name.
double wall_luma(const testing::DecodedPicture& picture) {
  double sum = 0;
  int count = 0;
  for (int y = picture.height * 3 / 4; y < picture.height * 17 / 20; ++y)
    for (int x = picture.width / 10; x < picture.width / 2; ++x, ++count)
      sum += picture.luma[static_cast<std::size_t>(y * picture.width + x)];
  return sum / std::max(count, 1);
}

TEST(FaceExposureCamera, TheStreamOfADimFaceGetsBrighterAndStaysSoThroughOtherImageChanges) {
  core::RealtimeClock clock(hal::WallTime{std::chrono::seconds(1767254400)});
  DimFaceSource sensor(clock);
  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile);
  auto options = test::loopback_camera_options(test::free_tcp_port(), test::free_tcp_port(), "");
  options.settings.emplace_back("stream.101.enabled", "false");
  auto started = camera::Camera::start(*profile, {&clock, {{1, &sensor}}}, options);
  ASSERT_TRUE(started) << started.error().message;
  auto& camera = **started;

  auto hub = camera.stream(102);
  ASSERT_TRUE(hub);
  testing::StreamWatcher watcher(hub);
  const auto next_picture = [&] { return watcher.next_picture(); };
  auto before = next_picture();
  ASSERT_TRUE(before);
  EXPECT_NEAR(wall_luma(*before), kBackground, 4);

  ASSERT_TRUE(camera.config().apply({{"channel.1.face_capture.enabled", true},
                                     {"channel.1.face_capture.min_pupil_distance", std::int64_t{10}},
                                     {"channel.1.face_capture.face_exposure", true},
                                     {"channel.1.face_capture.reference_brightness", std::int64_t{50}}}));
  // The face's luma is ~75: the wanted gain is ~1.7, so the wall goes from 30 towards ~51.
  std::optional<double> brightened;
  for (int frames = 0; frames < 250 && !brightened; ++frames) {
    auto picture = next_picture();
    ASSERT_TRUE(picture) << "the stream stopped";
    if (wall_luma(*picture) > 1.5 * kBackground) brightened = wall_luma(*picture);
  }
  ASSERT_TRUE(brightened) << "face exposure never brightened the stream";
  std::printf("the wall's luma in the stream went from %.0f to %.0f\n", wall_luma(*before), *brightened);

  // Another image setting changes: the processor takes a new set, face exposure stays in it.
  ASSERT_TRUE(camera.config().set("channel.1.image.sharpness", std::int64_t{55}));
  for (int frames = 0; frames < 50; ++frames) {
    auto picture = next_picture();
    ASSERT_TRUE(picture) << "the stream stopped after the change";
    EXPECT_GT(wall_luma(*picture), 1.5 * kBackground) << "frame " << frames << " after the sharpness change";
  }
  camera.stop();
}

}  // namespace
}  // namespace camrig
