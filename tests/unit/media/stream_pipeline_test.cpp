#include "device/media/stream_pipeline.hpp"

#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "sim/road_scene_source.hpp"
#include "tests/unit/media/test_decoder.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::media {
namespace {

using test::LockstepTestClock;
using testing::TestDecoder;

StreamSettings stream(int width, int height, hal::Rational rate) {
  StreamSettings settings;
  settings.width = width;
  settings.height = height;
  settings.frame_rate = rate;
  settings.max_bitrate_kbps = 1024;
  settings.i_frame_interval = 50;
  return settings;
}

// Collects every packet the hub publishes, as a consumer (RTSP session) would.
class Collector {
 public:
  explicit Collector(StreamHub& hub)
      : subscription_(hub.subscribe([this](const EncodedPacketPtr& packet) {
          std::lock_guard lock(mutex_);
          packets_.push_back(packet);
        })) {}
  std::vector<EncodedPacketPtr> packets() const {
    std::lock_guard lock(mutex_);
    return packets_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<EncodedPacketPtr> packets_;
  StreamHub::Subscription subscription_;
};

class StreamPipelineTest : public ::testing::Test {
 protected:
  hal::VideoFramePtr sensor_frame(std::uint64_t index) { return scene_.render(index, clock_.wall_time()); }

  LockstepTestClock clock_;
  sim::RoadSceneSource scene_{sim::RoadSceneOptions{{640, 360, {25, 1}}, 21, 4}, clock_, {}};
};

TEST_F(StreamPipelineTest, DecimatesTwentyFiveToTenFramesPerSecond) {
  StreamPipeline pipeline("102", stream(640, 360, {10, 1}), clock_);
  Collector collector(*pipeline.hub());
  constexpr int seconds = 4;
  for (std::uint64_t n = 0; n < 25 * seconds; ++n) pipeline.process(sensor_frame(n));

  std::map<std::int64_t, int> per_second;
  for (const auto& packet : collector.packets()) ++per_second[packet->timestamp.count() / 1'000'000'000];
  ASSERT_EQ(per_second.size(), static_cast<std::size_t>(seconds));
  for (const auto& [second, count] : per_second) EXPECT_NEAR(count, 10, 1) << "second " << second;
  const auto counters = pipeline.counters();
  EXPECT_EQ(counters.frames_in, 100u);
  EXPECT_EQ(counters.frames_encoded + counters.frames_skipped, 100u);
  EXPECT_EQ(counters.frames_encoded, collector.packets().size());
  // The kept frames are the sensor frames nearest to every 100 ms, presented on the stream's own
  // grid: exactly 100 ms apart, so a client sees a regular 10 fps stream.
  const auto packets = collector.packets();
  for (std::size_t i = 1; i < packets.size(); ++i) {
    const auto gap = packets[i]->timestamp - packets[i - 1]->timestamp;
    EXPECT_EQ(gap, hal::Nanos{100'000'000}) << "packet " << i;
  }
}

TEST_F(StreamPipelineTest, SameRateKeepsEveryFrame) {
  StreamPipeline pipeline("101", stream(640, 360, {25, 1}), clock_);
  for (std::uint64_t n = 0; n < 20; ++n) pipeline.process(sensor_frame(n));
  EXPECT_EQ(pipeline.counters().frames_encoded, 20u);
  EXPECT_EQ(pipeline.counters().frames_skipped, 0u);
}

TEST_F(StreamPipelineTest, ScalesToTheStreamSize) {
  StreamPipeline pipeline("102", stream(320, 180, {25, 1}), clock_);
  Collector collector(*pipeline.hub());
  for (std::uint64_t n = 0; n < 3; ++n) pipeline.process(sensor_frame(n));
  const auto description = pipeline.hub()->description();
  ASSERT_TRUE(description.has_value());
  EXPECT_EQ(description->width, 320);
  TestDecoder decoder(VideoCodec::h264);
  for (const auto& packet : collector.packets()) {
    for (const auto& picture : decoder.decode(packet->data)) EXPECT_EQ(picture.width, 320);
  }
}

TEST_F(StreamPipelineTest, AppliedResolutionTakesEffectOnTheNextFrame) {
  StreamPipeline pipeline("101", stream(640, 360, {25, 1}), clock_);
  Collector collector(*pipeline.hub());
  for (std::uint64_t n = 0; n < 5; ++n) pipeline.process(sensor_frame(n));
  const auto before = pipeline.hub()->description();
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->width, 640);

  pipeline.apply(stream(320, 180, {25, 1}));
  EXPECT_EQ(pipeline.settings().width, 320);
  for (std::uint64_t n = 5; n < 10; ++n) pipeline.process(sensor_frame(n));
  const auto after = pipeline.hub()->description();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->generation, before->generation + 1);
  EXPECT_EQ(after->width, 320);
  EXPECT_EQ(after->height, 180);

