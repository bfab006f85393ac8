#include "device/analytics/defocus_detector.hpp"

#include <opencv2/imgproc.hpp>

#include "device/analytics/seconds.hpp"

namespace camrig::analytics {

namespace {

// Below this luma deviation the picture has no structure to judge focus by.
constexpr double kFeaturelessFocusDeviation = 6.0;
// Sharpness ratio (now / in focus) under which the picture is blurred, at sensitivity 0 and 100.
constexpr double kLeastSensitiveRatio = 0.25;
constexpr double kMostSensitiveRatio = 0.8;
// The reference follows slow scene changes (people, light) only while the picture is sharp.
constexpr double kSharpnessReferenceRate = 0.02;
constexpr int kLearningFrames = 10;

}  // namespace

Result<void> validate(const DefocusSettings& s) {
  if (s.sensitivity < 0 || s.sensitivity > 100) return Error{ErrorCode::out_of_range, "defocus sensitivity must be 0..100"};
  if (!(s.raise_seconds >= 0 && s.raise_seconds <= 60 && s.clear_seconds >= 0 && s.clear_seconds <= 60))
    return Error{ErrorCode::out_of_range, "defocus raise and clear times must be 0..60 s"};
  return {};
}

std::optional<double> relative_sharpness(const cv::Mat& luma) {
  cv::Scalar mean, deviation;
  cv::meanStdDev(luma, mean, deviation);
  if (deviation[0] < kFeaturelessFocusDeviation) return std::nullopt;
  // A light blur first: sensor noise must not count as detail.
  cv::Mat smooth, gx, gy;
  cv::GaussianBlur(luma, smooth, cv::Size(3, 3), 0);
  // 3x3 Sobel of 8-bit levels fits 16 bits exactly, and dot() sums the squares in double:
  // the float images and products cost several times as much for the same number.
  cv::Sobel(smooth, gx, CV_16S, 1, 0);
  cv::Sobel(smooth, gy, CV_16S, 0, 1);
  const double energy = (gx.dot(gx) + gy.dot(gy)) / static_cast<double>(luma.total());
  return energy / (deviation[0] * deviation[0]);
}

DefocusDetector::DefocusDetector(DefocusSettings settings) : settings_(std::move(settings)) {}

Result<void> DefocusDetector::configure(const DefocusSettings& settings) {
  if (auto r = validate(settings); !r) return r;
  std::lock_guard lock(mutex_);
  settings_ = settings;
  return {};
}

DefocusSettings DefocusDetector::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

bool DefocusDetector::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

void DefocusDetector::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  std::unique_lock lock(mutex_);
  std::optional<events::EventState> state;
  if (!settings_.enabled || settings_.sensitivity == 0) {
    if (active_) state = events::EventState::inactive;
    active_ = blurred_ = false;
    learned_ = 0;
  } else if (const auto sharpness = relative_sharpness(frame.luma)) {
    const double limit =
        kLeastSensitiveRatio + (kMostSensitiveRatio - kLeastSensitiveRatio) * settings_.sensitivity / 100.0;
    bool blurred = false;
    if (learned_ < kLearningFrames) {
      reference_ = learned_ == 0 ? *sharpness : std::max(reference_, *sharpness);
      ++learned_;
    } else {
      blurred = *sharpness < reference_ * limit;
      if (!blurred && !active_) reference_ += kSharpnessReferenceRate * (*sharpness - reference_);
    }
    if (blurred != blurred_) {
      blurred_ = blurred;
      since_ = frame.time;
    }
    if (!active_ && blurred_ && frame.time - since_ >= to_nanos(settings_.raise_seconds)) {
      active_ = true;
      state = events::EventState::active;
    } else if (active_ && !blurred_ && frame.time - since_ >= to_nanos(settings_.clear_seconds)) {
      active_ = false;
      state = events::EventState::inactive;
    }
  }
  lock.unlock();
  if (!state) return;
  events::Event event;
  event.kind = events::EventKind::defocus;
  event.channel = frame.channel;
  event.state = *state;
  event.device_time = frame.time;
  sink(std::move(event));
}

}  // namespace camrig::analytics
