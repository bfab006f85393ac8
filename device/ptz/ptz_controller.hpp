// The PTZ channel's control, the one place ISAPI and ONVIF move the head through: absolute,
// relative (degrees, or fractions of the current field of view) and continuous moves with speed,
// stop, status read from the motor, numbered presets and the home position (the manual's initial
// position), kept in a small SQLite store so they survive a restart.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "device/core/result.hpp"
#include "device/hal/clock.hpp"
#include "device/hal/ptz_motor.hpp"

struct sqlite3;

namespace camrig::ptz {

//! The lens in front of the motor, as the hardware describes it: the field of view at ×1.
struct Lens {
  double horizontal_fov_degrees = 60;
  double aspect_ratio = 16.0 / 9.0;  //!< width / height of the sensor
};

struct FieldOfView {
  double horizontal_degrees = 0;
  double vertical_degrees = 0;
};

//! Per-axis values of a move; an axis left empty is not moved (absolute, relative) or stays at
//! rest (continuous).
struct AxisValues {
  std::optional<double> pan;
  std::optional<double> tilt;
  std::optional<double> zoom;
};

//! Speeds as fractions (0, 1] of each axis's maximum; empty means the maximum.
struct Speed {
  std::optional<double> pan_tilt;
  std::optional<double> zoom;
};

enum class MoveStatus { idle, moving };

struct Status {
  hal::PtzPosition position;
  //! The motor reports one moving flag for the whole head (settling included).
  MoveStatus move = MoveStatus::idle;
};

struct Preset {
  int number = 0;
  std::string name;
  hal::PtzPosition position;
};

//! Preset numbers 1..k_max_presets; the special numbers are call-only (manual §4.2.1).
constexpr int k_max_presets = 300;
constexpr std::size_t k_max_preset_name = 32;
bool is_special_preset(int number);

//! FOV = 2·atan(tan(fov1 / 2) / zoom), the angle a lens of field of view `fov1` at ×1 covers at `zoom`.
double fov_at_zoom(double fov1_degrees, double zoom);

class PtzController {
 public:
  //! `motor` and `clock` must outlive the controller. `database` is a file path or ":memory:".
  static Result<std::unique_ptr<PtzController>> open(int channel, hal::PtzMotor& motor, hal::Clock& clock, Lens lens,
                                                     const std::string& database);
  ~PtzController();
  PtzController(const PtzController&) = delete;
  PtzController& operator=(const PtzController&) = delete;

  int channel() const { return channel_; }
  hal::PtzLimits limits() const { return motor_.limits(); }
  const Lens& lens() const { return lens_; }
  //! The field of view at the current zoom.
  FieldOfView field_of_view() const;

  //! Degrees and zoom ratio; a value outside the limits is refused (out_of_range). On an endless
  //! pan axis any angle is taken modulo 360.
  Result<void> move_absolute(const AxisValues& target, const Speed& speed = {});
  //! Adds degrees / zoom ratio to the current position; the result stops at the limits.
  Result<void> move_relative(const AxisValues& delta, const Speed& speed = {});
  //! Pans and tilts by fractions of the current view: x = ±1 brings the right/left edge to the
  //! centre, y = ±1 the top/bottom edge. Values outside [-1, 1] are refused. `zoom` adds to the
  //! zoom ratio in the same move.
  Result<void> move_relative_fov(double x, double y, std::optional<double> zoom = std::nullopt, const Speed& speed = {});
  //! Velocities as fractions [-1, 1] of each axis's maximum (positive: right, up, zoom in); stops
  //! by itself after `timeout` when given.
  Result<void> move_continuous(const AxisValues& velocity, std::optional<hal::Nanos> timeout = std::nullopt);
  //! Stops pan/tilt, zoom or both.
  void stop(bool pan_tilt = true, bool zoom = true);
  //! Position and MOVING/IDLE as the motor reports them.
  Status status() const;

  std::vector<Preset> presets() const;
  Result<Preset> preset(int number) const;
  //! Stores the current position as preset `number` (empty: the lowest free ordinary number)
  //! under `name` (empty: "Preset <n>", or the name it had); refused while the head moves.
  Result<Preset> set_preset(std::optional<int> number, std::optional<std::string> name);
  Result<void> remove_preset(int number);
  //! Special preset 34 ("Back to origin") goes to the home position; the other special functions
  //! are not available on this firmware.
  Result<void> goto_preset(int number, const Speed& speed = {});

  //! The home position (initial position); empty until set.
  std::optional<hal::PtzPosition> home() const;
  //! Stores the current position as home; refused while the head moves.
  Result<void> set_home();
  //! Goes home; where no home is set, to pan 0, tilt 0, the widest zoom (clamped to the limits).
  Result<void> goto_home(const Speed& speed = {});

 private:
  struct TimeoutState;
  PtzController(int channel, hal::PtzMotor& motor, hal::Clock& clock, Lens lens, sqlite3* db);

  Result<hal::PtzVelocity> velocity_of(const Speed& speed) const;
  Result<void> drive_to(const hal::PtzPosition& target, const Speed& speed);
  void cancel_timeout();
  Result<void> check_preset_number(int number, bool setting) const;

  const int channel_;
  hal::PtzMotor& motor_;
  hal::Clock& clock_;
  const Lens lens_;
  sqlite3* db_;
  mutable std::mutex mutex_;
  //! What the head was last told, so one group of axes can be stopped while the other goes on.
  std::optional<hal::PtzPosition> target_;
  std::optional<hal::PtzVelocity> velocity_;
  std::shared_ptr<TimeoutState> timeout_;
};

}  // namespace camrig::ptz