  // One continuous stream for the consumer: the size switches at a keyframe and decodes.
  const auto packets = collector.packets();
  ASSERT_EQ(packets.size(), 10u);
  EXPECT_TRUE(packets[5]->keyframe);
  TestDecoder decoder(VideoCodec::h264);
  std::vector<std::pair<int, int>> sizes;
  for (const auto& packet : packets) {
    for (const auto& picture : decoder.decode(packet->data)) sizes.emplace_back(picture.width, picture.height);
  }
  for (const auto& picture : decoder.flush()) sizes.emplace_back(picture.width, picture.height);
  ASSERT_EQ(sizes.size(), 10u);
  EXPECT_EQ(sizes[4], (std::pair{640, 360}));
  EXPECT_EQ(sizes[5], (std::pair{320, 180}));
  EXPECT_EQ(sizes[9], (std::pair{320, 180}));
}

TEST_F(StreamPipelineTest, UnchangedSettingsDoNotReopenTheEncoder) {
  StreamPipeline pipeline("101", stream(640, 360, {25, 1}), clock_);
  pipeline.process(sensor_frame(0));
  pipeline.apply(stream(640, 360, {25, 1}));
  pipeline.process(sensor_frame(1));
  EXPECT_EQ(pipeline.hub()->description()->generation, 0u);
}

TEST_F(StreamPipelineTest, NewSubscriberGetsAKeyframeAtOnce) {
  StreamPipeline pipeline("101", stream(640, 360, {25, 1}), clock_);
  for (std::uint64_t n = 0; n < 5; ++n) pipeline.process(sensor_frame(n));
  Collector late(*pipeline.hub());
  pipeline.process(sensor_frame(5));
  const auto packets = late.packets();
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_TRUE(packets.front()->keyframe);
  EXPECT_EQ(packets.front()->timestamp, hal::Nanos{200'000'000});
}

TEST_F(StreamPipelineTest, EncoderErrorIsSurvivedAndTheStreamRecovers) {
  StreamPipeline pipeline("101", stream(640, 360, {25, 1}), clock_);
  pipeline.process(sensor_frame(0));
  auto broken = stream(640, 360, {25, 1});
  broken.encoding_profile = "no-such-profile";
  pipeline.apply(broken);
  for (std::uint64_t n = 1; n < 4; ++n) pipeline.process(sensor_frame(n));
  EXPECT_EQ(pipeline.counters().frames_failed, 3u);
  EXPECT_EQ(pipeline.counters().frames_encoded, 1u);

  pipeline.apply(stream(640, 360, {25, 1}));
  pipeline.process(sensor_frame(4));
  EXPECT_EQ(pipeline.counters().frames_encoded, 2u);
  EXPECT_EQ(pipeline.hub()->description()->width, 640);
}

TEST_F(StreamPipelineTest, DisabledStreamEncodesNothing) {
  auto settings = stream(640, 360, {25, 1});
  settings.enabled = false;
  StreamPipeline pipeline("103", settings, clock_);
  for (std::uint64_t n = 0; n < 5; ++n) pipeline.process(sensor_frame(n));
  EXPECT_EQ(pipeline.counters().frames_skipped, 5u);
  EXPECT_FALSE(pipeline.hub()->description().has_value());
}

TEST_F(StreamPipelineTest, UsesTheHubItIsGiven) {
  auto hub = std::make_shared<StreamHub>();
  StreamPipeline pipeline("101", stream(640, 360, {25, 1}), clock_, hub);
  EXPECT_EQ(pipeline.hub(), hub);
  pipeline.process(sensor_frame(0));
  EXPECT_TRUE(hub->description().has_value());
}

}  // namespace
}  // namespace camrig::media
