// One video channel: a reader thread pulls frames from the channel's sensor and hands the same
// shared frame to each of its streams, which encode in parallel on their own worker threads.
// Owns those threads and the bounded frame queues between them; one shutdown path (stop()).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/hal/video_source.hpp"
#include "device/media/image/image_processor.hpp"
#include "device/media/stream_pipeline.hpp"

namespace camrig::media {

struct ChannelPipelineOptions {
  //! true (realtime): a stream that falls behind loses its oldest queued frame, counted in
  //! frames_dropped, and the sensor never waits. false (lockstep): the reader waits until the
  //! stream takes the frame, so no frame is lost and the output is repeatable.
  bool drop_when_busy = true;
  //! Frames queued per stream: two lets the reader run one frame ahead of a busy encoder
  //! without adding more than a frame of latency.
  std::size_t queue_depth = 2;
  //! Wall time of the OSD and of scheduled day/night; must outlive the pipeline. Optional.
  const hal::Clock* clock = nullptr;
  //! The channel's image settings (OSD, privacy masks, ...), applied before any stream sees a frame.
  image::ImageSettings image{};
  //! Consumers of the sensor's own picture, before image settings, masks and OSD: the video
  //! analytics (a clock drawn into the picture must not look like motion). Queued and dropped
  //! (or waited for, in lockstep) exactly as the streams are.
  std::vector<std::shared_ptr<FrameConsumer>> sensor_consumers{};
};

struct ChannelCounters {
  std::uint64_t frames_read = 0;
  //! Per stream, in the order the streams were given, then per sensor consumer: frames lost to
  //! a full queue.
  std::vector<std::uint64_t> frames_dropped;
};

class ChannelPipeline {
 public:
  //! Starts reading at once. `source` must outlive the pipeline; the streams are shared so that
  //! settings can be applied to them while the channel runs.
  ChannelPipeline(hal::VideoSource& source, std::vector<std::shared_ptr<StreamPipeline>> streams,
                  ChannelPipelineOptions options = {});
  ~ChannelPipeline();

  ChannelPipeline(const ChannelPipeline&) = delete;
  ChannelPipeline& operator=(const ChannelPipeline&) = delete;

  //! Stops reading and encoding and joins every thread; queued frames are discarded. Idempotent;
  //! the destructor calls it.
  void stop();

  //! Blocks until the source has ended (video loss or end of file) and every stream has
  //! processed the frames queued before it, or until stop(). A source that never ends never
  //! returns here: this is for finite sources (files, lockstep runs).
  void wait_until_drained();

  //! True once the source reported the end of its video (not because of stop()).
  bool source_ended() const;

  const std::vector<std::shared_ptr<StreamPipeline>>& streams() const { return streams_; }
  //! New image settings for every stream of the channel, together from the next frame on.
  void apply_image(image::ImageSettings settings) { image_.apply(std::move(settings)); }
  const image::ImageProcessor& image() const { return image_; }
  //! The last frame the sensor delivered (for snapshots); null before the first one.
  hal::VideoFramePtr latest_frame() const;
  ChannelCounters counters() const;

 private:
  struct Worker {
    std::shared_ptr<FrameConsumer> consumer;
    bool takes_sensor_picture = false;  // before image processing
    mutable std::mutex mutex;
    // Signals both directions: a frame queued (worker wakes) and a slot freed (reader wakes).
    std::condition_variable_any changed;
    std::deque<hal::VideoFramePtr> queue;
    bool busy = false;
    bool exited = false;
    std::uint64_t dropped = 0;
    std::jthread thread;
  };

  void read_frames(std::stop_token stop);
  void hand_over(Worker& worker, const hal::VideoFramePtr& frame, std::stop_token stop);
  static void run_consumer(Worker& worker, std::stop_token stop);

  hal::VideoSource& source_;
  const std::vector<std::shared_ptr<StreamPipeline>> streams_;
  const ChannelPipelineOptions options_;
  std::vector<std::unique_ptr<Worker>> workers_;
  image::ImageProcessor image_;  // used by the reader thread only, apart from apply()

  mutable std::mutex state_mutex_;
  std::condition_variable reader_finished_;
  bool reader_done_ = false;
  bool source_ended_ = false;
  std::uint64_t frames_read_ = 0;
  hal::VideoFramePtr latest_frame_;

  std::mutex stop_mutex_;
  std::jthread reader_;
};

}  // namespace camrig::media
