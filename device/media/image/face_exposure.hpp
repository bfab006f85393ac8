// Face exposure (network camera 10.2, smart-linkage PTZ face capture): the exposure gain the image
// pipeline applies to the sensor's picture while faces are seen. Face capture reports the faces'
// brightness on the sensor's own picture; the image processor asks for the gain of each frame.
// Owns the control law: shared by one channel's face capture (measures) and image processor (applies).
#pragma once

#include <mutex>
#include <optional>

#include "device/hal/clock.hpp"

namespace camrig::media::image {

struct FaceExposureSettings {
  bool enabled = false;
  //! "Reference Brightness" 0..100: the faces' wanted mean luma, 2.55 luma levels per step (50: mid-grey).
  int reference_brightness = 50;
  //! "Minimum Duration": seconds the face's exposure is held after the last face was seen, 1..3600.
  int minimum_duration = 60;
  friend bool operator==(const FaceExposureSettings&, const FaceExposureSettings&) = default;
};

//! The gain never goes beyond two stops either way: a face darker or brighter than that is left
//! partly corrected rather than the whole picture blown out or crushed.
inline constexpr double kMinFaceExposureGain = 0.25;
inline constexpr double kMaxFaceExposureGain = 4.0;
//! Time constant of the gain's approach to the wanted gain: a face is corrected within about a
//! second (95 % after 3 time constants, 0.9 s), without a visible jump.
inline constexpr double kFaceExposureTimeConstantSeconds = 0.3;

//! The gain stage's control. The faces are measured on the sensor's picture, which the gain does not
//! change (the gain is applied by the image processor to the copy the streams get), so the wanted
//! gain is a feed-forward value (reference / measured) and not a feedback loop: it cannot oscillate.
//! The applied gain follows the wanted one through a first-order lag in stops, so it moves
//! monotonically, without overshoot, and a face flickering in and out of detection does not pump.
class FaceExposure {
 public:
  //! Callable from any thread; turning face exposure off lets the gain return smoothly to 1.
  void configure(const FaceExposureSettings& settings);
  FaceExposureSettings settings() const;

  //! The faces seen in the sensor picture captured at `time` have mean luma `luma` (0..255).
  void faces_measured(double luma, hal::Nanos time);

  //! The gain for the sensor picture captured at `time`, one step of the lag from the last call's.
  //! Called for every frame, in capture order, by the channel's image processor.
  double gain_at(hal::Nanos time);
  //! The gain of the last frame, for pictures taken from the sensor's frame elsewhere (face capture's).
  double gain() const;

 private:
  double wanted_gain(hal::Nanos time) const;

  mutable std::mutex mutex_;
  FaceExposureSettings settings_;
  std::optional<hal::Nanos> last_face_;
  double face_luma_ = 0;
  double stops_ = 0;  //!< the applied gain, log2
  std::optional<hal::Nanos> last_step_;
};

}  // namespace camrig::media::image
