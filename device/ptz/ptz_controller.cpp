#include "device/ptz/ptz_controller.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "device/core/log.hpp"
#include "device/core/sqlite_statement.hpp"

namespace camrig::ptz {
namespace {

constexpr double k_degrees = 180.0 / std::numbers::pi;

Result<void> exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
  std::string text = message ? message : "unknown error";
  sqlite3_free(message);
  return make_error(ErrorCode::io_error, std::string("PTZ store: ") + text);
}

Result<void> done(int rc, sqlite3* db) {
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return {};
  return make_error(ErrorCode::io_error, std::string("PTZ store: ") + sqlite3_errmsg(db));
}

std::string format(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

hal::PtzPosition position_of(const core::SqliteStatement& row, int first) {
  return {sqlite3_column_double(row.get(), first), sqlite3_column_double(row.get(), first + 1),
          sqlite3_column_double(row.get(), first + 2)};
}

bool finite(const AxisValues& values) {
  for (const auto& value : {values.pan, values.tilt, values.zoom})
    if (value && !std::isfinite(*value)) return false;
  return true;
}

double wrap_degrees(double degrees) {
  const double wrapped = std::fmod(degrees, 360.0);
  return wrapped < 0 ? wrapped + 360.0 : wrapped;
}

}  // namespace

// The timeout of a continuous move runs on the clock's timer thread; this state lets it find out,
// under one lock, whether the move it would stop is still the current one and the controller alive.
struct PtzController::TimeoutState {
  std::mutex mutex;
  bool alive = true;
  std::uint64_t generation = 0;
  std::optional<hal::Clock::TimerId> timer;
};

bool is_special_preset(int number) { return (number >= 33 && number <= 46) || (number >= 92 && number <= 105); }

double fov_at_zoom(double fov1_degrees, double zoom) {
  return 2.0 * std::atan(std::tan(fov1_degrees / 2.0 / k_degrees) / std::max(zoom, 1e-9)) * k_degrees;
}

Result<std::unique_ptr<PtzController>> PtzController::open(int channel, hal::PtzMotor& motor, hal::Clock& clock,
                                                           Lens lens, const std::string& database) {
  if (!(lens.horizontal_fov_degrees > 0 && lens.horizontal_fov_degrees < 180) || !(lens.aspect_ratio > 0))
    return make_error(ErrorCode::invalid_argument, "PTZ channel " + std::to_string(channel) +
                                                       ": the lens needs a field of view in (0, 180) degrees and a positive aspect ratio");
  sqlite3* db = nullptr;
  if (sqlite3_open(database.c_str(), &db) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return make_error(ErrorCode::io_error, "cannot open the PTZ store " + database + ": " + message);
  }
  auto created = exec(db,
                      "PRAGMA journal_mode=WAL;"
                      "CREATE TABLE IF NOT EXISTS presets (channel INTEGER NOT NULL, number INTEGER NOT NULL, "
                      "name TEXT NOT NULL, pan REAL NOT NULL, tilt REAL NOT NULL, zoom REAL NOT NULL, "
                      "PRIMARY KEY (channel, number));"
                      "CREATE TABLE IF NOT EXISTS home (channel INTEGER PRIMARY KEY, pan REAL NOT NULL, "
                      "tilt REAL NOT NULL, zoom REAL NOT NULL);");
  if (!created) {
    sqlite3_close(db);
    return created.error();
  }
  return std::unique_ptr<PtzController>(new PtzController(channel, motor, clock, lens, db));
}

PtzController::PtzController(int channel, hal::PtzMotor& motor, hal::Clock& clock, Lens lens, sqlite3* db)
    : channel_(channel), motor_(motor), clock_(clock), lens_(lens), db_(db), timeout_(std::make_shared<TimeoutState>()) {}

PtzController::~PtzController() {
  {
    std::lock_guard lock(timeout_->mutex);
    timeout_->alive = false;
    if (timeout_->timer) clock_.cancel(*timeout_->timer);
  }
  sqlite3_close(db_);
}

FieldOfView PtzController::field_of_view() const {
  const double horizontal = fov_at_zoom(lens_.horizontal_fov_degrees, motor_.position().zoom);
  const double vertical = 2.0 * std::atan(std::tan(horizontal / 2.0 / k_degrees) / lens_.aspect_ratio) * k_degrees;
  return {horizontal, vertical};
}

void PtzController::cancel_timeout() {
  std::lock_guard lock(timeout_->mutex);
  ++timeout_->generation;
  if (timeout_->timer) clock_.cancel(*timeout_->timer);
  timeout_->timer.reset();
}

Result<hal::PtzVelocity> PtzController::velocity_of(const Speed& speed) const {
  for (const auto& value : {speed.pan_tilt, speed.zoom})
    if (value && !(std::isfinite(*value) && *value > 0 && *value <= 1))
      return make_error(ErrorCode::out_of_range, "a PTZ speed is a fraction of the maximum in (0, 1] (got " + format(*value) + ")");
  const auto max = motor_.limits().max_speed;
  const double pan_tilt = speed.pan_tilt.value_or(1);
  return hal::PtzVelocity{max.pan_degrees_per_second * pan_tilt, max.tilt_degrees_per_second * pan_tilt,
                          max.zoom_per_second * speed.zoom.value_or(1)};
}

Result<void> PtzController::drive_to(const hal::PtzPosition& target, const Speed& speed) {
  auto velocity = velocity_of(speed);
  if (!velocity) return velocity.error();
  cancel_timeout();
  if (auto moved = motor_.move_to(target, *velocity); !moved) return moved.error();
  target_ = target;
  velocity_.reset();
  return {};
}

Result<void> PtzController::move_absolute(const AxisValues& target, const Speed& speed) {
  if (!finite(target)) return make_error(ErrorCode::invalid_argument, "a PTZ position must be a finite number");
  std::lock_guard lock(mutex_);
  const auto limits = motor_.limits();
  auto goal = motor_.position();
  if (target.pan) {
    if (limits.endless_pan) {
      goal.pan_degrees = wrap_degrees(*target.pan);
    } else if (*target.pan < limits.pan_min || *target.pan > limits.pan_max) {
      return make_error(ErrorCode::out_of_range, "pan " + format(*target.pan) + "° is outside the pan limits " +
                                                     format(limits.pan_min) + "°.." + format(limits.pan_max) + "°");
    } else {
      goal.pan_degrees = *target.pan;
    }
  }
  if (target.tilt) {
    if (*target.tilt < limits.tilt_min || *target.tilt > limits.tilt_max)
      return make_error(ErrorCode::out_of_range, "tilt " + format(*target.tilt) + "° is outside the tilt limits " +
                                                     format(limits.tilt_min) + "°.." + format(limits.tilt_max) + "°");
    goal.tilt_degrees = *target.tilt;
  }
  if (target.zoom) {
    if (*target.zoom < limits.zoom_min || *target.zoom > limits.zoom_max)
      return make_error(ErrorCode::out_of_range, "zoom ×" + format(*target.zoom) + " is outside ×" +
                                                     format(limits.zoom_min) + "..×" + format(limits.zoom_max));
    goal.zoom = *target.zoom;
  }
  return drive_to(goal, speed);
}

Result<void> PtzController::move_relative(const AxisValues& delta, const Speed& speed) {
  if (!finite(delta)) return make_error(ErrorCode::invalid_argument, "a PTZ translation must be a finite number");
  std::lock_guard lock(mutex_);
  const auto limits = motor_.limits();
  auto goal = motor_.position();
  if (delta.pan) {
    goal.pan_degrees += *delta.pan;
    goal.pan_degrees = limits.endless_pan ? wrap_degrees(goal.pan_degrees)
                                          : std::clamp(goal.pan_degrees, limits.pan_min, limits.pan_max);
  }
  if (delta.tilt) goal.tilt_degrees = std::clamp(goal.tilt_degrees + *delta.tilt, limits.tilt_min, limits.tilt_max);
  if (delta.zoom) goal.zoom = std::clamp(goal.zoom + *delta.zoom, limits.zoom_min, limits.zoom_max);
  return drive_to(goal, speed);
}

Result<void> PtzController::move_relative_fov(double x, double y, std::optional<double> zoom, const Speed& speed) {
  if (!std::isfinite(x) || !std::isfinite(y) || std::abs(x) > 1 || std::abs(y) > 1)
    return make_error(ErrorCode::out_of_range, "a translation in the field of view is within [-1, 1] on each axis (got " +
                                                   format(x) + ", " + format(y) + ")");
  const auto view = field_of_view();
  return move_relative({x * view.horizontal_degrees / 2, y * view.vertical_degrees / 2, zoom}, speed);
}

Result<void> PtzController::move_continuous(const AxisValues& velocity, std::optional<hal::Nanos> timeout) {
  if (!finite(velocity)) return make_error(ErrorCode::invalid_argument, "a PTZ velocity must be a finite number");
  for (const auto& value : {velocity.pan, velocity.tilt, velocity.zoom})
    if (value && std::abs(*value) > 1)
      return make_error(ErrorCode::out_of_range,
                        "a PTZ velocity is a fraction of the maximum speed in [-1, 1] (got " + format(*value) + ")");
  if (timeout && timeout->count() <= 0)
    return make_error(ErrorCode::out_of_range, "the timeout of a continuous move must be positive");
  std::lock_guard lock(mutex_);
  const auto max = motor_.limits().max_speed;
  const hal::PtzVelocity wanted{max.pan_degrees_per_second * velocity.pan.value_or(0),
                                max.tilt_degrees_per_second * velocity.tilt.value_or(0),
                                max.zoom_per_second * velocity.zoom.value_or(0)};
  cancel_timeout();
  if (auto moved = motor_.move_continuous(wanted); !moved) return moved.error();
  velocity_ = wanted;
  target_.reset();
  if (timeout) {
    std::lock_guard timeout_lock(timeout_->mutex);
    const auto generation = timeout_->generation;
    timeout_->timer = clock_.call_at(clock_.now() + *timeout, [state = timeout_, generation, motor = &motor_] {
      std::lock_guard state_lock(state->mutex);
      if (!state->alive || state->generation != generation) return;
      state->timer.reset();
      motor->stop();
    });
  }
  return {};
}

void PtzController::stop(bool pan_tilt, bool zoom) {
  if (!pan_tilt && !zoom) return;
  std::lock_guard lock(mutex_);
  if (pan_tilt && zoom) {
    cancel_timeout();
    motor_.stop();
    target_.reset();
    velocity_.reset();
    return;
  }
  // The motor stops all axes at once: the group that goes on is commanded again from where it is.
  if (!motor_.moving()) return;
  if (velocity_) {
    auto remaining = *velocity_;
    if (pan_tilt) remaining.pan_degrees_per_second = remaining.tilt_degrees_per_second = 0;
    if (zoom) remaining.zoom_per_second = 0;
    if (motor_.move_continuous(remaining)) velocity_ = remaining;
    return;
  }
  if (target_) {
    const auto here = motor_.position();
    auto goal = *target_;
    if (pan_tilt) {
      goal.pan_degrees = here.pan_degrees;
      goal.tilt_degrees = here.tilt_degrees;
    }
    if (zoom) goal.zoom = here.zoom;
    if (motor_.move_to(goal, motor_.limits().max_speed)) target_ = goal;
  }
}

Status PtzController::status() const {
  Status status;
  status.position = motor_.position();
  status.move = motor_.moving() ? MoveStatus::moving : MoveStatus::idle;
  return status;
}

Result<void> PtzController::check_preset_number(int number, bool setting) const {
  if (number < 1 || number > k_max_presets)
    return make_error(ErrorCode::out_of_range,
                      "preset " + std::to_string(number) + " does not exist: presets are 1.." + std::to_string(k_max_presets));
  if (setting && is_special_preset(number))
    return make_error(ErrorCode::not_configurable, "preset " + std::to_string(number) +
                                                       " is a special preset (33-46, 92-105): it can be called, not set");
  return {};
}

std::vector<Preset> PtzController::presets() const {
  std::lock_guard lock(mutex_);
  std::vector<Preset> result;
  core::SqliteStatement query(db_, "SELECT number, name, pan, tilt, zoom FROM presets WHERE channel = ? ORDER BY number");
  query.bind(1, std::int64_t{channel_});
  while (query.step() == SQLITE_ROW)
    result.push_back({static_cast<int>(query.column_int(0)), query.column_text(1), position_of(query, 2)});
  return result;
}

Result<Preset> PtzController::preset(int number) const {
  if (auto valid = check_preset_number(number, false); !valid) return valid.error();
  std::lock_guard lock(mutex_);
  core::SqliteStatement query(db_, "SELECT name, pan, tilt, zoom FROM presets WHERE channel = ? AND number = ?");
  query.bind(1, std::int64_t{channel_}).bind(2, std::int64_t{number});
  if (query.step() != SQLITE_ROW)
    return make_error(ErrorCode::not_found, "preset " + std::to_string(number) + " is not set");
  return Preset{number, query.column_text(0), position_of(query, 1)};
}

Result<Preset> PtzController::set_preset(std::optional<int> number, std::optional<std::string> name) {
  if (name && name->size() > k_max_preset_name)
    return make_error(ErrorCode::out_of_range,
                      "a preset name has at most " + std::to_string(k_max_preset_name) + " bytes (got " + std::to_string(name->size()) + ")");
  if (name && name->empty()) name.reset();
  if (number) {
    if (auto valid = check_preset_number(*number, true); !valid) return valid.error();
  } else {
    const auto taken = presets();
    for (int candidate = 1; candidate <= k_max_presets && !number; ++candidate)
      if (!is_special_preset(candidate) &&
          std::none_of(taken.begin(), taken.end(), [&](const Preset& p) { return p.number == candidate; }))
        number = candidate;
    if (!number) return make_error(ErrorCode::unavailable, "every preset is set; remove one first");
  }
  if (!name) {
    auto existing = preset(*number);
    name = existing ? existing->name : "Preset " + std::to_string(*number);
  }
  std::lock_guard lock(mutex_);
  if (motor_.moving())
    return make_error(ErrorCode::unavailable, "the PTZ head is moving: set the preset when it stands still");
  const auto here = motor_.position();
  core::SqliteStatement insert(db_, "INSERT OR REPLACE INTO presets (channel, number, name, pan, tilt, zoom) VALUES (?, ?, ?, ?, ?, ?)");
  insert.bind(1, std::int64_t{channel_}).bind(2, std::int64_t{*number}).bind(3, *name);
  sqlite3_bind_double(insert.get(), 4, here.pan_degrees);
  sqlite3_bind_double(insert.get(), 5, here.tilt_degrees);
  sqlite3_bind_double(insert.get(), 6, here.zoom);
  if (auto stored = done(insert.step(), db_); !stored) return stored.error();
  return Preset{*number, *name, here};
}

Result<void> PtzController::remove_preset(int number) {
  if (auto valid = check_preset_number(number, true); !valid) return valid.error();
  std::lock_guard lock(mutex_);
  core::SqliteStatement remove(db_, "DELETE FROM presets WHERE channel = ? AND number = ?");
  remove.bind(1, std::int64_t{channel_}).bind(2, std::int64_t{number});
  if (auto removed = done(remove.step(), db_); !removed) return removed.error();
  if (sqlite3_changes(db_) == 0) return make_error(ErrorCode::not_found, "preset " + std::to_string(number) + " is not set");
  return {};
}

Result<void> PtzController::goto_preset(int number, const Speed& speed) {
  if (auto valid = check_preset_number(number, false); !valid) return valid.error();
  if (number == 34) return goto_home(speed);
  if (is_special_preset(number))
    return make_error(ErrorCode::not_configurable,
                      "special preset " + std::to_string(number) + " calls a function this firmware does not have");
  auto stored = preset(number);
  if (!stored) return stored.error();
  std::lock_guard lock(mutex_);
  return drive_to(stored->position, speed);
}

std::optional<hal::PtzPosition> PtzController::home() const {
  std::lock_guard lock(mutex_);
  core::SqliteStatement query(db_, "SELECT pan, tilt, zoom FROM home WHERE channel = ?");
  query.bind(1, std::int64_t{channel_});
  if (query.step() != SQLITE_ROW) return std::nullopt;
  return position_of(query, 0);
}

Result<void> PtzController::set_home() {
  std::lock_guard lock(mutex_);
  if (motor_.moving())
    return make_error(ErrorCode::unavailable, "the PTZ head is moving: set the home position when it stands still");
  const auto here = motor_.position();
  core::SqliteStatement insert(db_, "INSERT OR REPLACE INTO home (channel, pan, tilt, zoom) VALUES (?, ?, ?, ?)");
  insert.bind(1, std::int64_t{channel_});
  sqlite3_bind_double(insert.get(), 2, here.pan_degrees);
  sqlite3_bind_double(insert.get(), 3, here.tilt_degrees);
  sqlite3_bind_double(insert.get(), 4, here.zoom);
  return done(insert.step(), db_);
}

Result<void> PtzController::goto_home(const Speed& speed) {
  auto target = home();
  std::lock_guard lock(mutex_);
  if (!target) {
    const auto limits = motor_.limits();
    target = hal::PtzPosition{limits.endless_pan ? 0.0 : std::clamp(0.0, limits.pan_min, limits.pan_max),
                              std::clamp(0.0, limits.tilt_min, limits.tilt_max), limits.zoom_min};
  }
  return drive_to(*target, speed);
}

}  // namespace camrig::ptz
