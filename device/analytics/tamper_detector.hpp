// Video tampering (network camera 6.1.2): the lens covered within the drawn areas. A covered lens
// leaves a dark, nearly uniform picture; the alarm is raised once that lasts and cleared once the
// picture has structure again.
#pragma once

#include <mutex>
#include <string_view>
#include <vector>

#include <opencv2/core/types.hpp>

#include "device/analytics/detector.hpp"
#include "device/core/result.hpp"

namespace camrig::analytics {

//! A polygon in normalised picture coordinates (0..1 from the top-left).
using NormalisedPolygon = std::vector<cv::Point2f>;

inline constexpr int kMaxTamperAreas = 4;

struct TamperSettings {
  bool enabled = false;
  int sensitivity = 50;                  //!< 0..100; higher detects partial or lighter covers
  std::vector<NormalisedPolygon> areas;  //!< up to 4; none = the whole picture
  double raise_seconds = 1.0;            //!< covered this long before the alarm
  double clear_seconds = 1.0;            //!< uncovered this long before it ends
};

Result<void> validate(const TamperSettings& settings);
//! Common to the detectors that take drawn areas: 3..10 points, each within the picture.
Result<void> validate_polygon(const NormalisedPolygon& polygon, std::string_view what);
//! The polygons as a 0/255 mask of `size`; the whole picture when `polygons` is empty.
cv::Mat polygon_mask(const std::vector<NormalisedPolygon>& polygons, cv::Size size);

class TamperDetector final : public Detector {
 public:
  explicit TamperDetector(TamperSettings settings = {});

  std::string_view name() const override { return "tamper"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  Result<void> configure(const TamperSettings& settings);
  TamperSettings settings() const;
  bool active() const;

 private:
  mutable std::mutex mutex_;
  TamperSettings settings_;
  cv::Mat mask_;  //!< areas at the analysis size, rebuilt when settings or size change
  bool active_ = false;
  bool covered_ = false;
  hal::Nanos since_{0};  //!< when the picture last turned covered / uncovered
};

}  // namespace camrig::analytics
