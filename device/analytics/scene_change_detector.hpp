// Scene change detection (network camera 6.2.3): the camera was turned or moved. The coarse
// picture's local light/dark order (which of two neighbours is brighter) is compared with a
// reference view; light changes keep that order, a different view does not.
#pragma once

#include <mutex>
#include <optional>
#include <string_view>

#include "device/analytics/detector.hpp"
#include "device/core/result.hpp"

namespace camrig::analytics {

struct SceneChangeSettings {
  bool enabled = false;
  int sensitivity = 50;        //!< 0..100; higher reports smaller turns (and more false alarms)
  double raise_seconds = 1.0;  //!< the view must stay changed this long (a passing truck does not)
};

Result<void> validate(const SceneChangeSettings& settings);

class SceneChangeDetector final : public Detector {
 public:
  explicit SceneChangeDetector(SceneChangeSettings settings = {});

  std::string_view name() const override { return "scene change"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  Result<void> configure(const SceneChangeSettings& settings);
  SceneChangeSettings settings() const;
  //! Part of the reference's light/dark order the last frame kept (1 = the same view); nullopt
  //! before a reference exists or on a featureless frame.
  std::optional<double> last_agreement() const;

 private:
  mutable std::mutex mutex_;
  SceneChangeSettings settings_;
  cv::Mat reference_;  //!< CV_32F coarse luma of the reference view
  std::optional<double> agreement_;
  bool changed_ = false;
  hal::Nanos since_{0};
};

}  // namespace camrig::analytics
