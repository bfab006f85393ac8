// Defocus detection (network camera 6.2.2): the picture's sharpness against the sharpness it had
// while in focus. Sharpness is gradient energy over contrast, so light changes do not move it.
#pragma once

#include <mutex>
#include <optional>
#include <string_view>

#include "device/analytics/detector.hpp"
#include "device/core/result.hpp"

namespace camrig::analytics {

struct DefocusSettings {
  bool enabled = false;
  int sensitivity = 50;        //!< 0..100; higher raises the alarm on a slighter blur
  double raise_seconds = 1.0;  //!< blurred this long before the alarm
  double clear_seconds = 1.0;  //!< sharp this long before it ends
};

Result<void> validate(const DefocusSettings& settings);

//! Gradient energy over luma variance of an 8-bit picture; nullopt for a featureless picture
//! (covered, black), which says nothing about focus.
std::optional<double> relative_sharpness(const cv::Mat& luma);

class DefocusDetector final : public Detector {
 public:
  explicit DefocusDetector(DefocusSettings settings = {});

  std::string_view name() const override { return "defocus"; }
  void analyse(const AnalysisFrame& frame, const EventSink& sink) override;

  Result<void> configure(const DefocusSettings& settings);
  DefocusSettings settings() const;
  bool active() const;

 private:
  mutable std::mutex mutex_;
  DefocusSettings settings_;
  double reference_ = 0;  //!< in-focus sharpness, learned while the picture is sharp
  int learned_ = 0;
  bool active_ = false;
  bool blurred_ = false;
  hal::Nanos since_{0};
};

}  // namespace camrig::analytics
