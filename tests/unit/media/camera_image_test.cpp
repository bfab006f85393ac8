// Camera level: an image setting changed through the config service (as ISAPI does) shows in
// the next encoded frames of the running stream, with no restart of the channel or encoder.
#include <chrono>
#include <optional>

#include <gtest/gtest.h>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "tests/support/loopback_camera.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/media/stream_watcher.hpp"

namespace camrig {
namespace {

using namespace std::chrono_literals;

// A grey 1080p sensor paced by the clock.
class GreySource final : public hal::VideoSource {
 public:
  explicit GreySource(hal::Clock& clock) : clock_(clock) {}
  hal::VideoFormat format() const override { return {1920, 1080, {25, 1}}; }
  hal::VideoFramePtr read(std::stop_token stop) override {
    if (!clock_.sleep_until(next_, stop)) return nullptr;
    auto frame = std::make_shared<hal::VideoFrame>(1920, 1080);
    std::fill_n(frame->plane(0), frame->size_bytes(), std::uint8_t{128});
    frame->timestamp = clock_.now();
    frame->sequence = sequence_++;
    next_ = frame->timestamp + 40ms;
    return frame;
  }

 private:
  hal::Clock& clock_;
  hal::Nanos next_{0};
  std::uint64_t sequence_ = 0;
};

// Mean luma of a band across the middle rows, away from the OSD lines.
double mean_luma(const testing::DecodedPicture& picture, double x0, double x1) {
  double sum = 0;
  int count = 0;
  for (int y = picture.height * 2 / 5; y < picture.height * 3 / 5; ++y)
    for (int x = static_cast<int>(x0 * picture.width); x < static_cast<int>(x1 * picture.width); ++x, ++count)
      sum += picture.luma[static_cast<std::size_t>(y * picture.width + x)];
  return sum / std::max(count, 1);
}

using testing::StreamWatcher;

//! The first picture, within `frames`, whose left half is black: the mask reached the stream.
std::optional<testing::DecodedPicture> first_masked(StreamWatcher& watcher, int frames) {
  for (int frame = 0; frame < frames; ++frame) {
    auto picture = watcher.next_picture();
    if (!picture) return std::nullopt;
    if (mean_luma(*picture, 0.05, 0.45) < 30) return picture;
  }
  return std::nullopt;
}

std::vector<core::ConfigService::Change> left_half_mask(int channel) {
  const auto key = [channel](const char* field) { return "channel." + std::to_string(channel) + ".privacy_mask." + field; };
  return {{key("enabled"), true}, {key("1.enabled"), true}, {key("1.x"), 0.0},
          {key("1.y"), 0.0},      {key("1.width"), 0.5},    {key("1.height"), 1.0}};
}

TEST(CameraImage, EachChannelOfThePtzCameraHasItsOwnImageSettings) {
  core::RealtimeClock clock(hal::WallTime{std::chrono::seconds(1767254400)});
  GreySource ptz_sensor(clock);
  GreySource panoramic_sensor(clock);
  auto profile = core::DeviceProfile::builtin("smart-linkage-ptz");
  ASSERT_TRUE(profile);
  auto options = test::loopback_camera_options(test::free_tcp_port(), test::free_tcp_port(), "");
  options.settings.emplace_back("stream.101.enabled", "false");
  options.settings.emplace_back("stream.201.enabled", "false");
  auto started = camera::Camera::start(*profile, {&clock, {{1, &ptz_sensor}, {2, &panoramic_sensor}}}, options);
  ASSERT_TRUE(started) << started.error().message;
  auto& camera = **started;
  EXPECT_EQ(camera.config().get_string("channel.1.osd.name.text"), "PTZ");
  EXPECT_EQ(camera.config().get_string("channel.2.osd.name.text"), "Panoramic");

  StreamWatcher ptz(camera.stream(102));
  StreamWatcher panoramic(camera.stream(202));
  ASSERT_TRUE(camera.config().apply(left_half_mask(2)));
  const auto masked = first_masked(panoramic, 100);
  ASSERT_TRUE(masked) << "the panoramic channel's mask never reached stream 202";
  EXPECT_NEAR(mean_luma(*masked, 0.55, 0.95), 128, 8);
  // The PTZ channel has its own, still disabled, mask.
  const auto unmasked = ptz.next_picture();
  ASSERT_TRUE(unmasked);
  EXPECT_NEAR(mean_luma(*unmasked, 0.05, 0.45), 128, 8);
  EXPECT_FALSE(camera.config().get_bool("channel.1.privacy_mask.enabled"));
  camera.stop();
}

TEST(CameraImage, PrivacyMaskChangeReachesTheRunningStreamWithoutRestart) {
  core::RealtimeClock clock(hal::WallTime{std::chrono::seconds(1767254400)});
  GreySource sensor(clock);
  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile);
  auto options = test::loopback_camera_options(test::free_tcp_port(), test::free_tcp_port(), "");
  options.settings.emplace_back("stream.101.enabled", "false");
  auto started = camera::Camera::start(*profile, {&clock, {{1, &sensor}}}, options);
  ASSERT_TRUE(started) << started.error().message;
  auto& camera = **started;

  auto hub = camera.stream(102);
  ASSERT_TRUE(hub);
  StreamWatcher watcher(hub);
  const auto next_picture = [&] { return watcher.next_picture(); };

  auto before = next_picture();
  ASSERT_TRUE(before);
  EXPECT_NEAR(mean_luma(*before, 0.05, 0.45), 128, 8);
  const auto description = hub->description();

  ASSERT_TRUE(camera.config().apply({{"channel.1.privacy_mask.enabled", true},
                                     {"channel.1.privacy_mask.1.enabled", true},
                                     {"channel.1.privacy_mask.1.x", 0.0},
                                     {"channel.1.privacy_mask.1.y", 0.0},
                                     {"channel.1.privacy_mask.1.width", 0.5},
                                     {"channel.1.privacy_mask.1.height", 1.0}}));
  std::optional<testing::DecodedPicture> masked;
  for (int frames = 0; frames < 100; ++frames) {
    auto picture = next_picture();
    ASSERT_TRUE(picture) << "the stream stopped after the change";
    if (mean_luma(*picture, 0.05, 0.45) < 30) {
      masked = std::move(picture);
      break;
    }
  }
  ASSERT_TRUE(masked) << "the mask never reached the encoded stream";
  EXPECT_NEAR(mean_luma(*masked, 0.55, 0.95), 128, 8);
  // Same encoder: it was not reopened for the change.
  EXPECT_EQ(hub->description()->generation, description->generation);

  // Rotate turns the channel's picture and with it the stream: 640x360 is sent as 360x640.
  ASSERT_TRUE(camera.config().set("channel.1.image.rotate", true));
  std::optional<testing::DecodedPicture> turned;
  for (int frames = 0; frames < 100 && !turned; ++frames) {
    auto picture = next_picture();
    ASSERT_TRUE(picture) << "the stream stopped after rotate";
    if (picture->width == 360) turned = std::move(picture);
  }
  ASSERT_TRUE(turned) << "the rotated size never reached the stream";
  EXPECT_EQ(turned->height, 640);
  // The mask covers the left half of the turned picture.
  EXPECT_LT(mean_luma(*turned, 0.05, 0.45), 30);
  EXPECT_NEAR(mean_luma(*turned, 0.55, 0.95), 128, 8);
  watcher.stop();
  camera.stop();
}

}  // namespace
}  // namespace camrig
