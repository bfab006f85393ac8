#include "device/analytics/scene_change_detector.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "device/analytics/seconds.hpp"

namespace camrig::analytics {

namespace {

// 80 x 45 at 16:9: coarse enough that defocus, noise and small movers vanish.
constexpr int kCoarseWidth = 80;
// Neighbour pairs whose reference difference is below this (levels) carry no order.
constexpr double kOrderMargin = 1.5;
constexpr double kFeaturelessViewDeviation = 5.0;
// Agreement under which the view changed, at sensitivity 0 and 100 (a different view agrees ~0.5).
constexpr double kLeastSensitiveAgreement = 0.55;
constexpr double kMostSensitiveAgreement = 0.85;
// While the view agrees, the reference follows it (light, parked cars) at this rate per frame.
constexpr double kViewReferenceRate = 0.05;

double order_agreement(const cv::Mat& reference, const cv::Mat& current) {
  long long reliable = 0, kept = 0;
  auto compare = [&](float r0, float r1, float c0, float c1) {
    const float dr = r1 - r0;
    if (std::fabs(dr) < kOrderMargin) return;
    ++reliable;
    kept += (dr > 0) == (c1 - c0 > 0);
  };
  for (int y = 0; y < reference.rows; ++y) {
    const float* r = reference.ptr<float>(y);
    const float* c = current.ptr<float>(y);
    const float* r_below = y + 1 < reference.rows ? reference.ptr<float>(y + 1) : nullptr;
    const float* c_below = y + 1 < reference.rows ? current.ptr<float>(y + 1) : nullptr;
    for (int x = 0; x < reference.cols; ++x) {
      if (x + 1 < reference.cols) compare(r[x], r[x + 1], c[x], c[x + 1]);
      if (r_below) compare(r[x], r_below[x], c[x], c_below[x]);
    }
  }
  return reliable == 0 ? 1.0 : static_cast<double>(kept) / static_cast<double>(reliable);
}

}  // namespace

Result<void> validate(const SceneChangeSettings& s) {
  if (s.sensitivity < 0 || s.sensitivity > 100)
    return Error{ErrorCode::out_of_range, "scene change sensitivity must be 0..100"};
  if (!(s.raise_seconds >= 0 && s.raise_seconds <= 60))
    return Error{ErrorCode::out_of_range, "scene change time must be 0..60 s"};
  return {};
}

SceneChangeDetector::SceneChangeDetector(SceneChangeSettings settings) : settings_(std::move(settings)) {}

Result<void> SceneChangeDetector::configure(const SceneChangeSettings& settings) {
  if (auto r = validate(settings); !r) return r;
  std::lock_guard lock(mutex_);
  settings_ = settings;
  return {};
}

SceneChangeSettings SceneChangeDetector::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

std::optional<double> SceneChangeDetector::last_agreement() const {
  std::lock_guard lock(mutex_);
  return agreement_;
}

void SceneChangeDetector::analyse(const AnalysisFrame& frame, const EventSink& sink) {
  std::unique_lock lock(mutex_);
  if (!settings_.enabled || settings_.sensitivity == 0) {
    reference_.release();
    agreement_.reset();
    changed_ = false;
    return;
  }
  const int height = std::max(1, cvRound(static_cast<double>(frame.luma.rows) * kCoarseWidth / frame.luma.cols));
  cv::Mat coarse;
  cv::resize(frame.luma, coarse, cv::Size(kCoarseWidth, height), 0, 0, cv::INTER_AREA);
  coarse.convertTo(coarse, CV_32F);
  cv::Scalar mean, deviation;
  cv::meanStdDev(coarse, mean, deviation);
  agreement_.reset();
  if (deviation[0] < kFeaturelessViewDeviation) return;  // covered or black: the tamper detector's case
  if (reference_.size() != coarse.size()) {
    reference_ = coarse;
    changed_ = false;
    return;
  }
  const double agreement = order_agreement(reference_, coarse);
  agreement_ = agreement;
  const double limit = kLeastSensitiveAgreement +
                       (kMostSensitiveAgreement - kLeastSensitiveAgreement) * settings_.sensitivity / 100.0;
  const bool changed = agreement < limit;
  if (changed != changed_) {
    changed_ = changed;
    since_ = frame.time;
  }
  bool report = false;
  if (changed_ && frame.time - since_ >= to_nanos(settings_.raise_seconds)) {
    // The new view becomes the reference: one alarm per change.
    reference_ = coarse;
    changed_ = false;
    report = true;
  } else if (!changed_) {
    cv::accumulateWeighted(coarse, reference_, kViewReferenceRate);
  }
  lock.unlock();
  if (!report) return;
  events::Event event;
  event.kind = events::EventKind::scene_change;
  event.channel = frame.channel;
  event.state = events::EventState::pulse;
  event.device_time = frame.time;
  sink(std::move(event));
}

}  // namespace camrig::analytics
