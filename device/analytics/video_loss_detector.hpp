// Video loss (network camera 6.2.5) as the analytics see it: the sensor keeps delivering the
// very same picture (a frozen source; a live sensor's noise makes every frame differ), or no
// picture at all (the source stopped). The alarm ends with the first frame that differs.
#pragma once

#include <mutex>
#include <string_view>

#include "device/analytics/detector.hpp"
#include "device/core/result.hpp"

namespace camrig::analytics {

struct VideoLossSettings {
  bool enabled = false;
  double frozen_seconds = 3.0;  //!< identical pictures, or none, for this long: video loss
};

Result<void> validate(const VideoLossSettings& settings);

class VideoLossDetector final : public Detector {
 public:
  explicit VideoLossDetector(VideoLossSettings settings = {});

  std::string_view name() const override { return "video loss"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;
  void no_frames(int channel, hal::Nanos now, hal::Nanos silence, const EventSink& sink) override;

  Result<void> configure(const VideoLossSettings& settings);
  VideoLossSettings settings() const;
  bool active() const;

 private:
  mutable std::mutex mutex_;
  VideoLossSettings settings_;
  cv::Mat previous_;
  hal::Nanos unchanged_since_{0};
  bool active_ = false;
};

}  // namespace camrig::analytics
