// Camera level: an image setting changed through the config service (as ISAPI does) shows in
// the next encoded frames of the running stream, with no restart of the channel or encoder.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>

#include "device/camera/camera.hpp"
#include "device/core/realtime_clock.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/media/test_decoder.hpp"

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

class PacketQueue {
 public:
  void push(const media::EncodedPacketPtr& packet) {
    {
      std::lock_guard lock(mutex_);
      packets_.push_back(packet);
    }
    changed_.notify_all();
  }
  media::EncodedPacketPtr pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return !packets_.empty(); })) return nullptr;
    auto packet = packets_.front();
    packets_.pop_front();
    return packet;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<media::EncodedPacketPtr> packets_;
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

TEST(CameraImage, PrivacyMaskChangeReachesTheRunningStreamWithoutRestart) {
  core::RealtimeClock clock(hal::WallTime{std::chrono::seconds(1767254400)});
  GreySource sensor(clock);
  auto profile = core::DeviceProfile::builtin("network-camera");
  ASSERT_TRUE(profile);
  camera::CameraOptions options;
  options.rtsp_bind_address = "127.0.0.1";
  options.http_bind_address = "127.0.0.1";
  options.settings = {{"network.rtsp_port", std::to_string(test::free_tcp_port())},
                      {"network.http_port", std::to_string(test::free_tcp_port())},
                      {"stream.101.enabled", "false"}};
  auto started = camera::Camera::start(*profile, {&clock, {{1, &sensor}}}, options);
  ASSERT_TRUE(started) << started.error().message;
  auto& camera = **started;

  PacketQueue queue;
  auto hub = camera.stream(102);
  ASSERT_TRUE(hub);
  auto subscription = hub->subscribe([&](const media::EncodedPacketPtr& packet) { queue.push(packet); });
  testing::TestDecoder decoder(media::VideoCodec::h264);
  const auto next_picture = [&]() -> std::optional<testing::DecodedPicture> {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto packet = queue.pop(1s);
      if (!packet) continue;
      auto pictures = decoder.decode(packet->data);
      if (!pictures.empty()) return pictures.back();
    }
    return std::nullopt;
  };

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
  subscription.reset();
  camera.stop();
}

}  // namespace
}  // namespace camrig
