#include "device/media/channel_pipeline.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "sim/road_scene_source.hpp"
#include "tests/support/lockstep_test_clock.hpp"

namespace camrig::media {
namespace {

using test::LockstepTestClock;

// The road scene, ending after `frames` frames (a clip) or never (frames < 0).
class ClipSource final : public hal::VideoSource {
 public:
  ClipSource(const hal::Clock& clock, int frames)
      : scene_(sim::RoadSceneOptions{{640, 360, {25, 1}}, 5, 4}, clock, {}), frames_(frames) {}
  hal::VideoFormat format() const override { return scene_.format(); }
  hal::VideoFramePtr read(std::stop_token stop) override {
    if (frames_ >= 0 && read_ >= frames_) return nullptr;
    auto frame = scene_.read(stop);
    if (frame) ++read_;
    return frame;
  }

 private:
  sim::RoadSceneSource scene_;
  int frames_;
  int read_ = 0;
};

StreamSettings stream(int width, int height) {
  StreamSettings settings;
  settings.width = width;
  settings.height = height;
  settings.frame_rate = {25, 1};
  settings.max_bitrate_kbps = 1024;
  settings.i_frame_interval = 25;
  return settings;
}

class PacketCounter {
 public:
  explicit PacketCounter(StreamHub& hub)
      : subscription_(hub.subscribe([this](const EncodedPacketPtr&) {
          {
            std::lock_guard lock(mutex_);
            ++count_;
          }
          changed_.notify_all();
        })) {}
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return count_;
  }
  void wait_for_at_least(std::size_t wanted) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return count_ >= wanted; });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t count_ = 0;
  StreamHub::Subscription subscription_;
};

TEST(ChannelPipeline, LockstepLosesNoFrameOnAnyStream) {
  LockstepTestClock clock;
  ClipSource source(clock, 60);
  auto main_stream = std::make_shared<StreamPipeline>("101", stream(640, 360), clock);
  auto sub_stream = std::make_shared<StreamPipeline>("102", stream(320, 180), clock);
  PacketCounter main_packets(*main_stream->hub());
  PacketCounter sub_packets(*sub_stream->hub());

  ChannelPipeline channel(source, {main_stream, sub_stream}, ChannelPipelineOptions{.drop_when_busy = false});
  channel.wait_until_drained();

  EXPECT_TRUE(channel.source_ended());
  const auto counters = channel.counters();
  EXPECT_EQ(counters.frames_read, 60u);
  EXPECT_EQ(counters.frames_dropped, (std::vector<std::uint64_t>{0, 0}));
  EXPECT_EQ(main_packets.count(), 60u);
  EXPECT_EQ(sub_packets.count(), 60u);
  EXPECT_EQ(main_stream->counters().frames_in, 60u);
}

TEST(ChannelPipeline, RealtimeAccountsForEveryFrameAsEncodedOrDropped) {
  LockstepTestClock clock;
  ClipSource source(clock, 40);
  auto main_stream = std::make_shared<StreamPipeline>("101", stream(640, 360), clock);
  ChannelPipeline channel(source, {main_stream}, ChannelPipelineOptions{.drop_when_busy = true});
  channel.wait_until_drained();
  const auto counters = channel.counters();
  ASSERT_EQ(counters.frames_dropped.size(), 1u);
  EXPECT_EQ(counters.frames_read, 40u);
  // The unpaced source outruns the encoder, so some frames may go; none vanish uncounted.
  EXPECT_EQ(main_stream->counters().frames_in + counters.frames_dropped[0], 40u);
}

TEST(ChannelPipeline, DestroyingARunningChannelIsClean) {
  LockstepTestClock clock;
  for (const bool drop_when_busy : {true, false}) {
    ClipSource endless(clock, -1);
    auto main_stream = std::make_shared<StreamPipeline>("101", stream(640, 360), clock);
    auto sub_stream = std::make_shared<StreamPipeline>("102", stream(320, 180), clock);
    PacketCounter packets(*main_stream->hub());
    {
      ChannelPipeline channel(endless, {main_stream, sub_stream}, ChannelPipelineOptions{.drop_when_busy = drop_when_busy});
      packets.wait_for_at_least(5);
    }
    // After destruction nothing runs any more: the counts stay put.
    const auto frames_in = main_stream->counters().frames_in;
    const auto published = packets.count();
    EXPECT_GE(published, 5u);
    EXPECT_EQ(main_stream->counters().frames_in, frames_in);
    EXPECT_EQ(packets.count(), published);
  }
}

TEST(ChannelPipeline, StopIsIdempotentAndSafeRightAfterStart) {
  LockstepTestClock clock;
  ClipSource endless(clock, -1);
  auto main_stream = std::make_shared<StreamPipeline>("101", stream(640, 360), clock);
  ChannelPipeline channel(endless, {main_stream});
  channel.stop();
  channel.stop();
  channel.wait_until_drained();  // returns: the reader is done
  EXPECT_FALSE(channel.source_ended());
}

TEST(ChannelPipeline, SettingsAppliedWhileRunningReachTheStream) {
  LockstepTestClock clock;
  ClipSource source(clock, 30);
  auto main_stream = std::make_shared<StreamPipeline>("101", stream(640, 360), clock);
  PacketCounter packets(*main_stream->hub());
  ChannelPipeline channel(source, {main_stream}, ChannelPipelineOptions{.drop_when_busy = false});
  packets.wait_for_at_least(3);
  main_stream->apply(stream(320, 180));
  channel.wait_until_drained();
  const auto description = main_stream->hub()->description();
  ASSERT_TRUE(description.has_value());
  EXPECT_EQ(description->width, 320);
  EXPECT_EQ(description->generation, 1u);
  EXPECT_EQ(packets.count(), 30u);
}

}  // namespace
}  // namespace camrig::media
