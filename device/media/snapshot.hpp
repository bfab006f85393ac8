// Snapshots: a JPEG of a channel's picture on demand, from the latest frame its sensor gave
// (see ChannelPipeline::latest_frame()), scaled to the asked size and encoded with the same
// MJPEG encoder the streams use. Stateless: each picture opens its own scaler and encoder.
#pragma once

#include <cstdint>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/video_frame.hpp"

namespace camrig::media {

struct SnapshotSize {
  int width = 0;
  int height = 0;
};

struct Snapshot {
  std::vector<std::uint8_t> jpeg;
  int width = 0;
  int height = 0;
  //! Capture time of the frame on the device clock.
  hal::Nanos timestamp{0};
};

//! The largest picture a snapshot may have on either side; larger requests are out_of_range.
inline constexpr int kMaxSnapshotSide = 8192;

//! A JPEG of `frame` at `size`. Sizes must be positive and even (I420); unavailable when there
//! is no frame yet (the sensor has not delivered one since the channel started).
Result<Snapshot> take_snapshot(const hal::VideoFramePtr& frame, SnapshotSize size);

}  // namespace camrig::media
