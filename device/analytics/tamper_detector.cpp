#include "device/analytics/tamper_detector.hpp"

#include <opencv2/imgproc.hpp>

#include "device/analytics/seconds.hpp"

namespace camrig::analytics {

namespace {

// Luma standard deviation (8-bit levels) under which the areas count as covered, at sensitivity
// 0 and 100. A hand over the lens leaves 2-4 levels (leaking light and sensor noise); a dim dusk
// or night picture keeps well above 15.
constexpr double kLeastSensitiveDeviation = 4.0;
constexpr double kMostSensitiveDeviation = 14.0;

}  // namespace

Result<void> validate_polygon(const NormalisedPolygon& polygon, std::string_view what) {
  if (polygon.size() < 3 || polygon.size() > 10)
    return Error{ErrorCode::out_of_range, std::string(what) + " must have 3 to 10 points"};
  for (const auto& p : polygon)
    if (!(p.x >= 0 && p.x <= 1 && p.y >= 0 && p.y <= 1))
      return Error{ErrorCode::out_of_range, std::string(what) + " has a point outside the picture (0..1)"};
  return {};
}

cv::Mat polygon_mask(const std::vector<NormalisedPolygon>& polygons, cv::Size size) {
  if (polygons.empty()) return cv::Mat(size, CV_8UC1, cv::Scalar(255));
  cv::Mat mask(size, CV_8UC1, cv::Scalar(0));
  std::vector<std::vector<cv::Point>> scaled;
  for (const auto& polygon : polygons) {
    auto& points = scaled.emplace_back();
    for (const auto& p : polygon)
      points.emplace_back(cvRound(p.x * (size.width - 1)), cvRound(p.y * (size.height - 1)));
  }
  cv::fillPoly(mask, scaled, cv::Scalar(255));
  return mask;
}

Result<void> validate(const TamperSettings& s) {
  if (s.sensitivity < 0 || s.sensitivity > 100) return Error{ErrorCode::out_of_range, "tamper sensitivity must be 0..100"};
  if (s.areas.size() > static_cast<std::size_t>(kMaxTamperAreas))
    return Error{ErrorCode::out_of_range, "video tampering takes at most 4 areas"};
  for (const auto& area : s.areas)
    if (auto r = validate_polygon(area, "a tampering area"); !r) return r;
  if (!(s.raise_seconds >= 0 && s.raise_seconds <= 60 && s.clear_seconds >= 0 && s.clear_seconds <= 60))
    return Error{ErrorCode::out_of_range, "tamper raise and clear times must be 0..60 s"};
  return {};
}

TamperDetector::TamperDetector(TamperSettings settings) : settings_(std::move(settings)) {}

Result<void> TamperDetector::configure(const TamperSettings& settings) {
  if (auto r = validate(settings); !r) return r;
  std::lock_guard lock(mutex_);
  settings_ = settings;
  mask_.release();
  return {};
}

TamperSettings TamperDetector::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

bool TamperDetector::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void TamperDetector::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  std::unique_lock lock(mutex_);
  std::optional<events::EventState> state;
  if (!settings_.enabled || settings_.sensitivity == 0) {
    if (active_) state = events::EventState::inactive;
    active_ = covered_ = false;
  } else {
    cv::Scalar mean, deviation;
    // Without areas the whole picture counts: OpenCV's masked statistics cost ten times the plain ones.
    if (settings_.areas.empty()) {
      cv::meanStdDev(frame.luma, mean, deviation);
    } else {
      if (mask_.size() != frame.luma.size()) mask_ = polygon_mask(settings_.areas, frame.luma.size());
      cv::meanStdDev(frame.luma, mean, deviation, mask_);
    }
    const double threshold = kLeastSensitiveDeviation +
                             (kMostSensitiveDeviation - kLeastSensitiveDeviation) * settings_.sensitivity / 100.0;
    const bool covered = deviation[0] < threshold;
    if (covered != covered_) {
      covered_ = covered;
      since_ = frame.time;
    }
    if (!active_ && covered_ && frame.time - since_ >= to_nanos(settings_.raise_seconds)) {
      active_ = true;
      state = events::EventState::active;
    } else if (active_ && !covered_ && frame.time - since_ >= to_nanos(settings_.clear_seconds)) {
      active_ = false;
      state = events::EventState::inactive;
    }
  }
  lock.unlock();
  if (!state) return;
  events::Event event;
  event.kind = events::EventKind::tamper;
  event.channel = frame.channel;
  event.state = *state;
  event.device_time = frame.time;
  sink(std::move(event));
}

}  // namespace camrig::analytics
