// A face capture as one of a VideoAnalytics' detectors that keeps its own record of the events it
// raised, so that several face captures with different settings can run side by side on the same
// frames of a test.
#pragma once

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "device/analytics/face_capture.hpp"
#include "device/analytics/video_analytics.hpp"

namespace camrig::analytics::test {

class FaceCaptureRecorder final : public Detector {
 public:
  explicit FaceCaptureRecorder(std::shared_ptr<FaceCapture> capture) : capture_(std::move(capture)) {}
  std::string_view name() const override { return "face capture recorder"; }
  void analyse(const AnalysisFrame& frame, const EventSink&) override {
    capture_->analyse(frame, [this](events::Event e) { events.push_back(std::move(e)); });
  }
  std::vector<events::Event> events;

 private:
  std::shared_ptr<FaceCapture> capture_;
};

}  // namespace camrig::analytics::test
