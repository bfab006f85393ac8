// The pan/tilt/zoom drive of a simulated PTZ dome: each axis follows a trapezoidal velocity
// profile (triangular when the move is too short to reach cruise speed) limited by the axis's
// maximum speed and acceleration, computed in closed form on the device clock, so position(),
// moving() and the field of view are exact at any instant and repeat in lockstep.
//
// - Pan is endless (reported 0..360, moves take the shorter way round) or limited; tilt and zoom
//   are limited. Targets outside the limits are clamped to them.
// - A new command while moving starts from the current position and velocity: the axis first
//   brakes if it is going the wrong way or too fast to stop in time, then runs a new profile.
// - move_continuous() accelerates to the requested velocity; on a limited axis it brakes so that
//   it stops exactly at the limit. stop() brakes every axis at its maximum deceleration.
// - Settling: a finished move lands within ±accuracy of its target (a repeatable error drawn
//   from `seed`; 0 = exact), and moving() stays true for `settle_time` after the profile ends.
// - Speeds for move_to are clamped to the axis maximum; zero or negative means the maximum.
// - Zoom is in magnification units (×1 .. ×max) and moves linearly in them.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "device/hal/clock.hpp"
#include "device/hal/ptz_motor.hpp"

namespace camrig::sim {

namespace detail {
//! One constant-acceleration piece of an axis's motion.
struct PtzPhase {
  double begin = 0;     // seconds after the plan's start
  double duration = 0;  // seconds; infinity for an endless cruise
  double p = 0, v = 0, a = 0;  // position and velocity at `begin`, acceleration throughout
};
}  // namespace detail

struct PtzAxisDrive {
  double max_speed = 0;         //!< units per second (degrees, or zoom ratio for zoom)
  double max_acceleration = 0;  //!< units per second squared
};

struct PtzMotorOptions {
  bool endless_pan = true;
  double pan_min = 0, pan_max = 360;  //!< used when pan is not endless
  double tilt_min = -90, tilt_max = 0;
  double zoom_min = 1, zoom_max = 30;
  PtzAxisDrive pan{120, 240};
  PtzAxisDrive tilt{90, 180};
  PtzAxisDrive zoom{10, 20};
  //! Landing error bounds of a move (repeatability), per axis; drawn from `seed`.
  double pan_tilt_accuracy_degrees = 0;
  double zoom_accuracy = 0;
  std::uint64_t seed = 1;
  hal::Nanos settle_time{0};
  //! Horizontal field of view at ×1 and the sensor's aspect ratio (width / height).
  double horizontal_fov_degrees = 60;
  double aspect_ratio = 16.0 / 9.0;
  hal::PtzPosition initial{0, 0, 1};
};

struct FieldOfView {
  double horizontal_degrees = 0;
  double vertical_degrees = 0;
};

class PtzMotorModel final : public hal::PtzMotor {
 public:
  enum Axis { pan = 0, tilt = 1, zoom = 2 };

  //! `clock` must outlive the model. Throws std::invalid_argument for empty ranges, speeds or
  //! accelerations that are not positive, a field of view outside (0, 180) or an initial pose
  //! outside the limits.
  PtzMotorModel(const hal::Clock& clock, PtzMotorOptions options = {});

  // hal::PtzMotor
  hal::PtzLimits limits() const override;
  hal::PtzPosition position() const override;
  bool moving() const override;
  //! Fails with invalid_argument for a target that is not a finite number.
  Result<void> move_to(const hal::PtzPosition& target, const hal::PtzVelocity& speed) override;
  //! Velocities are clamped to each axis's maximum. Fails with invalid_argument for non-finite ones.
  Result<void> move_continuous(const hal::PtzVelocity& velocity) override;
  void stop() override;

  //! Signed velocity of each axis now.
  hal::PtzVelocity velocity() const;
  //! When the current motion of every axis ends (settling included); empty for an endless
  //! continuous pan, now() when at rest.
  std::optional<hal::Nanos> arrival_time() const;
  //! The lens's field of view at the current zoom.
  FieldOfView field_of_view() const;
  //! FOV = 2 * atan(tan(fov1 / 2) / zoom), in degrees, for a field of view `fov1_degrees` at ×1.
  static double fov_at_zoom(double fov1_degrees, double zoom);

  //! Puts the head at `pose` at rest at once (power-on restore, a test's setup), clamped to limits.
  void reset_to(const hal::PtzPosition& pose);

 private:
  using Phase = detail::PtzPhase;
  struct Plan {
    hal::Nanos start{0};
    std::vector<Phase> phases;
    double final_position = 0;  // where the last finite phase ends (snapped)
    std::optional<hal::Nanos> end;  // empty for an endless cruise
  };
  struct State {
    double p = 0, v = 0;
  };

  State evaluate(int axis, hal::Nanos at) const;
  void plan_move(int axis, hal::Nanos at, double target, double speed);
  void plan_velocity(int axis, hal::Nanos at, double velocity);
  void finish_plan(Plan& plan, hal::Nanos at, std::vector<Phase> phases, std::optional<double> snap);
  double landing_error(double bound);
  double wrap_pan(double degrees) const;
  double lower(int axis) const;
  double upper(int axis) const;
  bool bounded(int axis) const { return axis != pan || !options_.endless_pan; }
  const PtzAxisDrive& drive(int axis) const;

  const hal::Clock& clock_;
  const PtzMotorOptions options_;
  mutable std::mutex mutex_;
  Plan plans_[3];
  std::uint64_t rng_state_;
};

}  // namespace camrig::sim
