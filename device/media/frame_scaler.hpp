// Resizes sensor frames to a stream's resolution (I420 to I420) with libswscale.
// Owns the scaling context, built once and rebuilt only when the input size changes.
#pragma once

#include "device/core/result.hpp"
#include "device/hal/video_frame.hpp"

struct SwsContext;

namespace camrig::media {

class FrameScaler {
 public:
  //! A scaler to `width` x `height` (positive, even); the input size is taken from each frame.
  static Result<FrameScaler> create(int width, int height);

  FrameScaler(FrameScaler&& other) noexcept;
  FrameScaler& operator=(FrameScaler&& other) noexcept;
  FrameScaler(const FrameScaler&) = delete;
  FrameScaler& operator=(const FrameScaler&) = delete;
  ~FrameScaler();

  int width() const { return width_; }
  int height() const { return height_; }

  //! A new shared frame of the output size carrying the input's timestamp and sequence.
  Result<hal::VideoFramePtr> scale(const hal::VideoFrame& input);

 private:
  FrameScaler(int width, int height) : width_(width), height_(height) {}

  int width_;
  int height_;
  SwsContext* context_ = nullptr;
};

}  // namespace camrig::media
