// A raw picture from the sensor: I420 planes, reference-counted and shared read-only by every
// consumer (encoders, scalers, analytics), never copied per consumer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "device/hal/clock.hpp"

namespace camrig::hal {

struct Rational {
  int num = 0;
  int den = 1;
  double value() const { return den == 0 ? 0.0 : static_cast<double>(num) / den; }
  friend bool operator==(const Rational&, const Rational&) = default;
};

struct VideoFormat {
  int width = 0;
  int height = 0;
  Rational frame_rate{25, 1};
  friend bool operator==(const VideoFormat&, const VideoFormat&) = default;
};

//! Planar YUV 4:2:0 (I420), full range of the sensor's output; even width and height.
class VideoFrame {
 public:
  VideoFrame(int width, int height)
      : width_(width), height_(height),
        data_(static_cast<std::size_t>(width) * height * 3 / 2) {}

  int width() const { return width_; }
  int height() const { return height_; }
  //! Plane 0 is luma (stride = width), planes 1 and 2 are chroma (stride = width / 2).
  std::uint8_t* plane(int index) { return data_.data() + plane_offset(index); }
  const std::uint8_t* plane(int index) const { return data_.data() + plane_offset(index); }
  int stride(int index) const { return index == 0 ? width_ : width_ / 2; }
  std::size_t size_bytes() const { return data_.size(); }

  //! Capture time on the device clock.
  Nanos timestamp{0};
  //! Capture counter of the source, from 0; gaps mean the source dropped frames.
  std::uint64_t sequence = 0;

 private:
  std::size_t plane_offset(int index) const {
    const auto luma = static_cast<std::size_t>(width_) * height_;
    return index == 0 ? 0 : index == 1 ? luma : luma + luma / 4;
  }

  int width_;
  int height_;
  std::vector<std::uint8_t> data_;
};

using VideoFramePtr = std::shared_ptr<const VideoFrame>;

}  // namespace camrig::hal
