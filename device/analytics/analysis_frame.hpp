// What every video detector sees of one sensor frame: a downscaled luma copy at the analysis
// size, the foreground mask of the channel's one shared background model, and the full-size
// sensor frame for crops (faces, plates) and event pictures.
#pragma once

#include <cstdint>

#include <opencv2/core/mat.hpp>

#include "device/hal/clock.hpp"
#include "device/hal/video_frame.hpp"

namespace camrig::analytics {

struct AnalysisFrame {
  int channel = 1;
  hal::Nanos time{0};         //!< capture time on the device clock
  std::uint64_t sequence = 0;  //!< the sensor's capture counter
  //! CV_8UC1, analysis size (VideoAnalyticsOptions::analysis_width wide, aspect kept).
  cv::Mat luma;
  //! CV_8UC1, 0 or 255, same size as `luma`: moving or new pixels against the learned
  //! background, after a small opening. Empty while the background model is still learning.
  cv::Mat foreground;
  //! The sensor's frame, full size (I420). Never null.
  hal::VideoFramePtr full;

  //! Full-frame pixels per analysis pixel.
  double scale() const { return full && luma.cols > 0 ? static_cast<double>(full->width()) / luma.cols : 1.0; }
  bool background_ready() const { return !foreground.empty(); }
};

}  // namespace camrig::analytics
