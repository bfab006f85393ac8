#include "sim/ptz_motor_model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

namespace camrig::sim {
namespace {

using detail::PtzPhase;

constexpr double k_inf = std::numeric_limits<double>::infinity();
constexpr double k_eps = 1e-9;

double seconds(hal::Nanos d) { return static_cast<double>(d.count()) * 1e-9; }

// Rounds a duration up to whole nanoseconds (so the axis has arrived at the returned instant).
hal::Nanos nanos_ceil(double s) { return hal::Nanos{static_cast<hal::Nanos::rep>(std::ceil(s * 1e9 - 1e-6))}; }

double sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }

// A motion built phase by phase from a start state.
struct Builder {
  std::vector<PtzPhase> phases;
  double t = 0, p = 0, v = 0;

  void add(double a, double duration) {
    if (!(duration > 0)) return;
    phases.push_back({t, duration, p, v, a});
    if (std::isinf(duration)) return;
    p += v * duration + 0.5 * a * duration * duration;
    v += a * duration;
    t += duration;
  }
};

// From (p, v) to rest at `target`, no faster than vmax, accelerating at amax.
void build_move(Builder& b, double target, double vmax, double amax) {
  for (int pass = 0; pass < 2; ++pass) {
    const double d = target - b.p;
    const double dir = d != 0 ? sign(d) : sign(b.v);
    const double distance = std::abs(d);
    const double u0 = dir * b.v;  // speed toward the target (negative: going away)
    if (std::abs(d) < k_eps && std::abs(b.v) < k_eps) return;
    if (u0 < -k_eps || u0 * u0 / (2 * amax) > distance + k_eps) {
      // Going the wrong way, or too fast to stop in time: brake to rest, then start over.
      b.add(-sign(b.v) * amax, std::abs(b.v) / amax);
      b.v = 0;
      continue;
    }
    const double u = std::max(u0, 0.0);
    if (u > vmax) {
      // Slower cruise requested while moving faster: brake down to it first.
      const double d1 = (u * u - vmax * vmax) / (2 * amax);
      const double d3 = vmax * vmax / (2 * amax);
      b.add(-dir * amax, (u - vmax) / amax);
      b.add(0, std::max(0.0, distance - d1 - d3) / vmax);
      b.add(-dir * amax, vmax / amax);
    } else {
      const double peak = std::min(vmax, std::sqrt(amax * distance + u * u / 2));
      const double d1 = (peak * peak - u * u) / (2 * amax);
      const double d3 = peak * peak / (2 * amax);
      b.add(dir * amax, (peak - u) / amax);
      if (peak > 0) b.add(0, std::max(0.0, distance - d1 - d3) / peak);
      b.add(-dir * amax, peak / amax);
    }
    return;
  }
}

}  // namespace

PtzMotorModel::PtzMotorModel(const hal::Clock& clock, PtzMotorOptions options)
    : clock_(clock), options_(options), rng_state_(options.seed) {
  const auto bad = [](const std::string& what) { throw std::invalid_argument("PtzMotorModel: " + what); };
  if (!options.endless_pan && !(options.pan_min < options.pan_max)) bad("empty pan range");
  if (!(options.tilt_min < options.tilt_max)) bad("empty tilt range");
  if (!(options.zoom_min > 0 && options.zoom_min <= options.zoom_max)) bad("zoom range must be positive and not empty");
  for (const auto* axis : {&options.pan, &options.tilt, &options.zoom}) {
    if (!(axis->max_speed > 0) || !(axis->max_acceleration > 0)) bad("speeds and accelerations must be positive");
  }
  if (!(options.horizontal_fov_degrees > 0 && options.horizontal_fov_degrees < 180)) bad("field of view outside (0, 180)");
  if (!(options.aspect_ratio > 0)) bad("aspect ratio must be positive");
  if (options.pan_tilt_accuracy_degrees < 0 || options.zoom_accuracy < 0 || options.settle_time < hal::Nanos{0}) {
    bad("negative accuracy or settle time");
  }
  const auto& start = options.initial;
  if ((!options.endless_pan && (start.pan_degrees < options.pan_min || start.pan_degrees > options.pan_max)) ||
      start.tilt_degrees < options.tilt_min || start.tilt_degrees > options.tilt_max ||
      start.zoom < options.zoom_min || start.zoom > options.zoom_max) {
    bad("initial pose outside the limits");
  }
  const auto now = clock.now();
  const double initial[3] = {options.endless_pan ? wrap_pan(start.pan_degrees) : start.pan_degrees,
                             start.tilt_degrees, start.zoom};
  for (int axis = 0; axis < 3; ++axis) {
    plans_[axis].start = now;
    plans_[axis].final_position = initial[axis];
    plans_[axis].end = now;
  }
}

