// Finds licence plates in a region of the full-size luma picture with classical image processing
// (horizontal-gradient density, morphology, contour shape, a bright field with character-sized
// dark blobs) and rectifies each into a clean black-on-white text line for OCR.
#pragma once

#include <array>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

namespace camrig::analytics::plates {

struct PlateSizeLimits {
  int min_width = 80;   //!< full-frame pixels; smaller plates are too small to read
  int max_width = 600;
};

struct PlateCandidate {
  //! The plate's white field in full-frame pixels: top-left, top-right, bottom-right, bottom-left.
  std::array<cv::Point2f, 4> corners;
  cv::Rect box;  //!< bounding box of `corners`
  //! The plate's characters as black blobs on white, rectified to a fixed height, with margins.
  cv::Mat line;
  int characters = 0;  //!< character-sized blobs found in the field
  double mean_luma = 0;  //!< of the field, for the plate colour
};

//! Searches `region` (clipped to the picture) of `luma` (CV_8UC1, full size).
std::vector<PlateCandidate> find_plates(const cv::Mat& luma, cv::Rect region, const PlateSizeLimits& limits);

}  // namespace camrig::analytics::plates
