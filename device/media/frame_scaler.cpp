#include "device/media/frame_scaler.hpp"

#include <string>
#include <utility>

extern "C" {
#include <libswscale/swscale.h>
}

#include "device/media/libav_log.hpp"

namespace camrig::media {

Result<FrameScaler> FrameScaler::create(int width, int height) {
  if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
    return make_error(ErrorCode::out_of_range, "scaled size " + std::to_string(width) + "x" + std::to_string(height) +
                                                   " must be positive and even in both directions");
  }
  route_libav_logs();
  return FrameScaler(width, height);
}

FrameScaler::FrameScaler(FrameScaler&& other) noexcept
    : width_(other.width_), height_(other.height_), context_(std::exchange(other.context_, nullptr)) {}

FrameScaler& FrameScaler::operator=(FrameScaler&& other) noexcept {
  if (this != &other) {
    sws_freeContext(context_);
    width_ = other.width_;
    height_ = other.height_;
    context_ = std::exchange(other.context_, nullptr);
  }
  return *this;
}

FrameScaler::~FrameScaler() { sws_freeContext(context_); }

Result<hal::VideoFramePtr> FrameScaler::scale(const hal::VideoFrame& input) {
  // Bilinear: the sub stream is a 3x reduction at most, where area averaging buys little and
  // costs about twice the time on the encoder's core.
  context_ = sws_getCachedContext(context_, input.width(), input.height(), AV_PIX_FMT_YUV420P, width_, height_,
                                  AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (context_ == nullptr) {
    return make_error(ErrorCode::invalid_argument, "cannot scale " + std::to_string(input.width()) + "x" +
                                                       std::to_string(input.height()) + " to " +
                                                       std::to_string(width_) + "x" + std::to_string(height_));
  }
  auto output = std::make_shared<hal::VideoFrame>(width_, height_);
  const std::uint8_t* const source_planes[3] = {input.plane(0), input.plane(1), input.plane(2)};
  const int source_strides[3] = {input.stride(0), input.stride(1), input.stride(2)};
  std::uint8_t* const target_planes[3] = {output->plane(0), output->plane(1), output->plane(2)};
  const int target_strides[3] = {output->stride(0), output->stride(1), output->stride(2)};
  const int rows = sws_scale(context_, source_planes, source_strides, 0, input.height(), target_planes, target_strides);
  if (rows != height_) {
    return make_error(ErrorCode::internal, "scaling to " + std::to_string(width_) + "x" + std::to_string(height_) +
                                               " produced " + std::to_string(rows) + " rows");
  }
  output->timestamp = input.timestamp;
  output->sequence = input.sequence;
  return hal::VideoFramePtr(std::move(output));
}

}  // namespace camrig::media
