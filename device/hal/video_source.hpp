// The sensor of one video channel: a simulated scene, a V4L2 device, a file or an RTSP feed.
#pragma once

#include <stop_token>

#include "device/hal/video_frame.hpp"

namespace camrig::hal {

class VideoSource {
 public:
  virtual ~VideoSource() = default;

  //! The sensor's native size and frame rate; streams scale and decimate from it.
  virtual VideoFormat format() const = 0;

  //! Blocks until the next frame is captured. Returns nullptr once `stop` is requested or the
  //! source has ended (video loss); the caller tells the two apart by `stop`.
  virtual VideoFramePtr read(std::stop_token stop) = 0;
};

}  // namespace camrig::hal
