#include "device/media/image/face_exposure.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace camrig::media::image {

void FaceExposure::configure(const FaceExposureSettings& settings) {
  std::lock_guard lock(mutex_);
  settings_ = settings;
}

FaceExposureSettings FaceExposure::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

void FaceExposure::faces_measured(double luma, hal::Nanos time) {
  std::lock_guard lock(mutex_);
  face_luma_ = luma;
  if (!last_face_ || time > *last_face_) last_face_ = time;
}

double FaceExposure::wanted_gain(hal::Nanos time) const {
  if (!settings_.enabled || !last_face_ || time - *last_face_ > std::chrono::seconds(settings_.minimum_duration))
    return 1.0;
  const double reference = std::clamp(settings_.reference_brightness, 0, 100) * 2.55;
  // A black face (luma ~0) asks for the most gain, not for a division by zero.
  return std::clamp(reference / std::max(face_luma_, 1.0), kMinFaceExposureGain, kMaxFaceExposureGain);
}

double FaceExposure::gain_at(hal::Nanos time) {
  std::lock_guard lock(mutex_);
  const double wanted = std::log2(wanted_gain(time));
  // The first frame and frames after a long pause step by at most a second's worth.
  const double seconds = last_step_ && time > *last_step_
                             ? std::min(1.0, std::chrono::duration<double>(time - *last_step_).count())
                             : 0.0;
  if (!last_step_ || time > *last_step_) last_step_ = time;
  stops_ += (wanted - stops_) * (1.0 - std::exp(-seconds / kFaceExposureTimeConstantSeconds));
  // Within half a luma level of the wanted gain at full scale: take it exactly, so that a gain of 1
  // lets the image processor pass the sensor's frame through untouched again.
  if (std::abs(std::exp2(stops_ - wanted) - 1.0) < 0.5 / 255) stops_ = wanted;
  return std::exp2(stops_);
}

double FaceExposure::gain() const {
  std::lock_guard lock(mutex_);
  return std::exp2(stops_);
}

}  // namespace camrig::media::image
