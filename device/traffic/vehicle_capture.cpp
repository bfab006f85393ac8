#include "device/traffic/vehicle_capture.hpp"

#include <cstdlib>

#include "device/core/log.hpp"

namespace camrig::traffic {
namespace {

// Passes remembered for the de-duplications; far more than a lane sees within any delay.
constexpr std::size_t k_reported_capacity = 256;

LoopTrigger loop_trigger_from(const std::string& text) {
  if (text == "rising") return LoopTrigger::rising;
  if (text == "falling") return LoopTrigger::falling;
  return LoopTrigger::none;
}

hal::Nanos distance(hal::Nanos a, hal::Nanos b) { return a > b ? a - b : b - a; }

}  // namespace

std::string_view to_string(VehicleDirection direction) {
  switch (direction) {
    case VehicleDirection::approaching: return "approaching";
    case VehicleDirection::leaving: return "leaving";
    case VehicleDirection::unknown: return "unknown";
  }
  return "unknown";
}

CaptureSettings CaptureSettings::from_config(const core::ConfigService& config) {
  CaptureSettings settings;
  const auto mode = config.get_string("traffic.capture.mode");
  settings.mode = mode == "loop" ? CaptureMode::loop : mode == "video" ? CaptureMode::video : CaptureMode::mixed;
  settings.snapshot_quantity = static_cast<int>(config.get_int("traffic.capture.snapshot_quantity"));
  const auto direction = config.get_string("traffic.capture.direction");
  settings.direction = direction == "departing" ? DirectionFilter::departing
                       : direction == "both"    ? DirectionFilter::both
                                                : DirectionFilter::positive;
  settings.same_plate_delay = std::chrono::seconds(config.get_int("traffic.capture.same_plate_delay"));
  settings.backing_leaving = config.get_bool("traffic.capture.backing_leaving");
  const auto plan = config.get_string("traffic.capture.loop_plan");
  settings.plan = plan == "double_in1-snap_nospeed" ? LoopPlan::double_in1
                  : plan == "double_in2-snap_speed" ? LoopPlan::double_in2
                                                    : LoopPlan::single_in;
  settings.loop_trigger = {loop_trigger_from(config.get_string("traffic.capture.loop1_trigger")),
                           loop_trigger_from(config.get_string("traffic.capture.loop2_trigger"))};
  settings.loop_input = {static_cast<int>(config.get_int("traffic.capture.loop1_input")),
                         static_cast<int>(config.get_int("traffic.capture.loop2_input"))};
  settings.loop_distance_m = config.get_number("traffic.capture.loop_distance");
  settings.max_pass_time = std::chrono::seconds(config.get_int("traffic.capture.max_pass_time"));
  return settings;
}

VehicleCapture::VehicleCapture(SettingsSource settings, CaptureRequest request, PassSink sink)
    : settings_(std::move(settings)), request_(std::move(request)), sink_(std::move(sink)) {}

void VehicleCapture::on_input(int index, bool closed, hal::Nanos at) {
  const auto settings = settings_();
  for (int loop = 0; loop < 2; ++loop)
    if (settings.loop_input[static_cast<std::size_t>(loop)] == index + 1) on_loop(loop, closed, at, settings);
}

void VehicleCapture::on_loop(int loop, bool occupied, hal::Nanos at, const CaptureSettings& settings) {
  const auto l = static_cast<std::size_t>(loop);
  occupied_[l].store(occupied);
  if (settings.mode == CaptureMode::video) return;
  const bool double_loops = settings.plan != LoopPlan::single_in;
  if (loop == 1 && !double_loops) return;  // "For single_in-snap_nospeed, loop 2 cannot be set"

  LoopPass pass;
  pass.at = at;
  {
    std::lock_guard lock(mutex_);
    if (occupied) entered_[l] = at;
    // The plan names the loop whose edge takes the snapshot; the other loop only tells order and speed.
    const std::size_t capturing = settings.plan == LoopPlan::double_in2 ? 1 : 0;
    if (l != capturing) return;
    const auto trigger = settings.loop_trigger[capturing];
    if (trigger == LoopTrigger::none || (trigger == LoopTrigger::rising) != occupied) return;
    const auto other = 1 - capturing;
    const auto entry = entered_[capturing].value_or(at);
    if (double_loops && entered_[other] && *entered_[other] <= entry && entry - *entered_[other] <= settings.max_pass_time) {
      if (capturing == 1) {
        // Loop 1 then loop 2: the way the lane is driven; front to front over the loop distance.
        pass.direction = VehicleDirection::approaching;
        const double seconds = std::chrono::duration<double>(entry - *entered_[other]).count();
        if (settings.plan == LoopPlan::double_in2 && seconds > 0) pass.speed_kmh = settings.loop_distance_m / seconds * 3.6;
      } else {
        pass.direction = VehicleDirection::leaving;  // loop 2 before loop 1: against the lane
      }
    }
    while (!pending_.empty() && at - pending_.front().at > 2 * settings.max_pass_time) pending_.pop_front();
    pending_.push_back(pass);
  }
  if (request_) request_(CaptureTrigger::loop, at);
}

bool VehicleCapture::lane_occupied() const {
  const bool double_loops = settings_().plan != LoopPlan::single_in;
  return occupied_[0].load() || (double_loops && occupied_[1].load());
}

bool VehicleCapture::duplicate(const PlateRead& read, const CaptureSettings& settings) const {
  const bool from_loop = read.trigger == CaptureTrigger::loop;
  for (const auto& earlier : reported_) {
    const auto apart = distance(read.time, earlier.at);
    if (!read.plate.empty() && earlier.plate == read.plate && apart < settings.same_plate_delay) return true;
    // Mixed: the loop and the video see the same vehicle; whichever reported first stands.
    if (settings.mode == CaptureMode::mixed && earlier.from_loop != from_loop && apart <= settings.max_pass_time &&
        (earlier.plate == read.plate || earlier.plate.empty() || read.plate.empty()))
      return true;
  }
  return false;
}

void VehicleCapture::submit(const PlateRead& read) {
  const auto settings = settings_();
  const bool from_loop = read.trigger == CaptureTrigger::loop;
  if ((from_loop && settings.mode == CaptureMode::video) || (read.trigger == CaptureTrigger::video && settings.mode == CaptureMode::loop)) {
    log::get("traffic")->debug("read {} of {} ignored in this capture mode", read.id, read.plate);
    return;
  }
  VehiclePass pass;
  pass.read = read;
  pass.snapshots = settings.snapshot_quantity;
  // A manual capture was asked for: it is a picture of the moment, not a vehicle pass to filter.
  if (read.trigger == CaptureTrigger::manual) {
    sink_(pass);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (from_loop) {
      auto best = pending_.end();
      for (auto it = pending_.begin(); it != pending_.end(); ++it)
        if (distance(it->at, read.time) <= settings.max_pass_time &&
            (best == pending_.end() || distance(it->at, read.time) < distance(best->at, read.time)))
          best = it;
      if (best != pending_.end()) {
        pass.speed_kmh = best->speed_kmh;
        if (best->direction != VehicleDirection::unknown) pass.read.direction = best->direction;
        pending_.erase(best);
      }
    }
    const auto direction = pass.read.direction;
    const bool wanted = settings.direction == DirectionFilter::both || direction == VehicleDirection::unknown ||
                        (settings.direction == DirectionFilter::positive && direction == VehicleDirection::approaching) ||
                        (settings.direction == DirectionFilter::departing && direction == VehicleDirection::leaving);
    if (!wanted) {
      if (!settings.backing_leaving || direction != VehicleDirection::leaving) return;
      pass.backing = true;
    }
    if (duplicate(read, settings)) {
      log::get("traffic")->debug("read {} of '{}' is a pass already reported", read.id, read.plate);
      return;
    }
    reported_.push_back({read.time, read.plate, from_loop});
    if (reported_.size() > k_reported_capacity) reported_.pop_front();
  }
  sink_(pass);
}

}  // namespace camrig::traffic
