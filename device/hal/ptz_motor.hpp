// Pan/tilt/zoom drive with position feedback, as a PTZ dome's motor controller exposes it.
#pragma once

#include "device/core/result.hpp"

namespace camrig::hal {

struct PtzPosition {
  double pan_degrees = 0;   //!< 0..360 for endless pan, else within limits
  double tilt_degrees = 0;  //!< negative looks down
  double zoom = 1;          //!< optical magnification, 1 = widest
};

struct PtzVelocity {
  double pan_degrees_per_second = 0;
  double tilt_degrees_per_second = 0;
  double zoom_per_second = 0;
};

struct PtzLimits {
  bool endless_pan = true;
  double pan_min = 0, pan_max = 360;
  double tilt_min = -90, tilt_max = 0;
  double zoom_min = 1, zoom_max = 30;
  PtzVelocity max_speed;
};

class PtzMotor {
 public:
  virtual ~PtzMotor() = default;
  virtual PtzLimits limits() const = 0;
  virtual PtzPosition position() const = 0;
  virtual bool moving() const = 0;
  //! Drives every axis to `target`, each no faster than `speed` (clamped to the axis maximum).
  virtual Result<void> move_to(const PtzPosition& target, const PtzVelocity& speed) = 0;
  //! Drives continuously at `velocity` (signed per axis) until stop() or a limit.
  virtual Result<void> move_continuous(const PtzVelocity& velocity) = 0;
  virtual void stop() = 0;
};

}  // namespace camrig::hal