const PtzAxisDrive& PtzMotorModel::drive(int axis) const {
  return axis == pan ? options_.pan : axis == tilt ? options_.tilt : options_.zoom;
}

double PtzMotorModel::lower(int axis) const {
  return axis == pan ? options_.pan_min : axis == tilt ? options_.tilt_min : options_.zoom_min;
}

double PtzMotorModel::upper(int axis) const {
  return axis == pan ? options_.pan_max : axis == tilt ? options_.tilt_max : options_.zoom_max;
}

double PtzMotorModel::wrap_pan(double degrees) const {
  double wrapped = std::fmod(degrees, 360.0);
  if (wrapped < 0) wrapped += 360.0;
  return wrapped >= 360.0 ? 0.0 : wrapped;
}

// splitmix64: a portable, repeatable draw in [-bound, bound].
double PtzMotorModel::landing_error(double bound) {
  if (bound <= 0) return 0;
  std::uint64_t z = (rng_state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  const double unit = static_cast<double>(z >> 11) * (1.0 / 9007199254740992.0);  // [0, 1)
  return (unit * 2 - 1) * bound;
}

PtzMotorModel::State PtzMotorModel::evaluate(int axis, hal::Nanos at) const {
  const auto& plan = plans_[axis];
  if (plan.phases.empty() || (plan.end && at >= *plan.end)) return {plan.final_position, 0};
  const double t = std::max(0.0, seconds(at - plan.start));
  const PtzPhase* phase = &plan.phases.front();
  for (const auto& candidate : plan.phases) {
    if (candidate.begin <= t) phase = &candidate;
  }
  const double dt = std::min(t - phase->begin, phase->duration);
  double p = phase->p + phase->v * dt + 0.5 * phase->a * dt * dt;
  const double v = phase->v + phase->a * dt;
  if (bounded(axis)) p = std::clamp(p, lower(axis), upper(axis));
  return {p, v};
}

void PtzMotorModel::finish_plan(Plan& plan, hal::Nanos at, std::vector<PtzPhase> phases, std::optional<double> snap) {
  plan.start = at;
  plan.phases = std::move(phases);
  if (plan.phases.empty()) {
    plan.end = at;
    return;
  }
  const auto& last = plan.phases.back();
  if (std::isinf(last.duration)) {
    plan.end.reset();
    return;
  }
  const double t_end = last.begin + last.duration;
  plan.end = at + nanos_ceil(t_end);
  plan.final_position = snap ? *snap : last.p + last.v * last.duration + 0.5 * last.a * last.duration * last.duration;
}

void PtzMotorModel::plan_move(int axis, hal::Nanos at, double target, double speed) {
  const auto now = evaluate(axis, at);
  const auto& d = drive(axis);
  const double vmax = speed > 0 && std::isfinite(speed) ? std::min(speed, d.max_speed) : d.max_speed;
  Builder b;
  b.p = now.p;
  b.v = now.v;
  build_move(b, target, vmax, d.max_acceleration);
  if (b.phases.empty()) {
    plans_[axis] = Plan{at, {}, target, at};
    return;
  }
  finish_plan(plans_[axis], at, std::move(b.phases), target);
}

void PtzMotorModel::plan_velocity(int axis, hal::Nanos at, double velocity) {
  const auto now = evaluate(axis, at);
  const auto& d = drive(axis);
  const double v = std::clamp(velocity, -d.max_speed, d.max_speed);
  if (bounded(axis) && v != 0) {
    // Run toward the limit and stop exactly on it.
    plan_move(axis, at, v > 0 ? upper(axis) : lower(axis), std::abs(v));
    return;
  }
  Builder b;
  b.p = now.p;
  b.v = now.v;
  b.add(sign(v - now.v) * d.max_acceleration, std::abs(v - now.v) / d.max_acceleration);
  if (v != 0) b.add(0, k_inf);
  if (b.phases.empty()) {
    plans_[axis] = Plan{at, {}, now.p, at};
    return;
  }
  finish_plan(plans_[axis], at, std::move(b.phases), std::nullopt);
  if (!bounded(axis) && plans_[axis].end) plans_[axis].final_position = wrap_pan(plans_[axis].final_position);
}

hal::PtzLimits PtzMotorModel::limits() const {
  hal::PtzLimits limits;
  limits.endless_pan = options_.endless_pan;
  limits.pan_min = options_.endless_pan ? 0 : options_.pan_min;
  limits.pan_max = options_.endless_pan ? 360 : options_.pan_max;
  limits.tilt_min = options_.tilt_min;
  limits.tilt_max = options_.tilt_max;
  limits.zoom_min = options_.zoom_min;
  limits.zoom_max = options_.zoom_max;
  limits.max_speed = {options_.pan.max_speed, options_.tilt.max_speed, options_.zoom.max_speed};
  return limits;
}

hal::PtzPosition PtzMotorModel::position() const {
  std::lock_guard lock(mutex_);
  const auto at = clock_.now();
  double p = evaluate(pan, at).p;
  if (options_.endless_pan) p = wrap_pan(p);
  return {p, evaluate(tilt, at).p, evaluate(zoom, at).p};
}

hal::PtzVelocity PtzMotorModel::velocity() const {
  std::lock_guard lock(mutex_);
  const auto at = clock_.now();
  return {evaluate(pan, at).v, evaluate(tilt, at).v, evaluate(zoom, at).v};
}

std::optional<hal::Nanos> PtzMotorModel::arrival_time() const {
  std::lock_guard lock(mutex_);
  hal::Nanos latest = clock_.now();
  for (const auto& plan : plans_) {
    if (!plan.end) return std::nullopt;
    if (!plan.phases.empty()) latest = std::max(latest, *plan.end + options_.settle_time);
  }
  return latest;
}

bool PtzMotorModel::moving() const {
  const auto arrival = arrival_time();
  return !arrival || clock_.now() < *arrival;
}

Result<void> PtzMotorModel::move_to(const hal::PtzPosition& target, const hal::PtzVelocity& speed) {
  if (!std::isfinite(target.pan_degrees) || !std::isfinite(target.tilt_degrees) || !std::isfinite(target.zoom)) {
    return make_error(ErrorCode::invalid_argument, "PTZ target must be finite numbers");
  }
  std::lock_guard lock(mutex_);
  const auto at = clock_.now();
  const double pt_error_pan = landing_error(options_.pan_tilt_accuracy_degrees);
  const double pt_error_tilt = landing_error(options_.pan_tilt_accuracy_degrees);
  const double zoom_error = landing_error(options_.zoom_accuracy);

  double pan_target = 0;
  if (options_.endless_pan) {
    const double here = evaluate(pan, at).p;
    const double delta = std::remainder(wrap_pan(target.pan_degrees + pt_error_pan) - wrap_pan(here), 360.0);
    pan_target = here + delta;  // the shorter way round
  } else {
    pan_target = std::clamp(std::clamp(target.pan_degrees, options_.pan_min, options_.pan_max) + pt_error_pan,
                            options_.pan_min, options_.pan_max);
  }
  const double tilt_target = std::clamp(std::clamp(target.tilt_degrees, options_.tilt_min, options_.tilt_max) + pt_error_tilt,
                                        options_.tilt_min, options_.tilt_max);
  const double zoom_target = std::clamp(std::clamp(target.zoom, options_.zoom_min, options_.zoom_max) + zoom_error,
                                        options_.zoom_min, options_.zoom_max);
  plan_move(pan, at, pan_target, speed.pan_degrees_per_second);
  if (options_.endless_pan) plans_[pan].final_position = wrap_pan(plans_[pan].final_position);
  plan_move(tilt, at, tilt_target, speed.tilt_degrees_per_second);
  plan_move(zoom, at, zoom_target, speed.zoom_per_second);
  return {};
}

Result<void> PtzMotorModel::move_continuous(const hal::PtzVelocity& velocity) {
  if (!std::isfinite(velocity.pan_degrees_per_second) || !std::isfinite(velocity.tilt_degrees_per_second) ||
      !std::isfinite(velocity.zoom_per_second)) {
    return make_error(ErrorCode::invalid_argument, "PTZ velocity must be finite numbers");
  }
  std::lock_guard lock(mutex_);
  const auto at = clock_.now();
  plan_velocity(pan, at, velocity.pan_degrees_per_second);
  if (options_.endless_pan && plans_[pan].end) plans_[pan].final_position = wrap_pan(plans_[pan].final_position);
  plan_velocity(tilt, at, velocity.tilt_degrees_per_second);
  plan_velocity(zoom, at, velocity.zoom_per_second);
  return {};
}

void PtzMotorModel::stop() {
  std::lock_guard lock(mutex_);
  const auto at = clock_.now();
  for (int axis = 0; axis < 3; ++axis) {
    const auto now = evaluate(axis, at);
    const double amax = drive(axis).max_acceleration;
    Builder b;
    b.p = now.p;
    b.v = now.v;
    b.add(-sign(now.v) * amax, std::abs(now.v) / amax);
    if (b.phases.empty()) {
      plans_[axis] = Plan{at, {}, now.p, at};
      continue;
    }
    std::optional<double> snap;
    if (bounded(axis)) snap = std::clamp(b.p, lower(axis), upper(axis));
    finish_plan(plans_[axis], at, std::move(b.phases), snap);
  }
  if (options_.endless_pan) plans_[pan].final_position = wrap_pan(plans_[pan].final_position);
}

void PtzMotorModel::reset_to(const hal::PtzPosition& pose) {
  std::lock_guard lock(mutex_);
  const auto at = clock_.now();
  const double values[3] = {
      options_.endless_pan ? wrap_pan(std::isfinite(pose.pan_degrees) ? pose.pan_degrees : 0)
                           : std::clamp(pose.pan_degrees, options_.pan_min, options_.pan_max),
      std::clamp(pose.tilt_degrees, options_.tilt_min, options_.tilt_max),
      std::clamp(pose.zoom, options_.zoom_min, options_.zoom_max)};
  for (int axis = 0; axis < 3; ++axis) plans_[axis] = Plan{at, {}, values[axis], at};
}

double PtzMotorModel::fov_at_zoom(double fov1_degrees, double zoom_ratio) {
  const double half = fov1_degrees * std::numbers::pi / 360.0;
  return 2 * std::atan(std::tan(half) / zoom_ratio) * 180.0 / std::numbers::pi;
}

FieldOfView PtzMotorModel::field_of_view() const {
  const double z = position().zoom;
  const double h = fov_at_zoom(options_.horizontal_fov_degrees, z);
  // Vertical from the same sensor: tan(v/2) = tan(h/2) / aspect.
  const double v = 2 * std::atan(std::tan(h * std::numbers::pi / 360.0) / options_.aspect_ratio) * 180.0 / std::numbers::pi;
  return {h, v};
}

}  // namespace camrig::sim
