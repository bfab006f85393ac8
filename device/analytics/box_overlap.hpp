// How much two detection boxes cover each other, shared by the face detector (merging detections)
// and face capture (following a face from frame to frame).
#pragma once

#include <opencv2/core/types.hpp>

namespace camrig::analytics {

//! Intersection over union of two boxes: 0 when they are apart, 1 when they are the same.
inline double overlap(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter <= 0 ? 0.0 : inter / static_cast<double>(a.area() + b.area() - inter);
}

}  // namespace camrig::analytics
