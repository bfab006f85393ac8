// Vehicles in the LPR camera's picture for plate recognition: the channel's shared foreground
// together with what differs from an empty road this finder learns itself, joined into
// vehicle-sized blobs. Its own road model keeps dark vehicles that the shared model has learnt
// as background (night traffic, a rider on a dark road) apart from the road.
#pragma once

#include <optional>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "device/analytics/analysis_frame.hpp"

namespace camrig::analytics::plates {

class VehicleFinder {
 public:
  //! Boxes in full-frame pixels of the blobs of at least `min_fraction` of the picture; empty while
  //! the shared background model is still learning. Call once per analysed frame, in order.
  std::vector<cv::Rect> find(const AnalysisFrame& frame, double min_fraction);

 private:
  cv::Mat road_;     // CV_32F, analysis size: the road without vehicles
  cv::Mat covered_;  // CV_32F: seconds each pixel has differed from the road without a break
  std::optional<hal::Nanos> last_time_;
};

}  // namespace camrig::analytics::plates
