// The video analytics of one channel: takes the sensor's frames (a media::FrameConsumer on the
// channel pipeline), keeps them at its own rate, downscales them once, updates the channel's
// one background model and runs the channel's detectors in order on the result.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "device/analytics/detector.hpp"
#include "device/media/frame_consumer.hpp"

namespace cv {
class BackgroundSubtractor;
}

namespace camrig::analytics {

struct VideoAnalyticsOptions {
  int channel = 1;
  //! Width of the analysis picture; the height keeps the sensor's aspect (even).
  int analysis_width = 640;
  //! Frames analysed per second at most; frames in between are skipped (by capture time, so the
  //! same frames are analysed in every run).
  double max_rate = 12.5;
  //! Frames the background model learns before the foreground mask is given to detectors.
  int learning_frames = 25;
  //! With a clock (the device's; must outlive the analytics), detectors hear of a source that
  //! stops delivering frames (Detector::no_frames), checked this often once frames have come.
  hal::Clock* clock = nullptr;
  double silence_check_seconds = 0.5;
};

struct VideoAnalyticsCounters {
  std::uint64_t frames_offered = 0;
  std::uint64_t frames_analysed = 0;
  std::chrono::nanoseconds last_duration{0};  //!< downscale + background + every detector, last frame
};

class VideoAnalytics : public media::FrameConsumer {
 public:
  VideoAnalytics(VideoAnalyticsOptions options, EventSink sink);
  ~VideoAnalytics() override;

  //! Adds a detector; call before the channel pipeline starts handing frames.
  void add(std::shared_ptr<Detector> detector);
  void process(const hal::VideoFramePtr& frame) override;

  VideoAnalyticsCounters counters() const;
  const VideoAnalyticsOptions& options() const { return options_; }

 private:
  struct Watch;
  void check_silence(const std::shared_ptr<Watch>& watch);

  VideoAnalyticsOptions options_;
  EventSink sink_;
  std::vector<std::shared_ptr<Detector>> detectors_;
  cv::Ptr<cv::BackgroundSubtractor> background_;
  int learned_ = 0;
  hal::Nanos next_due_{0};
  bool started_ = false;

  mutable std::mutex counters_mutex_;
  VideoAnalyticsCounters counters_;

  //! Held while detectors run, so no_frames() never meets analyse().
  std::mutex run_mutex_;
  std::atomic<std::int64_t> last_frame_{0};  //!< capture time of the last frame offered, ns
  std::shared_ptr<Watch> watch_;             //!< the silence timer; null without a clock
};

}  // namespace camrig::analytics
